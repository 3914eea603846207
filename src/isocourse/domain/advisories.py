"""Advisories: things a plan or a check wants a person to notice, each with a stable code."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Advisory"]


@dataclass(frozen=True, slots=True)
class Advisory:
    """A warning shown with a plan: ``code`` is stable (scripts match on it), ``message`` is
    for people."""

    code: str
    message: str
