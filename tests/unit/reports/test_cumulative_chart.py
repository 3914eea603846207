"""The cumulative-dose chart: the engine's numbers, the plan's target, the ledger's projection."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from isocourse.adapters.reports import Chart, cumulative_chart
from isocourse.adapters.reports.charts.plot import PLOT
from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.products import Catalog
from isocourse.domain.record import CourseRecord
from isocourse.rules.engine import assess
from isocourse.rules.facts import CourseFacts
from tests.spec.harness import ev
from tests.unit.reports.support import (
    CATALOG,
    LIBRARY,
    day,
    level_values,
    parse_svg,
    plan,
    record,
    series_points,
)

ON = day("2026-03-01")
TWO_FILLS = [ev.dispense("2026-01-01", 40, 30), ev.dispense("2026-02-05", 60, 30)]


def engine_mg_per_kg(rec: CourseRecord, on: dt.date) -> str:
    assessment = assess(rec, on=on, library=LIBRARY, catalog=CATALOG)
    value = assessment.cumulative.mg_per_kg
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def given_rows(chart: Chart) -> list[tuple[str, ...]]:
    return [r for r in chart.rows if r[3] in ("given", "before the first dose")]


def test_the_last_point_is_the_cumulative_dose_the_engine_reports() -> None:
    rec = record(TWO_FILLS, start_date="2026-01-01")
    chart = cumulative_chart(rec, plan(), on=ON, catalog=CATALOG)
    assert given_rows(chart)[-1] == ("2026-03-01", "2700", engine_mg_per_kg(rec, ON), "given")
    assert engine_mg_per_kg(rec, ON) == "45.00"


def test_the_line_bends_only_where_a_dose_period_starts_or_ends() -> None:
    chart = cumulative_chart(record(TWO_FILLS), plan(), on=ON, catalog=CATALOG)
    assert given_rows(chart) == [
        ("2025-12-31", "0", "0.00", "before the first dose"),
        ("2026-01-30", "1200", "20.00", "given"),
        ("2026-02-04", "1200", "20.00", "given"),
        ("2026-03-01", "2700", "45.00", "given"),
    ]


def test_the_target_line_is_the_plans_target() -> None:
    chart = cumulative_chart(record(TWO_FILLS), plan(target="150"), on=ON, catalog=CATALOG)
    assert level_values(chart.svg) == {"target": ["target 150 mg/kg"]}
    assert "Target: 150 mg/kg (the course plan)" in chart.summary


def test_a_stored_plan_document_draws_the_same_chart_as_the_plan() -> None:
    rec, course_plan = record(TWO_FILLS), plan(target="150")
    from_plan = cumulative_chart(rec, course_plan, on=ON, catalog=CATALOG)
    from_json = cumulative_chart(rec, plan_to_json(course_plan), on=ON, catalog=CATALOG)
    assert from_json == from_plan


def test_without_a_plan_the_target_is_the_planners_default_and_the_chart_says_so() -> None:
    chart = cumulative_chart(record(TWO_FILLS), None, on=ON, catalog=CATALOG)
    assert level_values(chart.svg) == {"target": ["target 120 mg/kg"]}
    assert "the planner's default; no plan stored" in chart.summary


def test_an_unreadable_stored_plan_counts_as_no_plan() -> None:
    chart = cumulative_chart(
        record(TWO_FILLS), {"target_mg_per_kg": "many"}, on=ON, catalog=CATALOG
    )
    assert "no plan stored" in chart.summary


def test_reference_lines_are_drawn_only_when_the_caller_gives_them() -> None:
    chart = cumulative_chart(
        record(TWO_FILLS), plan(), on=ON, catalog=CATALOG, references=[Decimal(150), Decimal(120)]
    )
    assert level_values(chart.svg) == {"target": ["target 120 mg/kg"], "reference": ["150 mg/kg"]}


def test_the_projection_ends_on_the_day_the_ledger_projects_at_the_current_dose() -> None:
    rec = record(TWO_FILLS)
    chart = cumulative_chart(rec, plan(), on=ON, catalog=CATALOG)
    facts = CourseFacts(rec, ON)
    expected = facts.ledger.project(
        ON, target_mg_per_kg=Decimal(120), weight_kg=Decimal(60), daily_mg=Decimal(60)
    )
    assert chart.rows[-1] == (expected.end_date.isoformat(), "", "120.00", "projected end")
    assert "Projected at 60 mg a day" in chart.svg
    points = series_points(chart.svg, "projection")
    assert points[0] == series_points(chart.svg, "actual")[-1]


def test_an_empty_course_shows_the_plans_line_and_says_no_dose_is_recorded() -> None:
    course_plan = plan("2026-04-01")
    chart = cumulative_chart(record(), course_plan, on=ON, catalog=CATALOG)
    assert chart.rows == (
        ("2026-03-01", "0", "0.00", "before the first dose"),
        (course_plan.end_date.isoformat(), "", "120.00", "planned end"),
    )
    assert "No doses recorded yet" in chart.svg
    assert len(series_points(chart.svg, "planned")) == 2


def test_a_plan_whose_start_has_passed_with_no_dose_draws_no_planned_line() -> None:
    chart = cumulative_chart(record(), plan("2026-02-01"), on=ON, catalog=CATALOG)
    assert chart.rows == (("2026-03-01", "0", "0.00", "before the first dose"),)
    assert "The plan's start date, 2026-02-01, has passed." in chart.summary


def test_an_empty_course_without_a_plan_is_one_point_and_no_projection() -> None:
    chart = cumulative_chart(record(), None, on=ON, catalog=CATALOG)
    assert chart.rows == (("2026-03-01", "0", "0.00", "before the first dose"),)
    assert len(series_points(chart.svg, "actual")) == 1
    assert series_points(chart.svg, "projection") == []


def test_a_first_dispense_on_the_chart_date_is_a_single_day_of_dose() -> None:
    chart = cumulative_chart(
        record([ev.dispense("2026-03-01", 60, 30)]), plan(), on=ON, catalog=CATALOG
    )
    assert given_rows(chart) == [
        ("2026-02-28", "0", "0.00", "before the first dose"),
        ("2026-03-01", "60", "1.00", "given"),
    ]


def test_a_one_day_course_is_two_points_and_no_projection() -> None:
    rec = record([ev.dispense("2026-01-10", 40, 1), ev.end("2026-01-10")])
    chart = cumulative_chart(rec, plan(), on=ON, catalog=CATALOG)
    assert chart.rows == (
        ("2026-01-09", "0", "0.00", "before the first dose"),
        ("2026-01-10", "40", "0.67", "given"),
    )
    assert "The course ended on 2026-01-10." in chart.summary
    assert series_points(chart.svg, "projection") == []


def test_a_course_past_its_end_stops_at_its_last_dose() -> None:
    rec = record([*TWO_FILLS, ev.end("2026-02-20")])
    chart = cumulative_chart(rec, plan(), on=day("2028-06-01"), catalog=CATALOG)
    assert given_rows(chart)[-1] == ("2026-02-20", "2160", "36.00", "given")
    assert chart.rows[-1][3] == "given"  # no projection after the end
    xs = [x for x, _ in series_points(chart.svg, "actual")]
    assert xs[-1] > (PLOT.left + PLOT.right) / 2  # the axis ends near the end, not in 2028


def test_a_course_longer_than_a_year_is_drawn_with_monthly_or_yearly_ticks() -> None:
    fills = [
        ev.dispense((day("2026-01-01") + dt.timedelta(days=30 * n)).isoformat(), 20, 30)
        for n in range(15)
    ]
    on = day("2027-03-15")
    rec = record(fills)
    chart = cumulative_chart(rec, plan(mg_per_kg="0.5"), on=on, catalog=CATALOG)
    assert given_rows(chart)[-1][2] == engine_mg_per_kg(rec, on)
    # consecutive fills with no gap are one straight stretch
    assert len(given_rows(chart)) == 2
    labels = [t.text for t in parse_svg(chart.svg).iter() if t.text in ("Jan", "Jul", "2027")]
    assert labels


def test_values_above_the_target_stretch_the_axis_and_stay_inside_the_plot() -> None:
    fills = [ev.dispense("2025-01-01", 120, 366), ev.dispense("2026-01-02", 120, 60)]
    chart = cumulative_chart(record(fills), plan(), on=ON, catalog=CATALOG)
    points = series_points(chart.svg, "actual")
    assert all(PLOT.left <= x <= PLOT.right and PLOT.top <= y <= PLOT.bottom for x, y in points)
    assert "The target has been reached." in chart.summary
    assert series_points(chart.svg, "projection") == []


def test_a_micronized_course_counts_conventional_equivalent_mg_as_the_engine_does() -> None:
    rec = record([ev.dispense("2026-01-01", 32, 30)], product="us-absorica-ld")
    chart = cumulative_chart(rec, None, on=ON, catalog=CATALOG)
    assert "conventional-equivalent" in chart.summary
    assert given_rows(chart)[-1][2] == engine_mg_per_kg(rec, ON) == "20.00"


def test_a_plan_on_the_raw_basis_counts_raw_mg() -> None:
    rec = record([ev.dispense("2026-01-01", 32, 30)], product="us-absorica-ld")
    raw_plan = dataclasses.replace(
        plan(product="us-absorica-ld", mg_per_kg="0.5"), basis=CumulativeBasis.RAW
    )
    chart = cumulative_chart(rec, raw_plan, on=ON, catalog=CATALOG)
    assert given_rows(chart)[-1][2] == "16.00"


def test_a_dose_diary_is_counted_instead_of_dispenses_as_the_engine_counts_it() -> None:
    diary = [ev.of("dose", f"2026-01-{d:02d}", mg=40, taken=d % 3 != 0) for d in range(1, 21)]
    rec = record([ev.dispense("2026-01-01", 40, 30), *diary])
    on = day("2026-01-25")
    chart = cumulative_chart(rec, plan(), on=on, catalog=CATALOG)
    assert given_rows(chart)[-1][2] == engine_mg_per_kg(rec, on)
    assert "Projected at 40 mg a day" in chart.svg


@pytest.mark.parametrize(("daily_mg", "shown"), [(10, "0.12"), (30, "0.38")])
def test_mg_per_kg_is_rounded_to_a_hundredth_half_to_even(daily_mg: int, shown: str) -> None:
    rec = record([ev.dispense("2026-01-01", daily_mg, 1)], weight_kg=80.0)
    chart = cumulative_chart(rec, None, on=ON, catalog=CATALOG)
    assert given_rows(chart)[-1][2] == shown  # 0.125 → 0.12, 0.375 → 0.38
    assert "rounded to 0.01, half to even" in chart.summary


def test_events_after_the_chart_date_are_not_seen() -> None:
    rec = record([*TWO_FILLS, ev.dispense("2026-03-10", 60, 30)])
    assert cumulative_chart(rec, plan(), on=ON, catalog=CATALOG) == cumulative_chart(
        record(TWO_FILLS), plan(), on=ON, catalog=CATALOG
    )


def test_free_text_from_the_caller_and_the_catalog_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & <b onload=1>'
    product = dataclasses.replace(CATALOG.get("us-conventional"), name=hostile)
    catalog = Catalog({**CATALOG.products, "us-conventional": product})
    chart = cumulative_chart(record(TWO_FILLS), plan(), on=ON, catalog=catalog, title=hostile)
    assert "<script" not in chart.svg and "<b " not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    root = parse_svg(chart.svg)
    assert root[0].text == hostile  # <title>, as text
    assert hostile in (root[1].text or "")  # <desc>
