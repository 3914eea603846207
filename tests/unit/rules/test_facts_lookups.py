"""The course facts' fast look-ups give exactly what the plain definitions give: the last
event of a class on or before a day (binary search over dates, with a scan for records
whose events are out of date order), and the cumulative mg/kg (summed per body weight)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.cumulative import CumulativeLedger, DosePeriod, counted_mg
from isocourse.domain.record import (
    EVENT_CLASSES,
    Contraception,
    CourseRecord,
    Event,
    Lab,
    PregnancyTest,
    Weight,
)
from isocourse.rules.facts import CourseFacts
from tests.unit.record.record_strategies import records

_DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2032, 12, 31))
_KINDS = st.sampled_from([Event, Weight, Lab, PregnancyTest, Contraception,
                          *EVENT_CLASSES.values()])


def _plain_last(facts: CourseFacts, kind: type[Event], limit: dt.date,
                even_dates: bool) -> Event | None:
    found = [e for e in facts.events if isinstance(e, kind) and e.date <= limit
             and (not even_dates or e.date.toordinal() % 2 == 0)]
    return found[-1] if found else None


@given(records(max_events=20), _DAYS, _DAYS, _KINDS, st.booleans())
def test_last_is_the_last_matching_event_in_record_order(
        record: CourseRecord, on: dt.date, limit: dt.date, kind: type[Event],
        even_dates: bool) -> None:
    facts = CourseFacts(record, on)
    where = (lambda e: e.date.toordinal() % 2 == 0) if even_dates else None
    bound = min(limit, on)
    assert facts.last(kind, on_or_before=bound, where=where) is \
        _plain_last(facts, kind, bound, even_dates)


@given(records(max_events=20), _DAYS, _KINDS, st.randoms(use_true_random=False))
def test_last_scans_when_a_record_built_in_code_is_out_of_date_order(
        record: CourseRecord, on: dt.date, kind: type[Event], shuffle: object) -> None:
    events = list(record.events)
    shuffle.shuffle(events)  # type: ignore[attr-defined]
    facts = CourseFacts(replace(record, events=tuple(events)), on)
    assert facts.last(kind) is _plain_last(facts, kind, on, False)


_PERIODS = st.lists(st.builds(
    DosePeriod, start=_DAYS, days=st.integers(1, 60),
    daily_mg=st.integers(0, 200).map(Decimal),
    weight_kg=st.sampled_from([Decimal("40"), Decimal("60.5"), Decimal("72.25"),
                               Decimal("110")])), max_size=15)


@given(_PERIODS, _DAYS)
def test_cumulative_mg_per_kg_is_the_exact_sum_over_periods(periods: list[DosePeriod],
                                                             on: dt.date) -> None:
    ledger = CumulativeLedger(tuple(periods))
    expected = Fraction(0)
    for period in periods:
        if period.start <= on:
            given_days = min(period.days, (on - period.start).days + 1)
            counted = counted_mg(period.daily_mg * given_days, ledger.basis,
                                 ledger.equivalence_factor)
            expected += Fraction(counted) / Fraction(period.weight_kg)
    assert ledger.totals(on).mg_per_kg == expected
