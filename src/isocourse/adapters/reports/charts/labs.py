"""Lab trend charts: one per analyte with results, values over time against the thresholds
of the rule packs in force (:mod:`.thresholds`), each line labelled with its level and unit.

Units, exactly:

* **Lipids** are drawn in mg/dL when every result is in mg/dL; otherwise in mmol/L, with
  mg/dL results and thresholds multiplied by the rule's ``mmol_factor`` (exact, the one
  direction the engine converts in). Without a factor (no rule for that lipid) only the
  results in the latest result's unit are drawn; the table lists the others as not plotted.
* **Liver enzymes** are drawn in U/L with lines at the multiples of the upper limit of
  normal where the levels start, when every result has the same ULN (the lab's own, else
  the pack's default); when the ULN differs between results, each result is drawn as a
  multiple of its own ULN and the lines are the multiples themselves.

Results are those the engine reads on ``on``: not superseded, dated on or before ``on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from isocourse.adapters.reports.charts.display import plain, ratio
from isocourse.adapters.reports.charts.model import (
    BLOCK,
    INFO,
    LAB_RESULTS,
    WARNING,
    Chart,
    Level,
    Series,
)
from isocourse.adapters.reports.charts.plot import Frame, render
from isocourse.adapters.reports.charts.scale import date_span
from isocourse.adapters.reports.charts.thresholds import EnzymeGrades, LabThresholds, LipidLimits
from isocourse.domain.record import CourseRecord, Lab, LabAnalyte, LabUnit
from isocourse.rules.facts import CourseFacts
from isocourse.rules.model import Severity

__all__ = ["ANALYTE_NAMES", "COLUMNS", "lab_charts"]

ANALYTE_NAMES = {
    LabAnalyte.ALT: "ALT",
    LabAnalyte.AST: "AST",
    LabAnalyte.TRIGLYCERIDES: "Triglycerides",
    LabAnalyte.TOTAL_CHOLESTEROL: "Total cholesterol",
    LabAnalyte.LDL: "LDL cholesterol",
    LabAnalyte.HDL: "HDL cholesterol",
}
COLUMNS = ("Date", "Result", "Plotted", "Upper limit of normal")
_STYLES = {
    Severity.INFO: INFO,
    Severity.WARNING: WARNING,
    Severity.BLOCK: BLOCK,
    Severity.URGENT: BLOCK,
}
_TIMES_ULN = "× ULN"


@dataclass(frozen=True, slots=True)
class _Drawn:
    """One analyte ready to draw: values in ``unit``, lines, table rows, words."""

    unit: str
    points: tuple[tuple[dt.date, Fraction], ...]
    levels: tuple[Level, ...]
    rows: tuple[tuple[str, ...], ...]
    about: str


def lab_charts(
    record: CourseRecord, thresholds: LabThresholds, *, on: dt.date, id_prefix: str = "lab"
) -> list[Chart]:
    """A chart for each analyte with a result on or before ``on`` (in the order of
    :class:`~isocourse.domain.record.LabAnalyte`); ids are ``{id_prefix}-{analyte}``."""
    labs = CourseFacts(record, on).labs
    charts = []
    for analyte in LabAnalyte:
        results = [lab for lab in labs if lab.analyte is analyte]
        if results:
            charts.append(_chart(analyte, results, thresholds, f"{id_prefix}-{analyte.value}"))
    return charts


def _chart(
    analyte: LabAnalyte, results: list[Lab], thresholds: LabThresholds, chart_id: str
) -> Chart:
    name = ANALYTE_NAMES[analyte]
    if analyte.is_enzyme:
        drawn = _enzyme(results, thresholds.enzymes.get(analyte))
    else:
        drawn = _lipid(results, thresholds.lipids.get(analyte))
    latest = results[-1]
    words = [
        f"{name} results from {results[0].date.isoformat()} to "
        f"{latest.date.isoformat()}, drawn in {_unit_words(drawn.unit)}.",
        f"Latest: {plain(latest.value)} {latest.unit.value} on {latest.date.isoformat()}.",
    ]
    words.append(
        drawn.about
        or f"No threshold for {name} in the rule packs in force "
        f"({', '.join(thresholds.packs) or 'none'}): results only."
    )
    desc = " ".join(words)
    first, last = (
        date_span((day for day, _ in drawn.points), margin=True)
        if drawn.points
        else date_span((r.date for r in results), margin=True)
    )
    y_title = f"{name} ({'× upper limit of normal' if drawn.unit == _TIMES_ULN else drawn.unit})"
    series = [Series(f"{name} results", LAB_RESULTS, drawn.points)] if drawn.points else []
    svg = render(
        chart_id=chart_id,
        title=name,
        desc=desc,
        frame=Frame(
            "Date of sample",
            y_title,
            first,
            last,
            margin_note="" if drawn.levels else "No threshold line",
        ),
        series=series,
        levels=drawn.levels,
    )
    return Chart(chart_id, name, desc, COLUMNS, drawn.rows, svg)


def _unit_words(unit: str) -> str:
    return "multiples of the upper limit of normal" if unit == _TIMES_ULN else unit


def _level(severity: Severity, value: Decimal, text: str) -> Level:
    return Level(Fraction(value), f"{severity.value} {text}", _STYLES[severity])


def _lipid(results: list[Lab], limits: LipidLimits | None) -> _Drawn:
    mg_dl = all(r.unit is LabUnit.MG_PER_DL for r in results)
    if mg_dl or limits is None:
        unit = LabUnit.MG_PER_DL if mg_dl else results[-1].unit
        factor = Decimal(1)
    else:
        unit, factor = LabUnit.MMOL_PER_L, limits.mmol_factor
    points: list[tuple[dt.date, Fraction]] = []
    rows: list[tuple[str, ...]] = []
    for lab in results:
        result = f"{plain(lab.value)} {lab.unit.value}"
        if lab.unit is unit or limits is not None:
            value = lab.value * factor if lab.unit is LabUnit.MG_PER_DL else lab.value
            points.append((lab.date, Fraction(value)))
            rows.append((lab.date.isoformat(), result, f"{plain(value)} {unit.value}", ""))
        else:
            rows.append(
                (
                    lab.date.isoformat(),
                    result,
                    "not plotted (another unit; no conversion factor in the rule packs)",
                    "",
                )
            )
    if limits is None:
        return _Drawn(unit.value, tuple(points), (), tuple(rows), "")
    scale = Decimal(1) if unit is LabUnit.MG_PER_DL else limits.mmol_factor
    levels = tuple(
        _level(severity, limit * scale, f"≥ {plain(limit * scale)} {unit.value}")
        for severity, limit in limits.levels
    )
    about = (
        f"Threshold lines from rule {limits.rule_id} ({limits.title}; {limits.pack}): "
        + "; ".join(
            f"{severity.value} at or above {plain(limit)} mg/dL"
            + ("" if unit is LabUnit.MG_PER_DL else f" = {plain(limit * scale)} mmol/L")
            for severity, limit in limits.levels
        )
        + "."
    )
    return _Drawn(unit.value, tuple(points), levels, tuple(rows), about)


def _enzyme(results: list[Lab], grades: EnzymeGrades | None) -> _Drawn:
    default = grades.default_uln if grades is not None else None
    ulns = {lab.uln if lab.uln is not None else default for lab in results}
    uln = next(iter(ulns)) if len(ulns) == 1 else None
    by_multiple = grades is not None and uln is None
    points: list[tuple[dt.date, Fraction]] = []
    rows: list[tuple[str, ...]] = []
    for lab in results:
        own = lab.uln if lab.uln is not None else default
        shown = (
            ""
            if own is None
            else f"{plain(own)} U/L" + (" (the rule pack's default)" if lab.uln is None else "")
        )
        if by_multiple and own is not None:
            times = Fraction(lab.value) / Fraction(own)
            points.append((lab.date, times))
            plotted = f"{ratio(times)} {_TIMES_ULN}"
        else:
            points.append((lab.date, Fraction(lab.value)))
            plotted = f"{plain(lab.value)} U/L"
        rows.append((lab.date.isoformat(), f"{plain(lab.value)} U/L", plotted, shown))
    unit = _TIMES_ULN if by_multiple else LabUnit.U_PER_L.value
    if grades is None:
        return _Drawn(unit, tuple(points), (), tuple(rows), "")
    levels = []
    for severity, grade in grades.levels:
        multiple = grades.multiple_for(grade)
        if multiple is None:
            continue
        if uln is not None:
            levels.append(
                _level(
                    severity,
                    multiple * uln,
                    f"> {plain(multiple * uln)} U/L ({plain(multiple)}×ULN)",
                )
            )
        else:
            levels.append(_level(severity, multiple, f"> {plain(multiple)}×ULN"))
    about = (
        f"Threshold lines from rule {grades.rule_id} ({grades.title}; {grades.pack}): "
        + "; ".join(
            f"{severity.value} from CTCAE grade {grade}, above {plain(m)}×ULN"
            for severity, grade in grades.levels
            if (m := grades.multiple_for(grade)) is not None
        )
        + f". ULN: the lab's own where given, else {plain(grades.default_uln)} U/L "
        "(the rule pack's default)."
    )
    return _Drawn(unit, tuple(points), tuple(levels), tuple(rows), about)
