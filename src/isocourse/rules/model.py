"""The safety engine's vocabulary: rule packs (data) and what an assessment says.

A **rule pack** is one version of one programme (``us-ipledge@2026-08-08``) or of the
monitoring rules shared by all programmes (``monitoring@2026-01-01``): a list of
:class:`RuleSpec` with parameters and provenance, in force from ``effective_from``. The
logic that applies a rule lives in code, once, registered under the rule's ``kind``
(see :mod:`isocourse.rules.registry`); packs choose kinds and set their parameters.

An **assessment** is what the engine says about a course on a date: whether a pharmacist may
dispense, the open window, the cumulative dose, the findings (each with its rule and
source) and what is due next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from isocourse.domain.errors import RuleDataError

__all__ = [
    "Applicability",
    "Assessment",
    "Cumulative",
    "DueItem",
    "Finding",
    "Param",
    "RulePack",
    "RuleSpec",
    "Severity",
    "Source",
    "Window",
]


class Severity(StrEnum):
    """``block`` prevents dispensing; ``urgent`` needs a clinician now (and also blocks)."""

    INFO = "info"
    WARNING = "warning"
    BLOCK = "block"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def stops_dispensing(self) -> bool:
        return self in (Severity.BLOCK, Severity.URGENT)


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.BLOCK: 2, Severity.URGENT: 3}


class Applicability(StrEnum):
    """Which patients a rule applies to (the programme's risk category)."""

    ALL = "all"
    CAN_GET_PREGNANT = "can-get-pregnant"
    CANNOT_GET_PREGNANT = "cannot-get-pregnant"

    def applies(self, can_get_pregnant: bool) -> bool:
        if self is Applicability.ALL:
            return True
        return can_get_pregnant is (self is Applicability.CAN_GET_PREGNANT)


@dataclass(frozen=True, slots=True)
class Source:
    """A document a rule encodes. ``reliability``: P (regulator or label text), S
    (professional body, journal), W (weak), D (an isocourse design choice)."""

    key: str
    document: str
    reliability: str

    def cite(self, section: str = "") -> str:
        where = f", {section}" if section else ""
        return f"{self.document}{where} [{self.key}]"


@dataclass(frozen=True, slots=True)
class Param:
    """A rule parameter. ``unconfirmed`` parameters are configurable defaults whose source
    could not be confirmed; the rule reference and ``rules show`` say so."""

    name: str
    value: Any
    source: Source | None = None
    unconfirmed: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str
    kind: str
    title: str
    applies_to: Applicability
    source: Source
    section: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        """A parameter's value; a missing one is a pack error, named."""
        try:
            return self.params[name].value
        except KeyError:
            raise RuleDataError(f"rule {self.id}: missing parameter {name!r}") from None

    def days(self, name: str) -> int:
        value = self.value(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise RuleDataError(f"rule {self.id}: parameter {name!r} must be whole days")
        return value

    def decimal(self, name: str) -> Decimal:
        return Decimal(str(self.value(name)))

    @property
    def citation(self) -> str:
        return self.source.cite(self.section)


@dataclass(frozen=True, slots=True)
class RulePack:
    programme: str
    version: str
    title: str
    effective_from: dt.date
    rules: tuple[RuleSpec, ...]
    sources: Mapping[str, Source]
    effective_to: dt.date | None = None
    notes: str = ""

    @property
    def name(self) -> str:
        return f"{self.programme}@{self.version}"

    def rule(self, rule_id: str) -> RuleSpec | None:
        return next((r for r in self.rules if r.id == rule_id), None)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something the course needs by a date: ``item`` is one of pregnancy_test, lab,
    phq9, comprehension, counseling, visit, mental_health_check, sexual_function_check,
    risk_acknowledgement (the spec's list), or another the project adds."""

    item: str
    due_date: dt.date
    rule_id: str
    reason: str = ""
    analytes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Window:
    """The current prescription / pick-up window, both days inclusive."""

    start: dt.date
    end: dt.date
    kind: str = "pick-up"


@dataclass(frozen=True, slots=True)
class Cumulative:
    mg: Decimal
    mg_per_kg: Decimal
    basis: str


@dataclass(frozen=True, slots=True)
class Assessment:
    as_of: dt.date
    jurisdiction: str
    rule_set: str
    rule_sets: tuple[str, ...]
    dispense_allowed: bool
    window: Window | None
    cumulative: Cumulative
    findings: tuple[Finding, ...]
    due: tuple[DueItem, ...]
