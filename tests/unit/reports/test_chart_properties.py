"""Properties of every chart, over generated courses: well-formed, inside the plot, in order,
and equal to the engine's numbers."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from isocourse.adapters.reports import cumulative_chart, lab_charts, lab_thresholds
from isocourse.adapters.reports.charts.display import mg_per_kg, plain
from isocourse.adapters.reports.charts.goal import PlanInput
from isocourse.adapters.reports.charts.plot import PLOT
from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import Plan, default_basis
from isocourse.rules.engine import assess
from isocourse.rules.facts import CourseFacts
from tests.spec.harness import ev
from tests.unit.reports.support import CATALOG, LIBRARY, parse_svg, plan, record, series_points

START = dt.date(2026, 1, 1)
PRODUCTS = ["us-conventional", "us-absorica", "us-absorica-ld", "uk-generic"]


@st.composite
def courses(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str, dt.date]:
    """Dispenses (with gaps, overlaps and weight changes), maybe an end, and a chart date."""
    events: list[dict[str, Any]] = []
    offset = 0
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        offset += draw(st.integers(min_value=0, max_value=60))
        when = (START + dt.timedelta(days=offset)).isoformat()
        events.append(ev.dispense(when, draw(st.integers(1, 200)), draw(st.integers(1, 90))))
        if draw(st.booleans()):
            events.append(ev.of("weight", when, kg=draw(st.integers(40, 120))))
    if draw(st.booleans()):  # a dose diary, which the engine counts instead of dispenses
        for n in sorted(draw(st.lists(st.integers(0, 420), max_size=40))):
            when = (START + dt.timedelta(days=n)).isoformat()
            events.append(
                ev.of("dose", when, mg=draw(st.integers(1, 80)), taken=draw(st.booleans()))
            )
    ends = draw(st.booleans())
    if events and ends:
        offset += draw(st.integers(min_value=0, max_value=40))
        events.append(ev.end((START + dt.timedelta(days=offset)).isoformat()))
    on = START + dt.timedelta(days=draw(st.integers(min_value=0, max_value=900)))
    return events, draw(st.sampled_from(PRODUCTS)), on


def _basis(course_plan: PlanInput, product: str) -> CumulativeBasis:
    return (
        course_plan.basis
        if isinstance(course_plan, Plan)
        else (
            CumulativeBasis(course_plan["cumulative_basis"])
            if course_plan is not None
            else default_basis(CATALOG.get(product))
        )
    )


def _in_plot(points: list[tuple[Any, Any]]) -> bool:
    return all(PLOT.left <= x <= PLOT.right and PLOT.top <= y <= PLOT.bottom for x, y in points)


@given(courses(), st.sampled_from([None, "plan", "json"]))
def test_the_cumulative_chart_is_well_formed_in_the_plot_in_date_order_and_the_engines(
    course: tuple[list[dict[str, Any]], str, dt.date], plan_kind: str | None
) -> None:
    events, product, on = course
    rec = record(events, product=product)
    course_plan: PlanInput = plan(product=product, mg_per_kg="0.5") if plan_kind else None
    if isinstance(course_plan, Plan) and plan_kind == "json":
        course_plan = plan_to_json(course_plan)
    chart = cumulative_chart(rec, course_plan, on=on, catalog=CATALOG)
    parse_svg(chart.svg)
    actual = series_points(chart.svg, "actual")
    assert actual and _in_plot(actual)
    xs = [x for x, _ in actual]
    assert xs == sorted(set(xs))  # strictly increasing: one point per date, in date order
    ys = [y for _, y in actual]
    assert ys == sorted(ys, reverse=True)  # the running total never falls
    for css in ("projection", "planned"):
        assert _in_plot(series_points(chart.svg, css))
    dates = [row[0] for row in chart.rows]
    assert dates == sorted(dates)
    ledger = CourseFacts(rec, on, CATALOG.get(product), _basis(course_plan, product)).ledger
    for date, mg, per_kg, _ in (row for row in chart.rows if row[3] != "projected end" and row[1]):
        totals = ledger.totals(dt.date.fromisoformat(date))
        assert (mg, per_kg) == (plain(totals.mg), mg_per_kg(totals.mg_per_kg))
    if plan_kind is None:  # on the default basis, the chart's total is the assessment's
        expected = assess(rec, on=on, library=LIBRARY, catalog=CATALOG).cumulative.mg_per_kg
        given_rows = [row for row in chart.rows if row[3] != "projected end"]
        assert given_rows[-1][2] == str(expected.quantize(Decimal("0.01"), ROUND_HALF_EVEN))


lab_values = st.decimals(
    min_value=0, max_value=1_000_000, places=3, allow_nan=False, allow_infinity=False
)


@st.composite
def lab_series(draw: st.DrawFn) -> list[dict[str, Any]]:
    events = []
    for n in sorted(draw(st.lists(st.integers(0, 800), min_size=1, max_size=8))):
        analyte = draw(
            st.sampled_from(["alt", "ast", "triglycerides", "total-cholesterol", "ldl", "hdl"])
        )
        unit = "U/L" if analyte in ("alt", "ast") else draw(st.sampled_from(["mg/dL", "mmol/L"]))
        uln = draw(st.none() | st.integers(1, 200)) if unit == "U/L" else None
        events.append(
            ev.lab(
                (START + dt.timedelta(days=n)).isoformat(),
                analyte,
                float(draw(lab_values)),
                unit,
                uln,
            )
        )
    return events


@given(lab_series())
def test_every_lab_chart_is_well_formed_inside_the_plot_and_in_date_order(
    events: list[dict[str, Any]],
) -> None:
    rec = record(events)
    on = START + dt.timedelta(days=900)
    charts = lab_charts(rec, lab_thresholds(rec, LIBRARY, on=on), on=on)
    assert len(charts) == len({e["analyte"] for e in events})
    for chart in charts:
        parse_svg(chart.svg)
        points = series_points(chart.svg, "results")
        assert _in_plot(points)
        xs = [x for x, _ in points]
        assert xs == sorted(xs)
        assert [row[0] for row in chart.rows] == sorted(row[0] for row in chart.rows)


@given(st.text(max_size=60))
def test_any_title_gives_svg_that_parses_and_keeps_the_title_as_text(title: str) -> None:
    chart = cumulative_chart(
        record([ev.dispense("2026-01-01")]), None, on=START, catalog=CATALOG, title=title
    )
    root = parse_svg(chart.svg)
    lines = title.replace("\r\n", "\n").replace("\r", "\n")
    assert (root[0].text or "") == "".join(
        c
        if c in "\t\n" or (c >= " " and not 0xD800 <= ord(c) <= 0xDFFF and c not in "\ufffe\uffff")
        else "\ufffd"
        for c in lines
    )
