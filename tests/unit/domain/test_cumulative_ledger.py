"""The cumulative-dose ledger: mg and mg/kg to a date, what remains, and projections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.cumulative import (
    CumulativeBasis,
    CumulativeLedger,
    DosePeriod,
    DoseSchedule,
    Segment,
    ledger_from_daily_doses,
)
from isocourse.domain.errors import InvalidInput

D = Decimal
START = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n - 1)


def test_twenty_mg_a_day_for_26_weeks_at_65_kg_is_56_mg_per_kg() -> None:
    ledger = CumulativeLedger((DosePeriod(START, 182, D(20), D(65)),))
    totals = ledger.totals(day(182))
    assert totals.mg == 3640
    assert totals.mg_per_kg == 56


def test_forty_mg_for_90_days_at_60_kg_is_60_mg_per_kg() -> None:
    assert CumulativeLedger((DosePeriod(START, 90, D(40), D(60)),)).totals(
        day(200)).mg_per_kg == 60


def test_periods_add_up_and_break_days_give_nothing() -> None:
    ledger = CumulativeLedger((
        DosePeriod(START, 30, D(20), D(60)),
        DosePeriod(day(41), 60, D(40), D(60)),  # ten days' break before it
    ))
    totals = ledger.totals(day(100))
    assert (totals.mg, totals.mg_per_kg, totals.days) == (3000, 50, 90)


def test_each_period_counts_at_the_weight_that_applied_to_it() -> None:
    ledger = CumulativeLedger((
        DosePeriod(START, 30, D(60), D(60)),     # 30 mg/kg
        DosePeriod(day(31), 30, D(60), D(80)),   # 22.5 mg/kg
    ))
    assert ledger.totals(day(60)).mg_per_kg == Fraction(105, 2)


def test_days_after_the_as_of_date_do_not_count() -> None:
    ledger = CumulativeLedger((DosePeriod(START, 30, D(60), D(60)),))
    assert ledger.totals(day(10)).mg == 600
    assert ledger.totals(START - dt.timedelta(days=1)).mg == 0


def test_micronized_equivalent_basis_divides_raw_mg_by_the_factor() -> None:
    ledger = CumulativeLedger((DosePeriod(START, 10, D(48), D(60)),),
                              basis=CumulativeBasis.EQUIVALENT, equivalence_factor=D("0.8"))
    totals = ledger.totals(day(10))
    assert (totals.mg, totals.counted_mg, totals.mg_per_kg) == (480, 600, 10)


def test_projection_at_the_current_dose_and_at_85_percent_adherence() -> None:
    ledger = CumulativeLedger((DosePeriod(START, 28, D(30), D(60)),))  # 14 mg/kg
    full = ledger.project(day(28), target_mg_per_kg=D(120), weight_kg=D(60), daily_mg=D(60))
    assert (full.remaining_mg_per_kg, full.remaining_mg, full.days) == (106, 6360, 106)
    assert full.end_date == day(134)
    partial = ledger.project(day(28), target_mg_per_kg=D(120), weight_kg=D(60),
                             daily_mg=D(60), adherence=D("0.85"))
    assert partial.days == 125  # 6360 / 51 = 124.7…
    assert partial.end_date == day(28 + 125)


def test_projection_after_the_target_is_reached_needs_no_more_days() -> None:
    ledger = CumulativeLedger((DosePeriod(START, 200, D(60), D(60)),))
    projection = ledger.project(day(200), target_mg_per_kg=D(120), weight_kg=D(60),
                                daily_mg=D(60))
    assert (projection.remaining_mg, projection.days) == (0, 0)


@pytest.mark.parametrize("adherence", ["0", "-0.1", "1.01"])
def test_adherence_must_be_a_share_of_days(adherence: str) -> None:
    ledger = CumulativeLedger(())
    with pytest.raises(InvalidInput, match="adherence"):
        ledger.project(START, target_mg_per_kg=D(120), weight_kg=D(60), daily_mg=D(60),
                       adherence=D(adherence))


def test_a_dose_diary_becomes_one_period_per_day() -> None:
    ledger = ledger_from_daily_doses([(day(1), D(40), D(70)), (day(3), D(40), D(70))])
    assert ledger.totals(day(3)).mg == 80


@given(st.lists(st.tuples(st.integers(1, 60), st.integers(0, 120), st.integers(20, 250)),
                min_size=1, max_size=8))
def test_mg_per_kg_is_exactly_the_sum_over_periods(
    periods: list[tuple[int, int, int]]
) -> None:
    start, built = START, []
    for days, mg, weight in periods:
        built.append(DosePeriod(start, days, D(mg), D(weight)))
        start += dt.timedelta(days=days)
    totals = CumulativeLedger(tuple(built)).totals(start)
    assert totals.mg_per_kg == sum(Fraction(d * m, w) for d, m, w in periods)


@given(st.lists(st.integers(1, 200), min_size=1, max_size=3),
       st.integers(1, 400), st.integers(1, 100_000))
def test_the_schedule_reaches_an_amount_on_the_first_day_its_total_does(
    pattern: list[int], fixed_days: int, amount: int
) -> None:
    schedule = DoseSchedule((Segment((D(30),), fixed_days),
                             Segment(tuple(D(p) for p in pattern))))
    reached = schedule.first_day_reaching(D(amount))
    assert reached is not None
    assert schedule.total_through(reached) >= amount
    assert schedule.total_through(reached - 1) < amount
