"""Lab results: lipid thresholds and CTCAE grading of liver enzymes.

Only the latest result of each analyte counts (dated on or before the assessment date, not
superseded): a later normal result clears an earlier high one. A normal result raises no
finding, so the list stays short enough to be read (alert fatigue is a known problem). The
arithmetic is in :mod:`isocourse.rules.kinds.lab_units`.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal

from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import Lab, LabAnalyte, LabUnit
from isocourse.rules.facts import CourseFacts
from isocourse.rules.kinds.lab_schedule import lab_analytes
from isocourse.rules.kinds.lab_units import (
    as_mmol_per_l,
    ctcae_grade,
    mg_per_dl_for_display,
    plain,
)
from isocourse.rules.model import RuleSpec, Severity
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__ = ["latest_result", "lipid_threshold", "liver_enzymes"]

_NUMBER = (int, float)
_GRADE_SEVERITIES = (("block_grade", Severity.BLOCK), ("warning_grade", Severity.WARNING),
                     ("info_grade", Severity.INFO))


def latest_result(facts: CourseFacts, analyte: LabAnalyte) -> Lab | None:
    """The latest result for ``analyte`` (the record keeps events in date order)."""
    return facts.last(Lab, where=lambda lab: lab.analyte is analyte)


def _recheck(out: ResultBuilder, spec: RuleSpec, lab: Lab) -> None:
    out.needs("lab", lab.date + dt.timedelta(days=spec.days("recheck_days")),
              f"recheck {lab.analyte.value}", (lab.analyte.value,))


def _shown(lab: Lab, mmol: Decimal, factor: Decimal) -> str:
    if lab.unit is LabUnit.MG_PER_DL:
        return f"{plain(lab.value)} mg/dL ({plain(mmol)} mmol/L)"
    return f"{plain(lab.value)} mmol/L (about {mg_per_dl_for_display(mmol, factor)} mg/dL)"


_LIPID_LEVELS = (("block", Severity.BLOCK), ("warning", Severity.WARNING),
                 ("info", Severity.INFO))


@rule_kind("lipid-threshold", params={
    "analyte": str, "mmol_factor": _NUMBER, "recheck_days": int,
    **{f"{level}_{suffix}": kind for level, _ in _LIPID_LEVELS
       for suffix, kind in (("mg_dl", _NUMBER), ("advice", str))}},
    optional=tuple(f"{level}_{suffix}" for level, _ in _LIPID_LEVELS
                   for suffix in ("mg_dl", "advice")))
def lipid_threshold(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The latest result of a lipid ``analyte`` against thresholds written in mg/dL.

    At or above ``block_mg_dl``: block, with ``block_advice`` (triglycerides: hold
    isotretinoin, pancreatitis risk). At or above ``warning_mg_dl``: warning, with
    ``warning_advice`` (triglycerides: reduce the dose and recheck). At or above
    ``info_mg_dl``: information, with ``info_advice``. Any level may be left out; the
    highest level reached is the one reported. Results in mmol/L are compared with the
    thresholds × ``mmol_factor`` (the one conversion direction of clinical.md §5.3: TG ×
    0.0113, cholesterol × 0.0259), and mg/dL results × the same factor, so the edges are
    exact in both units: TG 520 mg/dL = 5.876 mmol/L is a warning, not a block. A warning or
    block asks for a recheck ``recheck_days`` after the result.
    """
    try:
        analyte = LabAnalyte(spec.value("analyte"))
    except ValueError:
        raise RuleDataError(f"rule {spec.id}: parameter 'analyte' is not an analyte") from None
    lab = latest_result(facts, analyte)
    if lab is None:
        return
    factor = spec.decimal("mmol_factor")
    mmol = as_mmol_per_l(lab.value, lab.unit, factor)
    for level, severity in _LIPID_LEVELS:
        if f"{level}_mg_dl" not in spec.params:
            continue
        limit = spec.decimal(f"{level}_mg_dl")
        if mmol >= limit * factor:
            out.add(severity, f"{analyte.value} {_shown(lab, mmol, factor)} on "
                              f"{lab.date.isoformat()} is at or above {plain(limit)} mg/dL "
                              f"({plain(limit * factor)} mmol/L): "
                              f"{spec.value(f'{level}_advice')}")
            if severity is not Severity.INFO:
                _recheck(out, spec, lab)
            return


def _multiples(spec: RuleSpec) -> list[Decimal]:
    raw = spec.value("grade_multiples")
    if not all(isinstance(m, _NUMBER) and not isinstance(m, bool) for m in raw):
        raise RuleDataError(f"rule {spec.id}: parameter 'grade_multiples' must list numbers")
    multiples = [Decimal(str(m)) for m in raw]
    if not multiples or multiples != sorted(multiples) or multiples[0] <= 0:
        raise RuleDataError(f"rule {spec.id}: parameter 'grade_multiples' must be positive "
                            "and ascending")
    return multiples


@rule_kind("liver-enzymes", params={
    "analytes": list, "grade_multiples": list, "default_uln_alt": _NUMBER,
    "default_uln_ast": _NUMBER, "info_grade": int, "warning_grade": int, "block_grade": int,
    "info_advice": str, "warning_advice": str, "block_advice": str, "recheck_days": int})
def liver_enzymes(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The latest ALT and AST (``analytes``), graded by CTCAE v5 as multiples of the upper
    limit of normal (``grade_multiples`` 1, 3, 5, 20: grade 1 >ULN–3×, grade 2 >3–5×,
    grade 3 >5–20×, grade 4 >20×; each range open at its lower end, so exactly 3.0× is
    grade 1 and exactly 5.0× grade 2).

    The lab's own ``uln`` is used; without one, ``default_uln_alt`` / ``default_uln_ast``
    (a documented default, named in the message). Grade ``block_grade`` or higher blocks
    (hold isotretinoin), ``warning_grade`` or higher warns (recheck, consider reducing the
    dose), ``info_grade`` informs; a warning or block asks for a recheck ``recheck_days``
    after the result. CTCAE grades relative to baseline when the baseline is abnormal; this
    rule grades against the ULN only, and says so in its source notes.
    """
    multiples = _multiples(spec)
    for analyte in lab_analytes(spec):
        lab = latest_result(facts, analyte)
        if lab is None:
            continue
        default = lab.uln is None
        uln = spec.decimal(f"default_uln_{analyte.value}") if lab.uln is None else lab.uln
        if uln <= 0:
            raise RuleDataError(f"rule {spec.id}: the default ULN of {analyte.value} must be "
                                "positive")
        grade = ctcae_grade(lab.value, uln, multiples)
        severity = next((s for name, s in _GRADE_SEVERITIES if grade >= spec.days(name)), None)
        if grade == 0 or severity is None:
            continue
        # Shown rounded up, so a value just above 3×ULN never reads "3×" beside grade 2.
        ratio = plain((lab.value / uln).quantize(Decimal("0.01"), rounding=ROUND_CEILING))
        where = f"{'the default ' if default else ''}ULN {plain(uln)} U/L"
        advice = spec.value(f"{severity.value}_advice")
        out.add(severity, f"{analyte.value.upper()} {plain(lab.value)} U/L on "
                          f"{lab.date.isoformat()} is {ratio}× the upper limit of normal "
                          f"({where}): CTCAE grade {grade}; {advice}")
        if severity is not Severity.INFO:
            _recheck(out, spec, lab)
