"""Rule kinds: the code that applies a rule's parameters, registered once by kind.

A pack's ``[[rules]]`` entry names a ``kind``; the engine calls the function registered for
it with the facts of the course and the rule's spec::

    @rule_kind("pregnancy-test-window", params={"window_days": int})
    def pregnancy_test_window(facts: CourseFacts, spec: RuleSpec) -> RuleResult: ...

Declared parameters are checked when a pack is loaded, so a typo in a pack fails at load with
a named :class:`RuleDataError`, not in the middle of an assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from isocourse.domain.errors import RuleDataError
from isocourse.rules.model import DueItem, Finding, RuleSpec, Severity, Window

if TYPE_CHECKING:
    from isocourse.rules.facts import CourseFacts

__all__ = ["RuleKind", "RuleResult", "kinds", "lookup", "rule_kind"]


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What one rule says. ``window`` is set by the programme's window rule only."""

    findings: tuple[Finding, ...] = ()
    due: tuple[DueItem, ...] = ()
    window: Window | None = None


class ResultBuilder:
    """Collects a rule's findings and due items with the rule's id and citation filled in."""

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec
        self.findings: list[Finding] = []
        self.due: list[DueItem] = []
        self.window: Window | None = None

    def add(self, severity: Severity, message: str) -> None:
        self.findings.append(Finding(self.spec.id, severity, message, self.spec.citation))

    def info(self, message: str) -> None:
        self.add(Severity.INFO, message)

    def warning(self, message: str) -> None:
        self.add(Severity.WARNING, message)

    def block(self, message: str) -> None:
        self.add(Severity.BLOCK, message)

    def urgent(self, message: str) -> None:
        self.add(Severity.URGENT, message)

    def needs(self, item: str, due_date: dt.date, reason: str = "",
              analytes: tuple[str, ...] = ()) -> None:
        self.due.append(DueItem(item, due_date, self.spec.id, reason, analytes))

    def result(self) -> RuleResult:
        return RuleResult(tuple(self.findings), tuple(self.due), self.window)


RuleFunction = Callable[["CourseFacts", RuleSpec, ResultBuilder], None]


@dataclass(frozen=True, slots=True)
class RuleKind:
    name: str
    function: RuleFunction
    params: Mapping[str, type | tuple[type, ...]] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    doc: str = ""

    def check(self, spec: RuleSpec) -> None:
        """Refuse a spec whose parameters do not fit this kind (at pack load)."""
        unknown = set(spec.params) - set(self.params)
        if unknown:
            raise RuleDataError(
                f"rule {spec.id}: unknown parameter {', '.join(sorted(unknown))} for kind "
                f"{self.name!r}")
        for name, expected in self.params.items():
            if name not in spec.params:
                if name in self.optional:
                    continue
                raise RuleDataError(f"rule {spec.id}: missing parameter {name!r}")
            value: Any = spec.params[name].value
            if isinstance(value, bool) and expected is not bool and bool not in (
                    expected if isinstance(expected, tuple) else (expected,)):
                raise RuleDataError(f"rule {spec.id}: parameter {name!r} has the wrong type")
            if not isinstance(value, expected):
                raise RuleDataError(f"rule {spec.id}: parameter {name!r} has the wrong type")

    def run(self, facts: CourseFacts, spec: RuleSpec) -> RuleResult:
        builder = ResultBuilder(spec)
        self.function(facts, spec, builder)
        return builder.result()


_KINDS: dict[str, RuleKind] = {}


def rule_kind(
    name: str,
    *,
    params: Mapping[str, type | tuple[type, ...]] | None = None,
    optional: tuple[str, ...] = (),
) -> Callable[[RuleFunction], RuleFunction]:
    """Register the function that applies rules of kind ``name``."""

    def register(function: RuleFunction) -> RuleFunction:
        if name in _KINDS:
            raise RuleDataError(f"rule kind {name!r} is registered twice")
        _KINDS[name] = RuleKind(name, function, dict(params or {}), frozenset(optional),
                                (function.__doc__ or "").strip())
        return function

    return register


def lookup(name: str) -> RuleKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise RuleDataError(f"unknown rule kind {name!r}") from None


def kinds() -> Mapping[str, RuleKind]:
    return dict(_KINDS)
