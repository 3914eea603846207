"""The reminder feed: parses in any calendar app, stable UIDs, all-day dates, no identifiers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, Event

from isocourse.adapters.reports import reminder_calendar
from isocourse.adapters.reports.ics import DEFAULT_ALARM, DEFAULT_NAME, PRODID
from isocourse.rules.engine import assess
from isocourse.rules.model import DueItem, Window
from tests.spec.harness import ev
from tests.unit.reports.support import CATALOG, LIBRARY, day, record

ZONE = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 2, 10, 15, 0, tzinfo=dt.UTC)
COURSE = "6f1c2d3e-course-id"
LAB = DueItem(
    "lab",
    day("2026-03-01"),
    "monitoring.lab-schedule.us-label",
    "us-label monitoring",
    ("alt", "triglycerides"),
)
TEST = DueItem("pregnancy_test", day("2026-03-05"), "us-ipledge.monthly-test", "the monthly test")
WINDOW = Window(day("2026-02-10"), day("2026-02-16"))


def feed(
    due: list[DueItem], *, window: Window | None = None, now: dt.datetime = NOW, **extra: object
) -> Calendar:
    data = reminder_calendar(COURSE, due, window=window, zone=ZONE, now=now, **extra)  # type: ignore[arg-type]
    calendar = Calendar.from_ical(data)
    assert isinstance(calendar, Calendar)
    return calendar


def events(calendar: Calendar) -> list[Event]:
    return list(calendar.walk("VEVENT"))  # type: ignore[arg-type]


def by_summary(calendar: Calendar) -> dict[str, Event]:
    return {str(e["summary"]): e for e in events(calendar)}


def test_each_due_item_and_the_window_closing_is_one_all_day_event() -> None:
    found = by_summary(feed([LAB, TEST], window=WINDOW))
    assert set(found) == {
        "Blood tests due: ALT, triglycerides",
        "Pregnancy test due",
        "Last day to collect your isotretinoin",
    }
    lab = found["Blood tests due: ALT, triglycerides"]
    assert lab.decoded("dtstart") == day("2026-03-01")
    assert lab.decoded("dtend") == day("2026-03-02")
    assert lab["dtstart"].params.get("VALUE") == "DATE"
    assert found["Last day to collect your isotretinoin"].decoded("dtstart") == WINDOW.end


def test_the_calendar_has_a_name_a_product_id_its_zone_and_a_refresh_interval() -> None:
    calendar = feed([LAB])
    assert str(calendar["x-wr-calname"]) == DEFAULT_NAME == str(calendar["name"])
    assert str(calendar["prodid"]) == PRODID and str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-timezone"]) == "America/New_York"
    assert calendar.decoded("refresh-interval") == dt.timedelta(hours=12)


def test_every_event_has_a_dtstamp_a_private_class_and_a_display_alarm() -> None:
    for event in events(feed([LAB, TEST], window=WINDOW)):
        assert event.decoded("dtstamp") == NOW
        assert str(event["class"]) == "PRIVATE" and str(event["transp"]) == "TRANSPARENT"
        (alarm,) = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert alarm.decoded("trigger") == DEFAULT_ALARM == dt.timedelta(hours=-15)


def test_uids_are_the_same_on_every_fetch_and_when_a_due_date_moves() -> None:
    first = {str(e["summary"]): str(e["uid"]) for e in events(feed([LAB, TEST], window=WINDOW))}
    later = NOW + dt.timedelta(hours=5)
    moved = DueItem(
        LAB.item, LAB.due_date + dt.timedelta(days=9), LAB.rule_id, LAB.reason, LAB.analytes
    )
    again = {
        str(e["summary"]): str(e["uid"])
        for e in events(feed([moved, TEST], window=WINDOW, now=later))
    }
    assert again == first
    assert len(set(first.values())) == 3


def test_the_same_item_twice_gets_two_uids_in_date_order() -> None:
    second = DueItem(TEST.item, TEST.due_date + dt.timedelta(days=30), TEST.rule_id)
    uids = [str(e["uid"]) for e in events(feed([second, TEST]))]
    assert len(set(uids)) == 2
    assert uids == [str(e["uid"]) for e in events(feed([TEST, second]))]


def test_another_course_has_other_uids() -> None:
    mine = {str(e["uid"]) for e in events(feed([LAB]))}
    data = reminder_calendar("another-course", [LAB], zone=ZONE, now=NOW)
    theirs = {str(e["uid"]) for e in events(Calendar.from_ical(data))}
    assert mine.isdisjoint(theirs)


def test_the_feed_names_no_patient_and_no_course() -> None:
    rec = record([ev.enrollment("2026-01-05")], start_date="2026-02-01")
    assessment = assess(rec, on=day("2026-01-10"), library=LIBRARY, catalog=CATALOG)
    assert assessment.due
    data = reminder_calendar(COURSE, assessment.due, window=assessment.window, zone=ZONE, now=NOW)
    assert COURSE.encode() not in data and rec.patient.id.encode() not in data
    assert b"p-spec" not in data


def test_an_overdue_item_is_shown_today_in_the_clinics_zone_and_says_when_it_was_due() -> None:
    late = DueItem("lab", day("2026-02-01"), "monitoring.lab-schedule.us-label", "", ("alt",))
    just_after_midnight_utc = dt.datetime(2026, 2, 11, 2, 0, tzinfo=dt.UTC)  # 10 Feb in NY
    (event,) = events(feed([late], now=just_after_midnight_utc))
    assert event.decoded("dtstart") == day("2026-02-10")
    assert str(event["summary"]) == "Blood tests overdue: ALT"
    assert "Was due on 2026-02-01." in str(event["description"])


def test_a_window_that_has_closed_is_left_out() -> None:
    closed = Window(day("2026-02-01"), day("2026-02-07"))
    assert events(feed([], window=closed)) == []


def test_a_prescription_window_and_an_unknown_item_still_read_well() -> None:
    odd = DueItem("blood_pressure_check", day("2026-03-01"), "clinic.bp")
    found = by_summary(feed([odd], window=Window(WINDOW.start, WINDOW.end, "prescription")))
    assert set(found) == {
        "Blood pressure check due",
        "Last day to collect your isotretinoin prescription",
    }


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        reminder_calendar(COURSE, [LAB], zone=ZONE, now=dt.datetime(2026, 2, 10, 15))


def test_text_with_control_characters_and_separators_round_trips() -> None:
    odd = DueItem("lab", day("2026-03-01"), "r", "reason; with, commas\x00 and\nlines")
    calendar = feed([odd], name="My, reminders; <b>\x07")
    assert str(calendar["x-wr-calname"]) == "My, reminders; <b>"
    (event,) = events(calendar)
    assert "Why: reason; with, commas and\nlines." in str(event["description"])


items = st.builds(
    DueItem,
    item=st.sampled_from(["pregnancy_test", "lab", "visit", "phq9", "counseling", "odd_item"]),
    due_date=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31)),
    rule_id=st.sampled_from(["a.rule", "b.rule"]),
    reason=st.text(max_size=30),
    analytes=st.lists(st.sampled_from(["alt", "ast", "ldl"]), max_size=2, unique=True).map(tuple),
)
windows = st.none() | st.builds(
    lambda start, days, kind: Window(start, start + dt.timedelta(days=days), kind),
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31)),
    st.integers(0, 30),
    st.sampled_from(["pick-up", "prescription"]),
)
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2029, 1, 1), timezones=st.just(dt.UTC)
)


@given(st.lists(items, max_size=12), windows, instants, instants)
def test_any_feed_parses_back_with_one_event_each_and_uids_stable_across_fetches(
    due: list[DueItem], window: Window | None, now: dt.datetime, later: dt.datetime
) -> None:
    first = reminder_calendar(COURSE, due, window=window, zone=ZONE, now=now)
    second = reminder_calendar(COURSE, list(reversed(due)), window=window, zone=ZONE, now=later)
    parsed = [Calendar.from_ical(first), Calendar.from_ical(second)]
    uids = [sorted(str(e["uid"]) for e in c.walk("VEVENT")) for c in parsed]
    today = now.astimezone(ZONE).date()
    expected = len(set(due)) + (1 if window is not None and window.end >= today else 0)
    assert len(uids[0]) == len(set(uids[0])) == expected
    if window is None or (window.end >= today) == (window.end >= later.astimezone(ZONE).date()):
        assert uids[0] == uids[1]
    for event in parsed[0].walk("VEVENT"):
        assert event.decoded("dtstart") >= today
        assert event.decoded("dtstamp") == now.replace(microsecond=0)
