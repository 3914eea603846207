"""A course's reminders as an iCalendar feed (RFC 5545), for the patient's own calendar app.

One all-day VEVENT per due item of the assessment (pregnancy test, labs, visits, mood
questionnaire, …) and one on the last day of the open pick-up or prescription window. The
feed is a snapshot that calendar apps re-read (``REFRESH-INTERVAL``, ``X-PUBLISHED-TTL``);
they match events by UID, so UIDs are stable:

* a due item's UID is a hash of the course id, the item, the rule that asks for it and its
  analytes, not of its date: when a recheck moves, the app moves the event instead of
  adding a second one (the same identity twice in one feed gets an ordinal, by date);
* a window's UID is a hash of the course id, the window kind and its first day.

What a feed may say: the feed URL is secret to the patient, but a calendar is shown on
lock screens and shared with family, so events carry no name, no patient id and no course
id (UIDs are one-way hashes), only what the patient needs to act: what is due, and when.
Events are ``CLASS:PRIVATE`` and do not block time (``TRANSP:TRANSPARENT``).

Dates are the clinic's calendar dates (the engine's due dates), written as all-day dates,
which calendar apps show on that day in any zone. An overdue item is shown on today's date
(in ``zone``) as "overdue", with its due date, so it is not lost in the past. Each event has
one display alarm, by default at 09:00 the day before (``DEFAULT_ALARM``, a design default,
not a clinical fact).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vDuration

from isocourse.rules.model import DueItem, Window

__all__ = ["DEFAULT_ALARM", "DEFAULT_NAME", "PRODID", "REFRESH", "reminder_calendar"]

PRODID = "-//isocourse//course reminders//EN"
DEFAULT_NAME = "Isotretinoin reminders"
#: 15 hours before the all-day event's start: 09:00 the day before (design default).
DEFAULT_ALARM = dt.timedelta(hours=-15)
#: How often calendar apps are asked to re-read the feed (design default).
REFRESH = dt.timedelta(hours=12)

_NAMES = {
    "pregnancy_test": "Pregnancy test",
    "lab": "Blood tests",
    "visit": "Clinic visit",
    "counseling": "Counselling visit",
    "phq9": "Mood questionnaire (PHQ-9)",
    "comprehension": "Comprehension questions",
    "mental_health_check": "Mental health check",
    "sexual_function_check": "Sexual function check",
    "risk_acknowledgement": "Risk acknowledgement form",
    "prescriber_agreement": "Second prescriber's agreement",
}
_ANALYTES = {
    "alt": "ALT",
    "ast": "AST",
    "triglycerides": "triglycerides",
    "total-cholesterol": "total cholesterol",
    "ldl": "LDL cholesterol",
    "hdl": "HDL cholesterol",
}
_WINDOWS = {
    "pick-up": "Last day to collect your isotretinoin",
    "prescription": "Last day to collect your isotretinoin prescription",
}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def reminder_calendar(
    course_id: str,
    due: Sequence[DueItem],
    *,
    window: Window | None = None,
    zone: ZoneInfo,
    now: dt.datetime,
    name: str = DEFAULT_NAME,
    alarm: dt.timedelta = DEFAULT_ALARM,
) -> bytes:
    """The feed for one course: ``due`` is the assessment's due list and ``window`` its open
    window; ``now`` (time-zone aware) is the DTSTAMP and, in ``zone``, decides what is
    overdue. Windows already closed are left out."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a time-zone aware datetime")
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)  # iCalendar counts whole seconds
    today = now.astimezone(zone).date()
    calendar = _calendar(course_id, name, zone)
    events: list[Event] = []
    seen: dict[tuple[str, ...], int] = {}
    for item in sorted(dict.fromkeys(due), key=lambda d: (d.due_date, d.item, d.rule_id)):
        identity = ("due", item.item, item.rule_id, ",".join(item.analytes))
        seen[identity] = seen.get(identity, 0) + 1
        uid = _uid(course_id, *identity, *([str(seen[identity])] if seen[identity] > 1 else []))
        events.append(_due_event(item, uid, today, stamp, alarm))
    if window is not None and window.end >= today:
        events.append(
            _window_event(
                window,
                _uid(course_id, "window", window.kind, window.start.isoformat()),
                stamp,
                alarm,
            )
        )
    for event in sorted(events, key=lambda e: (e.decoded("dtstart"), str(e["uid"]))):
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _text(value: str) -> str:
    return _CONTROL.sub("", value)


def _uid(course_id: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join((course_id, *parts)).encode("utf-8", "replace"))
    return f"{digest.hexdigest()[:32]}@isocourse"


def _calendar(course_id: str, name: str, zone: ZoneInfo) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("uid", _uid(course_id, "calendar"))
    calendar.add("name", _text(name))
    calendar.add("x-wr-calname", _text(name))
    calendar.add(
        "x-wr-caldesc",
        "Reminders for your isotretinoin course: tests, visits "
        "and the last day to collect your capsules.",
    )
    if zone.key:
        calendar.add("x-wr-timezone", zone.key)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def _summary(item: DueItem, overdue: bool) -> str:
    """``Blood tests due: ALT, triglycerides``; ``Pregnancy test overdue``."""
    what = _NAMES.get(item.item) or item.item.replace("_", " ").capitalize()
    summary = f"{what} {'overdue' if overdue else 'due'}"
    if item.analytes:
        summary += ": " + ", ".join(_ANALYTES.get(a, a) for a in item.analytes)
    return _text(summary)


def _event(
    uid: str, day: dt.date, summary: str, description: str, stamp: dt.datetime, alarm: dt.timedelta
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT")
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", summary)
    reminder.add("trigger", alarm)
    event.add_component(reminder)
    return event


def _due_event(
    item: DueItem, uid: str, today: dt.date, stamp: dt.datetime, alarm: dt.timedelta
) -> Event:
    overdue = item.due_date < today
    lines = [f"{'Was due' if overdue else 'Due'} on {item.due_date.isoformat()}."]
    if item.reason:
        lines.append(f"Why: {_text(item.reason)}.")
    lines.append("Contact your clinic if you have questions.")
    return _event(
        uid,
        today if overdue else item.due_date,
        _summary(item, overdue),
        "\n".join(lines),
        stamp,
        alarm,
    )


def _window_event(window: Window, uid: str, stamp: dt.datetime, alarm: dt.timedelta) -> Event:
    summary = _WINDOWS.get(window.kind) or _text(f"The {window.kind} window closes")
    description = (
        f"Your {_text(window.kind)} window runs from {window.start.isoformat()} to "
        f"{window.end.isoformat()}, both days included. Contact your clinic if "
        "you cannot collect your capsules by then."
    )
    return _event(uid, window.end, summary, description, stamp, alarm)
