"""Course-record builders for the EU PPP and UK MHRA spec tables.

Every timeline is written relative to the prescription date ``rx`` of the first supply, so a
scenario can move it across a version boundary without rewriting its events:

- contraception and the signed form 40 days before ``rx`` (more than a month);
- baseline labs (and, for the UK from October 2023, the mental-health and sexual-function
  assessments) 4 days before;
- the negative lab pregnancy test the day before;
- the prescription (60 mg a day, 30 days) on ``rx``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tests.spec.harness import course, ev

Event = dict[str, Any]
_UNSET: Any = object()


def day(iso: str, plus: int = 0) -> str:
    """``iso`` moved by ``plus`` days."""
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=plus)).isoformat()


def labs(date: str) -> list[Event]:
    """Normal baseline liver enzymes and fasting lipids."""
    return [
        ev.lab(date, "alt", 20, "U/L", uln=40), ev.lab(date, "ast", 22, "U/L", uln=40),
        ev.lab(date, "triglycerides", 100, "mg/dL"),
        ev.lab(date, "total-cholesterol", 170, "mg/dL"),
        ev.lab(date, "ldl", 100, "mg/dL"), ev.lab(date, "hdl", 55, "mg/dL"),
    ]


def uk_checks(date: str, *, mental: bool = True, sexual: bool = True,
              concern: bool = False) -> list[Event]:
    """The UK mental-health and sexual-function assessments (from October 2023)."""
    events = []
    if mental:
        events.append(ev.of("mental_health_check", date, concern=concern))
    if sexual:
        events.append(ev.of("sexual_function_check", date, concern=False))
    return events


def first_supply(
    rx: str,
    *,
    methods: Sequence[str] = ("combined-pill",),
    contraception_from: str | None = _UNSET,
    form: str | None = _UNSET,
    test: int | None = -1,
    setting: str = "lab",
    checks: bool = False,
    prescription: bool = True,
    days_supply: int = 30,
    refills: int = 0,
    extra: Sequence[Event] = (),
) -> list[Event]:
    """The events up to the first supply, which is written on ``rx`` and not yet dispensed.

    ``test`` is the pregnancy test's day relative to ``rx`` (None: no test);
    ``contraception_from`` / ``form`` default to 40 days before ``rx`` (None: left out);
    ``checks`` adds the UK assessments.
    """
    events: list[Event] = []
    start = day(rx, -40)
    contraception_from = start if contraception_from is _UNSET else contraception_from
    form = start if form is _UNSET else form
    if contraception_from is not None:
        events.append(ev.contraception(contraception_from, *methods))
    if form is not None:
        events.append(ev.consent(form))
    events += labs(day(rx, -4))
    if checks:
        events += uk_checks(day(rx, -4))
    if test is not None:
        events.append(ev.test(day(rx, test), setting=setting))
    if prescription:
        events.append(ev.prescription(rx, days_supply=days_supply, refills=refills))
    return [*events, *extra]


def second_month(
    rx: str,
    next_rx: str,
    *,
    test: int | None = 0,
    setting: str = "lab",
    verified_by: str | None = None,
    checks: bool = False,
    next_checks: bool = False,
    extra: Sequence[Event] = (),
) -> list[Event]:
    """A course whose first supply (written and dispensed on ``rx``) is followed by a
    second prescription on ``next_rx``, with its pregnancy test on ``next_rx + test``."""
    events = [*first_supply(rx, checks=checks), ev.dispense(rx)]
    if test is not None:
        fields = {} if verified_by is None else {"verified_by": verified_by}
        events.append(ev.test(day(next_rx, test), setting=setting, **fields))
    if next_checks:
        events += uk_checks(next_rx)
    events.append(ev.prescription(next_rx))
    return [*events, *extra]


def ended(rx: str, last_dose: str, *, checks: bool = False,
          extra: Sequence[Event] = ()) -> list[Event]:
    """A one-month course dispensed on ``rx`` whose last dose was on ``last_dose``."""
    return [*first_supply(rx, checks=checks), ev.dispense(rx), ev.end(last_dose), *extra]


def record(jurisdiction: str, events: Sequence[Event], *, can_get_pregnant: bool = True,
           start_date: str | None = None, birth_date: str = "2000-04-02",
           home_tests_allowed: bool = False) -> dict[str, Any]:
    """A course record for an EU or UK course of the generic UK product."""
    return course(jurisdiction=jurisdiction, product="uk-generic",
                  can_get_pregnant=can_get_pregnant, start_date=start_date,
                  birth_date=birth_date, home_tests_allowed=home_tests_allowed,
                  events=events)
