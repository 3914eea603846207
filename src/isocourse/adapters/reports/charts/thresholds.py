"""The lab thresholds a course's results are judged by, read from the rule packs in force.

Nothing is copied: the packs the engine would apply on ``on`` (the programme's version in
force and the monitoring pack in force, :func:`isocourse.rules.engine.assess`) are searched
for the rules of the two lab kinds, and their parameters are read as those kinds read them
(:mod:`isocourse.rules.kinds.labs`):

* ``lipid-threshold``: a result *at or above* ``info_mg_dl`` / ``warning_mg_dl`` /
  ``block_mg_dl`` (mg/dL) reaches that level; mmol/L = mg/dL × ``mmol_factor``.
* ``liver-enzymes``: CTCAE grade *g* is a value *above* ``grade_multiples[g-1]`` × the upper
  limit of normal (the lab's own, else ``default_uln_<analyte>``); the levels start at
  ``info_grade``, ``warning_grade`` and ``block_grade``.

Only rules that apply to the patient count; the first rule found for an analyte is used
(the packaged packs have one per analyte).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import CourseRecord, LabAnalyte
from isocourse.rules.engine import MONITORING
from isocourse.rules.kinds.lab_schedule import lab_analytes
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import RulePack, RuleSpec, Severity

__all__ = ["EnzymeGrades", "LabThresholds", "LipidLimits", "lab_thresholds"]

LIPID_KIND = "lipid-threshold"
ENZYME_KIND = "liver-enzymes"
_LEVELS = (Severity.INFO, Severity.WARNING, Severity.BLOCK)


@dataclass(frozen=True, slots=True)
class LipidLimits:
    """``levels``: (level, limit in mg/dL), lowest first; a result at or above reaches it."""

    rule_id: str
    title: str
    pack: str
    mmol_factor: Decimal
    levels: tuple[tuple[Severity, Decimal], ...]


@dataclass(frozen=True, slots=True)
class EnzymeGrades:
    """``levels``: (level, first grade of it), lowest first; grade *g* is a value above
    ``multiples[g-1]`` × ULN."""

    rule_id: str
    title: str
    pack: str
    multiples: tuple[Decimal, ...]
    default_uln: Decimal
    levels: tuple[tuple[Severity, int], ...]

    def multiple_for(self, grade: int) -> Decimal | None:
        """The multiple of the ULN above which ``grade`` begins (None: no such grade)."""
        return self.multiples[grade - 1] if 1 <= grade <= len(self.multiples) else None


@dataclass(frozen=True, slots=True)
class LabThresholds:
    """The thresholds in force, by analyte; an analyte in neither map has none."""

    packs: tuple[str, ...] = ()
    lipids: Mapping[LabAnalyte, LipidLimits] = field(default_factory=dict)
    enzymes: Mapping[LabAnalyte, EnzymeGrades] = field(default_factory=dict)


def lab_thresholds(record: CourseRecord, library: RuleLibrary, *, on: dt.date) -> LabThresholds:
    """The lab thresholds the engine applies to ``record`` on ``on``."""
    packs = [library.in_force(record.course.jurisdiction.value, on)]
    if library.versions(MONITORING):
        packs.append(library.in_force(MONITORING, on))
    lipids: dict[LabAnalyte, LipidLimits] = {}
    enzymes: dict[LabAnalyte, EnzymeGrades] = {}
    for pack in packs:
        for spec in pack.rules:
            if not spec.applies_to.applies(record.patient.can_get_pregnant):
                continue
            if spec.kind == LIPID_KIND:
                analyte = _analyte(spec)
                lipids.setdefault(analyte, _lipid(spec, pack))
            elif spec.kind == ENZYME_KIND:
                for analyte in lab_analytes(spec):
                    enzymes.setdefault(analyte, _enzyme(spec, pack, analyte))
    return LabThresholds(tuple(p.name for p in packs), lipids, enzymes)


def _analyte(spec: RuleSpec) -> LabAnalyte:
    try:
        return LabAnalyte(spec.value("analyte"))
    except ValueError:
        raise RuleDataError(f"rule {spec.id}: parameter 'analyte' is not an analyte") from None


def _lipid(spec: RuleSpec, pack: RulePack) -> LipidLimits:
    levels = tuple(
        (level, spec.decimal(f"{level.value}_mg_dl"))
        for level in _LEVELS
        if f"{level.value}_mg_dl" in spec.params
    )
    return LipidLimits(
        spec.id,
        spec.title,
        pack.name,
        spec.decimal("mmol_factor"),
        tuple(sorted(levels, key=lambda item: item[1])),
    )


def _enzyme(spec: RuleSpec, pack: RulePack, analyte: LabAnalyte) -> EnzymeGrades:
    multiples = tuple(Decimal(str(m)) for m in spec.value("grade_multiples"))
    levels = tuple((level, spec.days(f"{level.value}_grade")) for level in _LEVELS)
    return EnzymeGrades(
        spec.id,
        spec.title,
        pack.name,
        multiples,
        spec.decimal(f"default_uln_{analyte.value}"),
        tuple(sorted(levels, key=lambda item: item[1])),
    )
