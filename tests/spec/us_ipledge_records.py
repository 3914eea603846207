"""Record builders for the US iPLEDGE spec table (tests/spec/test_us_ipledge.py).

A model course for a patient who can get pregnant: contraception (IUD + condom) from
``contraception``; enrollment, consent, counselling and a negative screening test in the
prescriber's office on ``screen``; the baseline labs, a negative confirmation test in a lab,
passed comprehension questions and the first prescription on ``confirm``. Each later month
is a visit (:func:`month`) with a new test, counselling, comprehension and prescription.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from tests.spec.harness import course, ev

Event = dict[str, Any]

__all__ = ["Event", "baseline_labs", "can", "cannot", "day", "enrolled", "month", "prep", "visit",
           "without"]


def day(date: str, offset: int) -> str:
    """``date`` + ``offset`` days, as ISO text."""
    return (dt.date.fromisoformat(date) + dt.timedelta(days=offset)).isoformat()


def baseline_labs(date: str) -> list[Event]:
    """Normal fasting lipids and liver tests (the monitoring pack's baseline)."""
    return [ev.lab(date, "alt", 20, "U/L", uln=40), ev.lab(date, "ast", 20, "U/L", uln=36),
            ev.lab(date, "triglycerides", 120, "mg/dL"),
            ev.lab(date, "total-cholesterol", 180, "mg/dL"), ev.phq9(date, *[0] * 9)]


def prep(screen: str, confirm: str, *, contraception: str | None = None,
         methods: Sequence[str] = ("iud", "male-condom"), screen_setting: str = "office",
         confirm_setting: str = "lab") -> list[Event]:
    """Everything before the first fill of a patient who can get pregnant."""
    started = contraception or day(screen, -31)
    return [
        ev.contraception(started, *methods),
        ev.enrollment(screen), ev.consent(screen), ev.counseling(screen),
        ev.test(screen, setting=screen_setting),
        *baseline_labs(confirm),
        ev.test(confirm, setting=confirm_setting), ev.comprehension(confirm),
        ev.prescription(confirm),
    ]


def month(date: str, setting: str = "lab") -> list[Event]:
    """A monthly visit: a negative test, counselling, comprehension and a new prescription."""
    return [ev.test(date, setting=setting), ev.counseling(date), ev.comprehension(date),
            ev.prescription(date)]


def without(events: Iterable[Event], type_: str, date: str | None = None) -> list[Event]:
    """The events minus those of ``type_`` (on ``date``, if given)."""
    return [e for e in events
            if not (e["type"] == type_ and (date is None or e["date"] == date))]


def can(events: Iterable[Event], **kwargs: Any) -> dict[str, Any]:
    return course(jurisdiction="us-ipledge", events=list(events), **kwargs)


def cannot(events: Iterable[Event], **kwargs: Any) -> dict[str, Any]:
    return course(jurisdiction="us-ipledge", can_get_pregnant=False, events=list(events),
                  **kwargs)


def visit(date: str) -> list[Event]:
    """An office visit of a patient who cannot get pregnant, with a new prescription."""
    return [ev.counseling(date), ev.prescription(date)]


def enrolled(date: str) -> list[Event]:
    """Enrollment, consent and baseline labs of a patient who cannot get pregnant."""
    return [ev.enrollment(date), ev.consent(date), *baseline_labs(date)]
