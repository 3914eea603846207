"""The reminders page's pure parts: the events it lists are the feed's own, the link in
its https and webcal forms, the audit target that never holds the secret, the alert time
in words."""

from __future__ import annotations

import datetime as dt
import string
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from isocourse.adapters.reports import reminder_calendar
from isocourse.adapters.reports.ics import DEFAULT_ALARM
from isocourse.adapters.web.pages.reminders import (
    alarm_words,
    calendar_entries,
    feed_links,
    feed_target,
)
from isocourse.rules.model import DueItem, Window

ZONE = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 21)
SECRET_ALPHABET = string.ascii_letters + string.digits + "_-"

ids = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=16, max_size=16)
randoms = st.text(alphabet=SECRET_ALPHABET, min_size=43, max_size=43)


def test_the_page_lists_each_event_of_the_feed_by_day_with_overdue_items_on_today() -> None:
    due = [
        DueItem("lab", dt.date(2026, 12, 1), "monitoring.labs", "monthly labs",
                ("alt", "triglycerides")),
        DueItem("pregnancy_test", dt.date(2026, 11, 1), "programme.test", "monthly test"),
        DueItem("phq9", dt.date(2026, 11, 25), "programme.phq9", "mood screen"),
    ]
    window = Window(dt.date(2026, 11, 20), dt.date(2026, 11, 26))
    ics = reminder_calendar("course-1", due, window=window, zone=ZONE, now=NOW)
    entries = calendar_entries(ics)
    assert [(e.day, e.summary) for e in entries] == [
        (TODAY, "Pregnancy test overdue"),
        (dt.date(2026, 11, 25), "Mood questionnaire (PHQ-9) due"),
        (dt.date(2026, 11, 26), "Last day to collect your isotretinoin"),
        (dt.date(2026, 12, 1), "Blood tests due: ALT, triglycerides"),
    ]
    parsed = Calendar.from_ical(ics)
    assert isinstance(parsed, Calendar)
    assert len(entries) == len(list(parsed.walk("VEVENT")))
    assert "Was due on 2026-11-01." in entries[0].description


def test_an_empty_feed_lists_nothing() -> None:
    assert calendar_entries(reminder_calendar("c", [], zone=ZONE, now=NOW)) == []


def test_a_window_already_closed_is_not_listed() -> None:
    closed = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 7))
    entries = calendar_entries(reminder_calendar("c", [], window=closed, zone=ZONE, now=NOW))
    assert entries == []


@given(ids, randoms, st.sampled_from(["https://clinic.example", "http://127.0.0.1:8000/",
                                       "https://example.org/isocourse/"]))
def test_the_link_ends_in_the_secret_and_its_webcal_form_differs_only_in_scheme(
        feed_id: str, random: str, base: str) -> None:
    secret = f"{feed_id}_{random}"
    link = feed_links(base, secret)
    assert link.https == base.rstrip("/") + f"/calendar/{secret}.ics"
    assert link.webcal == "webcal://" + link.https.split("://", 1)[1]


@given(ids, randoms)
def test_the_audit_target_keeps_the_links_id_and_never_its_secret(
        feed_id: str, random: str) -> None:
    target = feed_target(f"{feed_id}_{random}")
    assert target == f"/calendar/{feed_id}_****.ics"
    assert random not in target


@given(st.text(max_size=80))
def test_a_path_not_shaped_like_a_link_is_named_without_any_of_it(text: str) -> None:
    secretish = len(text) == 60 and text[16] == "_" and all(
        c in SECRET_ALPHABET for c in text) and all(
        c in string.ascii_lowercase + string.digits for c in text[:16])
    if not secretish:
        assert feed_target(text) == "/calendar/****.ics"


def test_the_alert_time_is_said_in_words() -> None:
    assert alarm_words(DEFAULT_ALARM) == "at 09:00 the day before"
    assert alarm_words(dt.timedelta(days=-1)) == "at 00:00 the day before"
    assert alarm_words(dt.timedelta(hours=-30)) == "at 18:00 2 days before"
    assert alarm_words(dt.timedelta(hours=8)) == "at 08:00 on the day"
