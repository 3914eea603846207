"""Rule kinds shared by every programme: required documents, prescription limits, blood
donation, and the interval before a second course."""

from __future__ import annotations

import datetime as dt

from isocourse.domain.dates import add_months
from isocourse.domain.record import EVENT_CLASSES, EventType
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind


@rule_kind("document-on-file", params={"event": str, "what": str})
def document_on_file(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Dispensing needs a document on file (``event``: an event type such as ``enrollment``
    or ``risk_acknowledgement``), recorded on or before the day. Missing: block, and due
    today."""
    event_type = EventType(spec.value("event"))
    kind = EVENT_CLASSES[event_type]
    if facts.last(kind) is None:
        out.block(f"no {spec.value('what')} is on file; it is needed before dispensing")
        out.needs(event_type.value, facts.on, f"{spec.value('what')} before dispensing")


@rule_kind("prescription-limits", params={"max_days_supply": int, "max_refills": int})
def prescription_limits(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The latest prescription may cover at most ``max_days_supply`` days and carry at most
    ``max_refills`` refills; more blocks dispensing until it is rewritten."""
    if not facts.prescriptions or facts.phase is Phase.AFTER:
        return
    latest = facts.prescriptions[-1]
    limit = spec.days("max_days_supply")
    if latest.days_supply > limit:
        out.block(f"the prescription of {latest.date.isoformat()} is for "
                  f"{latest.days_supply} days; at most {limit} days may be prescribed")
    refills = spec.days("max_refills")
    if latest.refills > refills:
        out.block(f"the prescription of {latest.date.isoformat()} has {latest.refills} "
                  f"refill(s); {'no refills are' if refills == 0 else f'at most {refills} are'}"
                  " allowed: each month needs a new prescription")


@rule_kind("no-blood-donation", params={"months_after": int})
def no_blood_donation(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Patients must not give blood during treatment and for ``months_after`` month(s)
    after the last dose."""
    months = spec.days("months_after")
    if facts.phase is Phase.DURING:
        out.info(f"no blood donation during treatment and for {months} month(s) after "
                 "the last dose")
    elif facts.phase is Phase.AFTER and facts.last_dose_date is not None:
        until = add_months(facts.last_dose_date, months)
        if facts.on <= until:
            out.info(f"no blood donation until {until.isoformat()} ({months} month(s) after "
                     "the last dose)")


@rule_kind("second-course-interval", params={"weeks": int})
def second_course_interval(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """A further course must not start until ``weeks`` weeks after the last dose of the
    previous one (``course.previous_course_end`` in the record). Before the first dose of
    the new course, an earlier date blocks dispensing."""
    previous = facts.course.previous_course_end
    if previous is None or facts.phase is not Phase.BEFORE:
        return
    earliest = previous + dt.timedelta(weeks=spec.days("weeks"))
    if facts.on < earliest:
        out.block(f"the previous course ended on {previous.isoformat()}; a new course should "
                  f"not start before {earliest.isoformat()} ({spec.days('weeks')} weeks later)")
