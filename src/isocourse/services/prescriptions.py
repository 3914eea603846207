"""Writing the monthly prescription, with the safety engine's verdict before it is saved.

The verdict compares the course's assessment on the prescription date with and without
the new prescription. A prescription that the rules themselves refuse (more days or
refills than the programme allows) is not saved; other findings (a test still due, a
window not yet open) are shown with it, because dispensing, not prescribing, is where the
rules are enforced (the dispense authorization).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from isocourse.domain.errors import Conflict, InvalidInput
from isocourse.rules.model import Assessment, Finding, RuleSpec
from isocourse.services.access import Action, require
from isocourse.services.assessments import assess_loaded
from isocourse.services.course_store import LoadedCourse, append_events, load_course
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory

__all__ = ["PrescriptionVerdict", "WritePrescription", "write_prescription"]

#: The rule kind whose findings refuse a prescription outright (days' supply, refills).
_LIMITS_KIND = "prescription-limits"


def _kind(spec: RuleSpec | None) -> str | None:
    return None if spec is None else spec.kind


@dataclass(frozen=True, slots=True, kw_only=True)
class WritePrescription:
    course_id: str
    daily_mg: int
    days_supply: int
    refills: int = 0
    product: str | None = None
    date: dt.date | None = None        # default: today
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PrescriptionVerdict:
    """What the rules say about the course with the prescription. ``refused`` lists the
    findings the prescription itself causes that stop dispensing; ``saved`` is false for a
    preview or a refusal."""

    course: LoadedCourse
    prescription_id: str | None
    assessment: Assessment
    refused: tuple[Finding, ...]
    saved: bool


def write_prescription(cmd: WritePrescription, *, preview: bool,
                       expected_version: int | None, uows: UnitOfWorkFactory, clock: Clock,
                       actor: Actor, rules: Rulebook) -> PrescriptionVerdict:
    require(actor, Action.PREVIEW_PRESCRIPTION if preview else Action.SIGN_PRESCRIPTION)
    today = clock.today()
    day = cmd.date or today
    if day > today:
        raise InvalidInput("a prescription cannot be dated in the future", field="date")
    event: dict[str, Any] = {"type": "prescription", "date": day.isoformat(),
                             "daily_mg": cmd.daily_mg, "days_supply": cmd.days_supply,
                             "refills": cmd.refills}
    if cmd.product is not None:
        event["product"] = cmd.product
    if cmd.note:
        event["note"] = cmd.note
    with uows(write=True) as uow:
        course = load_course(uow, cmd.course_id, actor, rules, lock=True)
        if course.header.ended_on is not None:
            raise Conflict("the course has ended; a further course needs a new course")
        before = assess_loaded(course, day, rules)
        updated, (added,) = append_events(uow, course, [event], actor=actor, at=clock.now(),
                                   rules=rules, expected_version=expected_version,
                                   change="prescription")
        after = assess_loaded(updated, day, rules)
        known = {(f.rule_id, f.message) for f in before.findings}
        pack = rules.library.in_force(course.record.course.jurisdiction.value, day)
        refused = tuple(f for f in after.findings if f.severity.stops_dispensing
                        and (f.rule_id, f.message) not in known
                        and _kind(pack.rule(f.rule_id)) == _LIMITS_KIND)
        new_id = added.event_id
        if preview or refused:
            uow.rollback()
            return PrescriptionVerdict(course, None, after, refused, saved=False)
        uow.commit()
    return PrescriptionVerdict(updated, new_id, after, (), saved=True)
