"""Where a late or correcting event goes in a record (domain/record/ordering.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.record import parse_record
from isocourse.domain.record.ordering import Head, order_events, place, valid_order

D = dt.date(2026, 10, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def same(h: Head) -> Head:
    return h


@st.composite
def recordings(draw: st.DrawFn) -> list[Head]:
    """Events in the order they are typed in: any dates; some correct a standing event."""
    heads: list[Head] = []
    standing: list[str] = []
    for n in range(draw(st.integers(0, 25))):
        target = None
        if standing and draw(st.booleans()):
            target = draw(st.sampled_from(standing))
            standing.remove(target)
        has_id = target is not None or draw(st.integers(0, 4)) > 0
        head = Head(day(draw(st.integers(-30, 30))), f"e{n}" if has_id else None, target)
        if head.id is not None:
            standing.append(head.id)
        heads.append(head)
    return heads


def as_record(heads: list[Head]) -> dict[str, object]:
    events = []
    for h in heads:
        event: dict[str, object] = {"type": "counseling", "date": h.date.isoformat()}
        if h.id:
            event["id"] = h.id
        if h.supersedes:
            event["supersedes"] = h.supersedes
            event["reason"] = "correction"
        events.append(event)
    return {"format": "isocourse-course/1",
            "patient": {"id": "p", "birth_date": "2000-01-01", "can_get_pregnant": False,
                        "weight_kg": 60},
            "course": {"jurisdiction": "eu-ppp", "product": "uk-generic"},
            "events": events}


@given(recordings())
def test_any_recording_order_gives_a_valid_record(heads: list[Head]) -> None:
    ordered = order_events(heads, same)
    assert sorted(map(repr, ordered)) == sorted(map(repr, heads))
    assert valid_order(ordered)
    parse_record(as_record(ordered))  # the record parser agrees


@given(recordings())
def test_a_valid_record_appended_in_its_order_keeps_its_order(heads: list[Head]) -> None:
    ordered = order_events(heads, same)
    assert order_events(ordered, same) == ordered


def test_a_late_entry_goes_after_the_events_of_its_day_and_before_later_ones() -> None:
    a, b, c = Head(day(0), "a"), Head(day(2), "b"), Head(day(5), "c")
    late = Head(day(2), "late")
    assert place([a, b, c], late, same) == [a, b, late, c]


def test_a_correction_dated_earlier_moves_what_it_corrects_with_it() -> None:
    y, wrong = Head(day(10), "y"), Head(day(12), "wrong")
    fix = Head(day(5), "fix", supersedes="wrong")
    assert place([y, wrong], fix, same) == [wrong, fix, y]
    assert valid_order([wrong, fix, y])


def test_a_correction_stays_right_after_its_target_when_that_is_valid() -> None:
    a, x = Head(day(1), "a"), Head(day(2), "x")
    fix = Head(day(3), "fix", supersedes="a")
    assert place([a, x], fix, same) == [a, x, fix]
