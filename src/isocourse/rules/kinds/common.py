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
    previous one (``course.previous_course_end`` in the record): until the first supply,
    an earlier date blocks dispensing. When the record names no previous course, an info
    finding before the first supply reminds the prescriber and pharmacist to check."""
    if not facts.awaiting_first_supply:
        return
    weeks = spec.days("weeks")
    previous = facts.course.previous_course_end
    if previous is None:
        out.info(f"if this is a further course, it must not start until {weeks} weeks after "
                 "the last dose of the previous one; the record does not show a previous "
                 "course, so check")
        return
    earliest = previous + dt.timedelta(weeks=weeks)
    first_dose = max(facts.course.start_date or facts.on, facts.on)
    if first_dose < earliest:
        out.block(f"the previous course ended on {previous.isoformat()}; a new course should "
                  f"not start before {earliest.isoformat()} ({weeks} weeks later)")


@rule_kind("course-ended")
def course_ended(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """After the record's ``course_end`` (the day of the last dose) nothing more is dispensed
    on the course; a further course is a new record. Blocks dispensing (an isocourse rule
    about the course record, not a programme text)."""
    if facts.last_dose_date is not None:
        out.block(f"the course ended on {facts.last_dose_date.isoformat()} (last dose): "
                  "nothing more is dispensed on it, and a further course needs a new record")
