"""Pregnancy prevention programmes (EU PPP 2018 and the UK's MHRA programme): the
prescription window, the pregnancy tests before, during and after a course, and the
interval before a second course.

Terms as the programmes write them: *medically supervised* tests are done in a laboratory or
a clinic (``lab`` / ``office``); a ``home`` test counts only where a pack allows remote
supervised testing (``remote_home_tests``), the prescriber has allowed it for the course
(``course.home_tests_allowed``) and the record names who verified it (``verified_by``).
*Initiation* is the time up to and including the day of the first supply: no dispense
before today and no first dose before today.
"""

from __future__ import annotations

import datetime as dt

from isocourse.domain.dates import add_months, day_n
from isocourse.domain.record import PregnancyTest, PregnancyTestSetting, Prescription
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec, Window
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__ = ["at_initiation", "count", "home_test_problem", "supervised_negatives"]

_SUPERVISED = (PregnancyTestSetting.LAB, PregnancyTestSetting.OFFICE)


def count(number: int, unit: str) -> str:
    """``count(1, "month")`` is "1 month"; ``count(3, "day")`` is "3 days"."""
    return f"{number} {unit}{'' if number == 1 else 's'}"


def at_initiation(facts: CourseFacts) -> bool:
    """True until the first supply has been handed over (the day of it included)."""
    return facts.awaiting_first_supply


def home_test_problem(facts: CourseFacts, spec: RuleSpec, test: PregnancyTest) -> str | None:
    """Why a test does not count as medically supervised under ``spec``, or None if it does."""
    if test.setting in _SUPERVISED:
        return None
    if not spec.value("remote_home_tests"):
        return "the test must be medically supervised, in a laboratory or clinic"
    if not facts.course.home_tests_allowed:
        return "the prescriber has not allowed home tests for this course"
    if not test.verified_by:
        return "the record does not name who supervised it remotely"
    return None


def supervised_negatives(facts: CourseFacts, spec: RuleSpec) -> tuple[PregnancyTest, ...]:
    """The negative tests on record that count as medically supervised under ``spec``."""
    return tuple(t for t in facts.negative_tests if home_test_problem(facts, spec, t) is None)


def _pending_repeat(facts: CourseFacts) -> Prescription | None:
    """The latest prescription if it is a repeat (written after the first supply) that has
    not been dispensed yet; else None."""
    if not facts.prescriptions or not facts.dispenses:
        return None
    rx = facts.prescriptions[-1]
    if rx.date <= facts.dispenses[0].date or any(d.date >= rx.date for d in facts.dispenses):
        return None
    return rx


def _explain(facts: CourseFacts, spec: RuleSpec, tests: list[PregnancyTest]) -> str:
    """The reason a home test in ``tests`` was refused, as a clause, or ''."""
    for test in reversed(tests):
        problem = home_test_problem(facts, spec, test)
        if problem and test.setting is PregnancyTestSetting.HOME:
            return f" (the home test of {test.date.isoformat()} does not count: {problem})"
    return ""


@rule_kind("ppp-dispensing-window", params={"window_days": int})
def dispensing_window(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Each prescription may be dispensed once, within ``window_days`` days of being
    written: Day 1 is the prescription date and the window ends on Day ``window_days``
    (Day 7 = the date + 6). The open window is the assessment's window (kind
    ``prescription``). No prescription, an expired one, or one already dispensed blocks
    dispensing: continuing needs a new prescription. After the course has ended there is
    no window (``ppp-course-ended`` blocks)."""
    days = spec.days("window_days")
    rx = facts.prescriptions[-1] if facts.prescriptions else None
    ended = facts.last_dose_date
    if ended is not None and (rx is None or rx.date <= ended):
        return  # the course has ended: ppp-course-ended says so, for every patient
    if rx is None:
        out.block(f"no prescription is on file: dispensing needs a prescription written in the "
                  f"last {count(days, 'day')}")
        return
    end = day_n(rx.date, days)
    used = next((d for d in facts.dispenses if d.date >= rx.date), None)
    if used is not None:
        out.block(f"the prescription of {rx.date.isoformat()} was dispensed on "
                  f"{used.date.isoformat()}; a further supply needs a new prescription")
    elif facts.on > end:
        out.block(f"the prescription of {rx.date.isoformat()} could be dispensed until "
                  f"{end.isoformat()} (Day {days}, counting the prescription date as Day 1); "
                  "it has expired and a new prescription is needed")
    else:
        out.window = Window(rx.date, end, "prescription")
        out.info(f"the prescription of {rx.date.isoformat()} is open for dispensing until "
                 f"{end.isoformat()} (Day {days}, counting the prescription date as Day 1)")


@rule_kind("ppp-initial-pregnancy-test", params={
    "lead_months": int, "max_days_before": int, "remote_home_tests": bool})
def initial_pregnancy_test(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Before the first supply: a negative, medically supervised pregnancy test taken after
    contraception has been in use for at least ``lead_months`` month(s) (the unbroken stretch
    of recorded methods that runs to the day), and at most ``max_days_before`` days before
    the prescription being dispensed (or before today, while there is none). Missing: block,
    and a test is due as soon as contraception has been in use long enough."""
    if not at_initiation(facts):
        return
    lead, window = spec.days("lead_months"), spec.days("max_days_before")
    since = facts.contraception_meeting_since(lambda methods: len(methods) > 0)
    rx: Prescription | None = facts.prescriptions[-1] if facts.prescriptions else None
    reference = rx.date if rx is not None else facts.on
    earliest = reference - dt.timedelta(days=window)
    before = (f"the prescription of {reference.isoformat()}" if rx is not None
              else "the first prescription")
    need = (f"a negative, medically supervised pregnancy test, taken after {count(lead, 'month')} "
            f"of contraception and no more than {count(window, 'day')} before {before}, is needed "
            "before the first supply")
    if since is None:
        out.block(f"{need}; no contraception is on record")
        return
    ready = add_months(since, lead)
    if any(max(earliest, ready) <= t.date <= reference
           for t in supervised_negatives(facts, spec)):
        return
    tests = [t for t in facts.negative_tests if t.date <= reference]
    latest = tests[-1] if tests else None
    if latest is None:
        found = "no negative test is on file"
    elif latest.date < ready:
        found = (f"the test of {latest.date.isoformat()} was taken before contraception had "
                 f"been in use for {count(lead, 'month')} (from {since.isoformat()})")
    elif latest.date < earliest:
        found = f"the test of {latest.date.isoformat()} was taken too long before it"
    else:
        found = "no test on file counts" + _explain(facts, spec, tests)
    out.block(f"{need}: {found}")
    out.needs("pregnancy_test", max(facts.on, ready),
              "medically supervised test before the first prescription")


@rule_kind("ppp-repeat-pregnancy-test", params={
    "monthly_tests": bool, "max_days_before": int, "interval_months": int,
    "remote_home_tests": bool})
def repeat_pregnancy_test(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """During the course, when ``monthly_tests`` is on: each prescription after the first,
    until it is dispensed, needs a negative, medically supervised pregnancy test taken on its
    date or at most ``max_days_before`` days before it; missing, it blocks. The next test is due
    ``interval_months`` month(s) after the last one. When off, an info finding says the
    tests follow local practice."""
    if facts.phase is not Phase.DURING or at_initiation(facts):
        return
    if not spec.value("monthly_tests"):
        out.info("this rule set leaves pregnancy tests during treatment to local practice")
        return
    tests = supervised_negatives(facts, spec)
    rx = _pending_repeat(facts)
    window = spec.days("max_days_before")
    earliest = rx.date - dt.timedelta(days=window) if rx is not None else facts.on
    if rx is None or any(earliest <= t.date <= rx.date for t in tests):
        if tests:
            out.needs("pregnancy_test", add_months(tests[-1].date,
                                                   spec.days("interval_months")),
                      "pregnancy test before the next prescription")
        return
    recent = [t for t in facts.negative_tests if earliest <= t.date <= rx.date]
    out.block(f"the prescription of {rx.date.isoformat()} needs a negative, medically "
              f"supervised pregnancy test on that day or up to {count(window, 'day')} before it "
              f"(from {earliest.isoformat()}); none is on file" + _explain(facts, spec, recent))
    out.needs("pregnancy_test", facts.on, "pregnancy test before this prescription")


@rule_kind("ppp-test-after-stopping", params={
    "after_months": int, "after_weeks": int, "remote_home_tests": bool})
def test_after_stopping(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """After the last dose, a final medically supervised pregnancy test is due
    ``after_months`` month(s) plus ``after_weeks`` week(s) later. A counting negative test
    on or after that date settles it; until the date it is an info item, after it a
    warning."""
    if facts.phase is not Phase.AFTER or facts.last_dose_date is None:
        return
    last = facts.last_dose_date
    due = add_months(last, spec.days("after_months")) + dt.timedelta(
        weeks=spec.days("after_weeks"))
    if any(t.date >= due for t in supervised_negatives(facts, spec)):
        return
    reason = f"final pregnancy test after the last dose on {last.isoformat()}"
    out.needs("pregnancy_test", due, reason)
    if facts.on > due:
        out.warning(f"the final pregnancy test was due on {due.isoformat()} (after the last "
                    f"dose on {last.isoformat()}) and is not on file: arrange it now")
    else:
        out.info(f"a final medically supervised pregnancy test is due on {due.isoformat()}")
