"""Axes: exact date and value mapping, nice ticks, coordinates rounded once."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.adapters.reports.charts.scale import (
    DateScale,
    coord,
    date_span,
    date_ticks,
    decimal_text,
    value_scale,
)
from tests.unit.reports.support import day

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


def test_a_date_maps_to_its_exact_share_of_the_plot_width() -> None:
    scale = DateScale(day("2026-01-01"), day("2026-01-04"), 0, 100)
    assert scale.x(day("2026-01-02")) == Fraction(100, 3)
    assert coord(scale.x(day("2026-01-02"))) == "33.33"


@pytest.mark.parametrize(
    ("maximum", "top", "step"),
    [
        (120, 150, 50),
        (45, 50, 10),
        (0.5, Fraction(1, 2), Fraction(1, 10)),
        (9000, 10000, 2000),
        (1, 1, Fraction(1, 5)),
        (0, 1, Fraction(1, 5)),
    ],
)
def test_value_axes_end_on_a_nice_number_at_or_above_the_largest_value(
    maximum: float, top: Fraction, step: Fraction
) -> None:
    scale = value_scale(Fraction(str(maximum)), top=0, bottom=100)
    assert (scale.top_value, scale.step) == (top, step)


@given(st.fractions(min_value=0, max_value=10**7, max_denominator=10**4))
def test_the_value_axis_always_holds_the_largest_value_in_at_most_ten_steps(
    maximum: Fraction,
) -> None:
    scale = value_scale(maximum, top=20, bottom=300)
    assert scale.top_value >= maximum
    assert 1 <= len(scale.ticks()) - 1 <= 10
    assert 20 <= scale.y(maximum) <= 300
    assert all(decimal_text(t) for t in scale.ticks())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 200), "0"),
        (Fraction(3, 200), "0.02"),
        (Fraction(1, 3), "0.33"),
        (Fraction(-1, 3), "-0.33"),
        (Fraction(100), "100"),
        (Fraction(205, 2), "102.5"),
    ],
)
def test_coordinates_are_rounded_once_to_a_hundredth_half_to_even(
    value: Fraction, text: str
) -> None:
    assert coord(value) == text


def test_a_single_day_gets_a_day_of_axis_and_a_margin_on_each_side() -> None:
    assert date_span([day("2026-01-10")], margin=False) == (day("2026-01-10"), day("2026-01-11"))
    assert date_span([day("2026-01-10")], margin=True) == (day("2026-01-09"), day("2026-01-11"))


def test_short_spans_tick_on_days_and_show_the_year_once() -> None:
    ticks = date_ticks(day("2025-12-30"), day("2026-01-02"))
    assert [(t.label, t.sublabel) for t in ticks] == [
        ("30 Dec", "2025"),
        ("31 Dec", ""),
        ("1 Jan", "2026"),
        ("2 Jan", ""),
    ]


def test_a_year_and_a_half_ticks_on_calendar_months() -> None:
    ticks = date_ticks(day("2026-01-01"), day("2027-06-30"))
    assert [t.label for t in ticks] == ["Jan", "Apr", "Jul", "Oct", "Jan", "Apr"]
    assert [t.sublabel for t in ticks] == ["2026", "", "", "", "2027", ""]


def test_decades_tick_on_years() -> None:
    ticks = date_ticks(day("2000-06-01"), day("2030-01-01"))
    assert [t.label for t in ticks] == ["2005", "2010", "2015", "2020", "2025", "2030"]


@given(dates, dates)
def test_ticks_are_few_in_range_and_in_order_for_any_span(a: dt.date, b: dt.date) -> None:
    first, last = date_span([a, b], margin=False)
    ticks = date_ticks(first, last)
    assert 1 <= len(ticks) <= 7
    assert all(first <= t.day <= last for t in ticks)
    assert [t.day for t in ticks] == sorted({t.day for t in ticks})
