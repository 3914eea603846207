"""Lab trend charts: thresholds read from the rule packs, units exact, one chart per analyte."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.adapters.reports import Chart, lab_charts, lab_thresholds
from isocourse.adapters.reports.charts.labs import COLUMNS
from isocourse.adapters.reports.charts.plot import PLOT
from isocourse.adapters.reports.charts.thresholds import LabThresholds
from isocourse.domain.record import CourseRecord, LabAnalyte
from isocourse.rules.engine import MONITORING, assess
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import Severity
from tests.spec.harness import ev
from tests.unit.reports.support import (
    LIBRARY,
    day,
    level_values,
    parse_svg,
    record,
    series_points,
)
from tests.unit.rules.monitoring_support import library as monitoring_library

ON = day("2026-03-02")


def charts_of(rec: CourseRecord, lib: RuleLibrary = LIBRARY, on: dt.date = ON) -> dict[str, Chart]:
    found = lab_charts(rec, lab_thresholds(rec, lib, on=on), on=on)
    return {chart.chart_id: chart for chart in found}


def test_thresholds_are_the_parameters_of_the_rules_in_force() -> None:
    rec = record()
    thresholds = lab_thresholds(rec, LIBRARY, on=ON)
    pack = LIBRARY.in_force(MONITORING, ON)
    tg, liver = pack.rule("monitoring.triglycerides"), pack.rule("monitoring.liver-enzymes")
    assert tg is not None and liver is not None
    lipid = thresholds.lipids[LabAnalyte.TRIGLYCERIDES]
    assert lipid.levels == (
        (Severity.WARNING, tg.decimal("warning_mg_dl")),
        (Severity.BLOCK, tg.decimal("block_mg_dl")),
    )
    assert lipid.mmol_factor == tg.decimal("mmol_factor")
    alt = thresholds.enzymes[LabAnalyte.ALT]
    assert alt.default_uln == liver.decimal("default_uln_alt")
    assert alt.levels == (
        (Severity.INFO, liver.days("info_grade")),
        (Severity.WARNING, liver.days("warning_grade")),
        (Severity.BLOCK, liver.days("block_grade")),
    )
    assert LabAnalyte.LDL not in thresholds.lipids
    assert pack.name in thresholds.packs


def test_a_clinic_pack_that_moves_a_threshold_moves_the_line() -> None:
    lib = monitoring_library(
        '[[overrides]]\nrule = "monitoring.triglycerides"\nparams.warning_mg_dl = 400\n'
    )
    rec = record([ev.lab("2026-02-01", "triglycerides", 450, "mg/dL")], jurisdiction="eu-ppp")
    chart = charts_of(rec, lib)["lab-triglycerides"]
    assert level_values(chart.svg)["threshold-warning"] == ["warning ≥ 400 mg/dL"]


def test_triglycerides_in_mg_dl_are_drawn_in_mg_dl_against_the_packs_lines() -> None:
    rec = record(
        [
            ev.lab("2026-01-01", "triglycerides", 150, "mg/dL"),
            ev.lab("2026-02-01", "triglycerides", 520, "mg/dL"),
        ]
    )
    chart = charts_of(rec)["lab-triglycerides"]
    assert level_values(chart.svg) == {
        "threshold-block": ["block ≥ 800 mg/dL"],
        "threshold-warning": ["warning ≥ 500 mg/dL"],
    }
    assert chart.columns == COLUMNS
    assert chart.rows == (
        ("2026-01-01", "150 mg/dL", "150 mg/dL", ""),
        ("2026-02-01", "520 mg/dL", "520 mg/dL", ""),
    )


def test_mixed_lipid_units_are_drawn_in_mmol_per_l_converted_exactly() -> None:
    rec = record(
        [
            ev.lab("2026-01-01", "triglycerides", 520, "mg/dL"),
            ev.lab("2026-02-01", "triglycerides", 5.2, "mmol/L"),
        ]
    )
    chart = charts_of(rec)["lab-triglycerides"]
    assert [r[2] for r in chart.rows] == ["5.876 mmol/L", "5.2 mmol/L"]
    assert level_values(chart.svg)["threshold-warning"] == ["warning ≥ 5.65 mmol/L"]
    assert "500 mg/dL = 5.65 mmol/L" in chart.summary


def test_a_lab_with_no_threshold_is_drawn_without_lines_and_says_so() -> None:
    rec = record([ev.lab("2026-02-01", "ldl", 130, "mg/dL")])
    chart = charts_of(rec)["lab-ldl"]
    assert level_values(chart.svg) == {}
    assert "No threshold for LDL cholesterol" in chart.summary
    assert "No threshold line" in chart.svg
    assert len(series_points(chart.svg, "results")) == 1


def test_a_lipid_without_a_factor_draws_only_the_latest_unit_and_lists_the_rest() -> None:
    rec = record(
        [ev.lab("2026-01-01", "hdl", 50, "mg/dL"), ev.lab("2026-02-01", "hdl", 1.2, "mmol/L")]
    )
    chart = charts_of(rec)["lab-hdl"]
    assert chart.rows[0][2].startswith("not plotted")
    assert chart.rows[1][2] == "1.2 mmol/L"
    assert len(series_points(chart.svg, "results")) == 1


def test_an_enzyme_with_one_upper_limit_is_drawn_in_u_per_l_at_the_grade_multiples() -> None:
    rec = record([ev.lab("2026-01-01", "alt", 30, "U/L"), ev.lab("2026-02-01", "alt", 130, "U/L")])
    chart = charts_of(rec)["lab-alt"]
    assert level_values(chart.svg) == {
        "threshold-block": ["block > 200 U/L (5×ULN)"],
        "threshold-warning": ["warning > 120 U/L (3×ULN)"],
        "threshold-info": ["info > 40 U/L (1×ULN)"],
    }
    assert chart.rows[1] == ("2026-02-01", "130 U/L", "130 U/L", "40 U/L (the rule pack's default)")


def test_an_enzyme_whose_upper_limit_changes_is_drawn_as_multiples_of_each_results_own() -> None:
    rec = record(
        [
            ev.lab("2026-01-01", "ast", 30, "U/L", uln=35),
            ev.lab("2026-02-01", "ast", 135, "U/L", uln=45),
        ]
    )
    chart = charts_of(rec)["lab-ast"]
    assert [r[2] for r in chart.rows] == ["0.86 × ULN", "3 × ULN"]
    assert level_values(chart.svg)["threshold-warning"] == ["warning > 3×ULN"]


def test_a_value_far_above_every_threshold_stretches_the_axis_to_hold_it() -> None:
    rec = record(
        [
            ev.lab("2026-01-01", "triglycerides", 150, "mg/dL"),
            ev.lab("2026-02-01", "triglycerides", 9000, "mg/dL"),
        ]
    )
    chart = charts_of(rec)["lab-triglycerides"]
    points = series_points(chart.svg, "results")
    assert all(PLOT.top <= y <= PLOT.bottom for _, y in points)
    assert min(y for _, y in points) >= PLOT.top


def test_charts_come_in_analyte_order_with_ids_a_page_can_use() -> None:
    rec = record(
        [
            ev.lab("2026-01-01", "hdl", 50, "mg/dL"),
            ev.lab("2026-01-01", "alt", 30, "U/L"),
            ev.lab("2026-01-01", "triglycerides", 100, "mg/dL"),
        ]
    )
    found = lab_charts(rec, LabThresholds(), on=ON, id_prefix="p1-lab")
    assert [c.chart_id for c in found] == ["p1-lab-alt", "p1-lab-triglycerides", "p1-lab-hdl"]


def test_superseded_results_and_results_after_the_date_are_left_out() -> None:
    rec = record(
        [
            ev.of("lab", "2026-01-01", id="a", analyte="alt", value=300, unit="U/L"),
            ev.of(
                "lab",
                "2026-01-01",
                supersedes="a",
                reason="typo",
                analyte="alt",
                value=30,
                unit="U/L",
            ),
            ev.lab("2026-04-01", "alt", 90, "U/L"),
        ]
    )
    chart = charts_of(rec)["lab-alt"]
    assert [r[1] for r in chart.rows] == ["30 U/L"]


def test_no_results_no_charts() -> None:
    assert lab_charts(record(), lab_thresholds(record(), LIBRARY, on=ON), on=ON) == []


def test_a_rule_title_from_a_clinic_pack_is_escaped() -> None:
    lib = monitoring_library(
        '[[overrides]]\nrule = "monitoring.triglycerides"\ntitle = "<script>alert(1)</script>"\n'
    )
    rec = record([ev.lab("2026-02-01", "triglycerides", 450, "mg/dL")], jurisdiction="eu-ppp")
    chart = charts_of(rec, lib)["lab-triglycerides"]
    assert "<script" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert "<script>alert(1)</script>" in (parse_svg(chart.svg)[1].text or "")


def _reached(value: Decimal, thresholds: LabThresholds) -> str | None:
    lipid = thresholds.lipids[LabAnalyte.TRIGLYCERIDES]
    hit = [s for s, limit in lipid.levels if value >= limit]
    return hit[-1].value if hit else None


@given(st.integers(min_value=0, max_value=2000))
def test_the_level_a_triglyceride_reaches_on_the_chart_is_the_engines_finding(mg_dl: int) -> None:
    rec = record(
        [ev.lab("2026-02-01", "triglycerides", mg_dl, "mg/dL")],
        start_date="2026-01-01",
        can_get_pregnant=False,
        jurisdiction="eu-ppp",
    )
    thresholds = lab_thresholds(rec, LIBRARY, on=ON)
    engine = {
        f.severity.value
        for f in assess(rec, on=ON, library=LIBRARY).findings
        if f.rule_id == "monitoring.triglycerides"
    }
    expected = _reached(Decimal(mg_dl), thresholds)
    assert engine == ({expected} if expected else set())


@given(st.integers(min_value=1, max_value=1000), st.integers(min_value=10, max_value=80))
def test_the_level_an_alt_reaches_on_the_chart_is_the_engines_finding(value: int, uln: int) -> None:
    rec = record(
        [ev.lab("2026-02-01", "alt", value, "U/L", uln=uln)],
        start_date="2026-01-01",
        can_get_pregnant=False,
        jurisdiction="eu-ppp",
    )
    grades = lab_thresholds(rec, LIBRARY, on=ON).enzymes[LabAnalyte.ALT]
    lines = [(s, m * uln) for s, g in grades.levels if (m := grades.multiple_for(g)) is not None]
    hit = [s.value for s, line in lines if value > line]
    engine = {
        f.severity.value
        for f in assess(rec, on=ON, library=LIBRARY).findings
        if f.rule_id == "monitoring.liver-enzymes"
    }
    assert engine == ({hit[-1]} if hit else set())


@pytest.mark.parametrize("analyte", ["alt", "triglycerides", "ldl"])
def test_a_single_result_is_one_marker_inside_the_plot(analyte: str) -> None:
    unit = "U/L" if analyte == "alt" else "mg/dL"
    chart = charts_of(record([ev.lab("2026-02-01", analyte, 100, unit)]))[f"lab-{analyte}"]
    ((x, y),) = series_points(chart.svg, "results")
    assert PLOT.left < x < PLOT.right and PLOT.top <= y <= PLOT.bottom
