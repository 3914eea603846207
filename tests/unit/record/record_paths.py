"""Changing a JSON document at a path written the way problems name it (``events[3].result``).

Tests state a mutation and the problem it must cause in the same notation.
"""

from __future__ import annotations

import re
from typing import Any


class _Delete:
    """Marks a field to remove; its repr is stable so test ids match across xdist workers."""

    def __repr__(self) -> str:
        return "<deleted>"


#: Put this as the new value to delete the member instead.
DELETE = _Delete()

_TOKEN = re.compile(r"([^.\[\]]+)|\[([0-9]+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(i) if i else name for name, i in _TOKEN.findall(path)]


Path = str | tuple[str | int, ...]


def change(doc: Any, path: Path, value: object) -> Any:
    """Set (or with :data:`DELETE` remove) the member at ``path`` in place; returns ``doc``.

    ``path`` is written as problems name it, or is a tuple of steps (keys and indexes) for
    keys that the written form cannot spell.
    """
    *parents, last = _steps(path) if isinstance(path, str) else path
    target = doc
    for step in parents:
        target = target[step]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return doc


def paths(doc: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path in ``doc`` as a tuple of steps (members and items at any depth), parents
    before their children."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(doc, dict):
        children: list[tuple[str | int, Any]] = list(doc.items())
    elif isinstance(doc, list):
        children = list(enumerate(doc))
    else:
        return found
    for step, value in children:
        found.append((*path, step))
        found.extend(paths(value, (*path, step)))
    return found
