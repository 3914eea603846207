"""US iPLEDGE REMS: the monthly steps (prescriber counselling, the patient's comprehension
questions) and, for patients who cannot get pregnant, the window that an office visit opens.

A step done *each fill* must be dated after the last dispense (a step on the day of a fill
belongs to that fill); a step done *once* (``each_fill = false``) counts from whenever it was
recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from isocourse.domain.dates import day_n
from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import Comprehension, Counseling, Event
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.kinds.ipledge import iso, next_fill_date, used_by
from isocourse.rules.model import RuleSpec, Window
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__: list[str] = []


def _steps(facts: CourseFacts, spec: RuleSpec) -> tuple[Sequence[Event], Comprehension | None]:
    """The events that count for the step, and the newest failed attempt (comprehension)."""
    kind = spec.value("event")
    if kind == "counseling":
        return facts.of(Counseling), None
    if kind == "comprehension":
        answers = facts.of(Comprehension)
        failed = next((a for a in reversed(answers) if not a.passed), None)
        return tuple(a for a in answers if a.passed), failed
    raise RuleDataError(f"rule {spec.id}: parameter 'event' must be counseling or comprehension")


@rule_kind("ipledge-monthly-step", params={"event": str, "what": str, "each_fill": bool})
def monthly_step(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """A step the programme requires before dispensing (``event``: ``counseling``, or
    ``comprehension``, which counts only when passed). With ``each_fill`` it is monthly: the
    step must be on file before the first fill and again after each fill, before the next;
    without it, once (e.g. counselling documented at enrollment). Missing: block, with the
    step due today before the first fill, else on the last day of the current supply."""
    if facts.phase is Phase.AFTER:
        return
    done, failed = _steps(facts, spec)
    what, item = str(spec.value("what")), str(spec.value("event"))
    last_fill = facts.dispenses[-1] if facts.dispenses else None
    each_fill = bool(spec.value("each_fill"))
    if each_fill and last_fill is not None:
        since = last_fill.date
        if any(e.date > since for e in done):
            return
        message = (f"no {what} is on file since the dispense of {iso(since)}; it is needed "
                   "again before the next fill")
        due = next_fill_date(facts)
        failed = failed if failed is not None and failed.date > since else None
    else:
        if done:
            return
        when = "before the first fill" if each_fill else (
            "once, at enrollment, and before dispensing")
        message = f"no {what} is on file; it is needed {when}"
        due = facts.on
    if failed is not None:
        message += f" (the questions answered on {iso(failed.date)} were not passed)"
    out.block(message)
    out.needs(item, due, f"{what} before the next fill")


@rule_kind("ipledge-visit-window", params={"window_days": int})
def visit_window(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Patients who cannot get pregnant: the prescription is filled within ``window_days``
    days of the office visit at which counselling was documented (Day 1 = the visit date,
    the window ends on Day ``window_days``). While open and unused it is the assessment's
    window (info, with counselling due the day after it closes if nothing is dispensed);
    once it has closed unused, dispensing is blocked until a new visit. A visit already
    used by a fill is left to the counselling rule."""
    if facts.phase is Phase.AFTER:
        return
    visits = facts.of(Counseling)
    if not visits or used_by(facts, visits[-1]) is not None:
        return
    days, start = spec.days("window_days"), visits[-1].date
    end = day_n(start, days)
    if facts.on <= end:
        out.window = Window(start, end, "pick-up")
        out.info(f"the {days}-day window opened by the office visit of {iso(start)} (Day 1) "
                 f"is open until {iso(end)} (Day {days})")
        out.needs("counseling", end + dt.timedelta(days=1),
                  f"a new visit is needed if nothing is dispensed by {iso(end)}")
        return
    out.block(f"the {days}-day window opened by the office visit of {iso(start)} closed on "
              f"{iso(end)}; a new office visit with counselling is needed before dispensing")
    out.needs("counseling", facts.on, "a new visit to open a new window")
