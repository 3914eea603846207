"""The pharmacy pages' words: service messages as sentences, and an authorization's status
said plainly (granted, expired, dispensed, reversed) with the day in the clinic's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from isocourse.adapters.web.pages.pharmacy import grant_view, sentence
from isocourse.services.stored import AuthorizationRow, AuthorizationStatus

DAY = dt.date(2026, 11, 21)
LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def row(status: AuthorizationStatus = AuthorizationStatus.GRANTED, **changes: object
        ) -> AuthorizationRow:
    fields: dict[str, object] = {
        "code": "K7QM-2XRT-9HPD", "course_id": "c1", "prescription_id": "rx-1",
        "prescription_row": 1, "status": status, "granted_on": DAY,
        "granted_at": dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC), "granted_by": "ph",
        "do_not_dispense_after": DAY + dt.timedelta(days=6), "daily_mg": 30,
        "days_supply": 30, "product": "us-conventional",
        "capsules": {"am": [[10, 1]], "pm": [[20, 1]], "by_strength": {"10": 30, "20": 30}},
    }
    fields.update(changes)
    return AuthorizationRow(**fields)  # type: ignore[arg-type]


def test_a_service_message_becomes_a_sentence_without_changing_its_words() -> None:
    assert sentence("today is outside the pick-up window (2026-11-20 to 2026-11-26)") == \
        "Today is outside the pick-up window (2026-11-20 to 2026-11-26)."
    assert sentence("already ends with a stop.") == "Already ends with a stop."
    assert sentence("  ") == ""


@given(st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_a_sentence_keeps_every_character_after_the_first(text: str) -> None:
    made = sentence(text)
    body = text.strip()
    assert made.startswith(body[0].upper() + body[1:])
    assert made.endswith((".", "!", "?"))


def test_a_granted_authorization_is_usable_until_its_last_day_then_expired() -> None:
    granted = row()
    last = granted.do_not_dispense_after
    on_last_day = grant_view(granted, last, LONDON)
    assert (on_last_day.label, on_last_day.badge) == ("granted", "ok")
    assert "27 Nov 2026" in on_last_day.detail
    day_after = grant_view(granted, last + dt.timedelta(days=1), LONDON)
    assert (day_after.label, day_after.badge) == ("expired", "warning")
    assert "can no longer be used" in day_after.detail


def test_a_dispense_is_dated_on_the_clinics_calendar_not_in_utc() -> None:
    late = dt.datetime(2026, 11, 22, 13, 30, tzinfo=dt.UTC)  # 02:30 on the 23rd in Auckland
    dispensed = row(AuthorizationStatus.DISPENSED, dispensed_at=late)
    assert grant_view(dispensed, DAY, LONDON).detail == "Dispensed on 22 Nov 2026."
    assert grant_view(dispensed, DAY, AUCKLAND).detail == "Dispensed on 23 Nov 2026."
    assert grant_view(dispensed, DAY, LONDON).label == "dispensed"


def test_a_reversal_says_when_and_why() -> None:
    reversed_ = row(AuthorizationStatus.REVERSED,
                    reversed_at=dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC),
                    reversal_reason="not picked up")
    view = grant_view(reversed_, DAY + dt.timedelta(days=30), LONDON)
    assert (view.label, view.badge) == ("reversed", "block")
    assert view.detail == "Reversed on 24 Nov 2026: not picked up."
