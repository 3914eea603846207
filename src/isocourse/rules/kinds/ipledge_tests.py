"""US iPLEDGE REMS, patients who can get pregnant: the 7-day window, the lockout after a
missed first window, the monthly test before each fill, and where a test may be done.

**The window.** A negative pregnancy test in a setting the version accepts opens a pick-up
window: Day 1 is the day the specimen was collected and the window ends on Day
``window_days`` (Day 7 = the specimen date + 6) [R9]. The newest such test opens the current
window; the first fill on or after its date uses it. Before the first fill, only a test that
can be the *confirmation* test opens a window: one with an earlier negative screening test
(done in ``screening_settings``) at least ``min_days_between`` days before it (whether
contraception had been in use for a month is checked by the pre-treatment rule, not here).
Where ``lockout_days`` is set (the "19-day lockout", 2007 → 2026), a first window that closed
without a fill means the next test that opens a window must be at least ``lockout_days``
days after the test that opened the missed one; an earlier test opens nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isocourse.domain.dates import day_n
from isocourse.domain.record import Dispense, PregnancyTest, PregnancyTestSetting
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.kinds.ipledge import (
    SETTING_POLICY_PARAMS,
    SettingPolicy,
    describe_settings,
    iso,
    next_fill_date,
    setting_words,
    settings_param,
    used_by,
)
from isocourse.rules.model import RuleSpec, Window
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__ = ["WindowState", "window_state"]

_WINDOW_PARAMS: dict[str, type] = {
    **SETTING_POLICY_PARAMS, "window_days": int, "screening_settings": list,
    "min_days_between": int, "lockout_days": int}


@dataclass(frozen=True, slots=True)
class WindowState:
    """The current window as of the assessment date (module docstring)."""

    opener: PregnancyTest | None
    end: dt.date | None
    used_by: Dispense | None
    wait_until: dt.date | None
    too_early: PregnancyTest | None

    def open_on(self, day: dt.date) -> bool:
        return (self.opener is not None and self.used_by is None and self.end is not None
                and self.opener.date <= day <= self.end)


def window_state(facts: CourseFacts, spec: RuleSpec) -> WindowState:
    """Replay the tests on record to find the test that opened the current window."""
    policy = SettingPolicy.of(spec)
    days, gap, lockout = (spec.days("window_days"), spec.days("min_days_between"),
                          spec.days("lockout_days"))
    first_fill = facts.dispenses[0].date if facts.dispenses else None
    screens = [t for t in facts.negative_tests
               if t.setting in settings_param(spec, "screening_settings")]
    opener: PregnancyTest | None = None
    too_early: PregnancyTest | None = None
    for test in policy.accepted_negatives(facts):
        if first_fill is None or test.date <= first_fill:
            earliest = test.date - dt.timedelta(days=gap)
            if not any(s.date <= earliest for s in screens):
                continue  # no screening test far enough before it: it cannot confirm
            if (opener is not None and lockout and test.date > day_n(opener.date, days)
                    and test.date < opener.date + dt.timedelta(days=lockout)):
                too_early = test
                continue
        opener, too_early = test, None
    if opener is None:
        return WindowState(None, None, None, None, None)
    end = day_n(opener.date, days)
    fill = used_by(facts, opener)
    wait_until = None
    if fill is None and first_fill is None and lockout and facts.on > end:
        wait_until = opener.date + dt.timedelta(days=lockout)
    return WindowState(opener, end, fill, wait_until, too_early)


@rule_kind("ipledge-pickup-window", params=_WINDOW_PARAMS)
def pickup_window(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The patient must pick up within the 7-day window that starts on the specimen date of
    a negative pregnancy test (Day 1) and ends on Day ``window_days`` (Day 7 = the specimen
    date + 6). The newest negative test done where the version accepts it opens the window;
    before the first fill only a test at least ``min_days_between`` days after a screening
    test (done in ``screening_settings``) can, since it must be able to confirm it. While
    the window is open and unused it is the assessment's window (info, with a new test due
    the day after it closes if nothing is dispensed). Once it has closed unused,
    dispensing is blocked until a new negative test opens a new window; before the first
    fill, with ``lockout_days``, that test cannot be earlier than ``lockout_days`` days after
    the test of the missed window, and with no lockout it may be done at once. A window
    already used by a fill is left to the monthly-test rule."""
    if facts.phase is Phase.AFTER:
        return
    state = window_state(facts, spec)
    if state.opener is None or state.end is None or state.used_by is not None:
        return
    days, start, end = spec.days("window_days"), state.opener.date, state.end
    if facts.on <= end:
        out.window = Window(start, end, "pick-up")
        out.info(f"the {days}-day pick-up window opened by the negative pregnancy test of "
                 f"{iso(start)} (Day 1) is open until {iso(end)} (Day {days})")
        out.needs("pregnancy_test", end + dt.timedelta(days=1),
                  f"a new test is needed if nothing is dispensed by {iso(end)}")
        return
    message = (f"the {days}-day window opened by the test of {iso(start)} closed on "
               f"{iso(end)}; a new negative pregnancy test is needed before dispensing")
    due = facts.on
    if state.wait_until is not None:
        due = max(due, state.wait_until)
        message += (f", and because the first prescription was not picked up it must be done "
                    f"on or after {iso(state.wait_until)}")
    elif not facts.dispenses:
        before = SettingPolicy.of(spec).before
        message += f", done in {describe_settings(before)}"
        if not spec.days("lockout_days"):
            message += "; it may be done at once (there is no waiting period)"
    out.block(message)
    out.needs("pregnancy_test", due, "a new test to open a new pick-up window")


@rule_kind("ipledge-lockout", params=_WINDOW_PARAMS)
def lockout(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The 19-day lockout: when the first prescription is not picked up within the window,
    the next confirmation test that opens a new window must be at least ``lockout_days``
    days after the test that opened the missed window. Until then dispensing is blocked and
    a test done too early does not count; from that day on, an info finding says a new test
    may be done. Later missed windows (after the first fill) have no lockout."""
    if facts.phase is Phase.AFTER or facts.dispenses:
        return
    state = window_state(facts, spec)
    if state.wait_until is None or state.opener is None or state.end is None:
        return
    days = spec.days("lockout_days")
    missed = (f"the first prescription was not picked up within the window opened by the test "
              f"of {iso(state.opener.date)} (it closed on {iso(state.end)})")
    early = ""
    if state.too_early is not None:
        early = (f"; the test of {iso(state.too_early.date)} was too early and does not open "
                 "a window")
    if facts.on < state.wait_until:
        out.block(f"{missed}; the next confirmation test must be at least {days} days after "
                  f"that test, on or after {iso(state.wait_until)}{early}")
        out.needs("pregnancy_test", state.wait_until, f"the {days}-day wait ends")
    else:
        out.info(f"{missed}; the {days}-day wait is over: a new confirmation test may be "
                 f"done from {iso(state.wait_until)}{early}")


@rule_kind("ipledge-monthly-test", params=SETTING_POLICY_PARAMS)
def monthly_test(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """During treatment every fill needs its own negative pregnancy test (monthly, before
    each prescription): the newest test that counts must be dated after the last fill, so a
    second fill in the same window needs a new test. Missing: block, with the test due on
    the last day of the current supply."""
    if facts.phase is not Phase.DURING:
        return
    policy = SettingPolicy.of(spec)
    accepted = policy.accepted_negatives(facts)
    latest = accepted[-1] if accepted else None
    fill = used_by(facts, latest) if latest is not None else None
    if latest is None:
        out.block("no negative pregnancy test that counts is on file; one is needed before "
                  "each fill")
    elif fill is None:
        return
    else:
        out.block(f"the negative pregnancy test of {iso(latest.date)} was used by the "
                  f"dispense of {iso(fill.date)}; a new negative test is needed before the "
                  "next fill")
    out.needs("pregnancy_test", next_fill_date(facts), "the monthly test before the next fill")


@rule_kind("ipledge-test-settings", params=SETTING_POLICY_PARAMS)
def test_settings(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Where a pregnancy test may be done (``settings_before`` the first dose,
    ``settings_during`` treatment and after; ``home_needs_prescriber``: a home test counts
    only when the prescriber permits it for the course). When the newest negative test was
    done somewhere the version does not accept, a warning says it does not count (the window
    and test rules then block as if it were absent); when it is a home test that counts, an
    info finding says why."""
    if not facts.negative_tests:
        return
    policy = SettingPolicy.of(spec)
    latest = facts.negative_tests[-1]
    where = setting_words(latest.setting)
    refusal = policy.refusal(facts, latest)
    if refusal is not None:
        out.warning(f"the negative pregnancy test of {iso(latest.date)} was done {where} and "
                    f"does not count: {refusal}")
    elif latest.setting is PregnancyTestSetting.HOME:
        reason = "tests outside a medical setting are accepted during and after treatment"
        if policy.home_needs_prescriber:
            reason = ("the prescriber permits tests outside a medical setting for this course "
                      "and must have processes against misreading and falsification")
        out.info(f"the home pregnancy test of {iso(latest.date)} counts: {reason}")
