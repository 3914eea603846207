"""What the pharmacy sees before it acts: a prescription or an authorization, checked today.

A pharmacist reaches a course only through dispensing (:func:`access.require_patient` with
``through_dispensing``): holding a prescription reference (``rx-…``) or an authorization
code. :func:`look_up_prescription` answers "may this prescription be dispensed today, and
if not, why?" *without* asking for an authorization, and :func:`check_authorization` answers
"may this authorization be used to dispense today?" without using it. Both change nothing.

They make the same checks, in the same words, as the use cases that act
(:func:`dispensing.request_authorization` and :func:`dispensing.record_dispense`), by calling
the same helpers, but they collect every reason instead of stopping at the first one.

**Permission.** Both need :attr:`Action.READ_AUTHORIZATION`, not ``REQUEST_AUTHORIZATION``:
a look-up is a read (a ``read``-scoped token may look, only a ``dispense``-scoped one may
act) and it shows no more than the authorization it leads to and the refusal the pharmacist
would get by asking (the prescription's product, dose, supply and date, the capsules, the
pick-up window, the findings that stop dispensing and their sources). Everyone who may read
an authorization may preview one: the care team and the patient see more than this in the
record already, and a pharmacist only through a reference they hold. No patient identity is
returned, exactly as the authorization API shows none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from isocourse.domain.errors import Conflict, DispenseNotAllowed, Hidden, NotFound
from isocourse.domain.record import Prescription
from isocourse.rules.model import Assessment, Window
from isocourse.services.access import Action, require
from isocourse.services.assessments import assess_loaded
from isocourse.services.course_store import LoadedCourse, load_course
from isocourse.services.dispensing import (
    capsules_for,
    course_of_prescription,
    find_authorization,
    standing_prescription,
)
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory
from isocourse.services.stored import AuthorizationRow, AuthorizationStatus

__all__ = [
    "AuthorizationCheck",
    "CapsuleCount",
    "CapsulePlan",
    "CapsuleRow",
    "PrescriptionLookup",
    "Reason",
    "capsule_plan",
    "check_authorization",
    "look_up_prescription",
]

#: Longer than any prescription id the server makes or a record may reasonably carry.
_MAX_REFERENCE = 100


@dataclass(frozen=True, slots=True)
class Reason:
    """Why dispensing is not allowed, in the words of the rule or use case that says so.
    ``rule_id`` and ``source`` are set for the safety engine's findings."""

    message: str
    rule_id: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class CapsuleCount:
    strength_mg: int
    count: int


@dataclass(frozen=True, slots=True)
class CapsuleRow:
    """One capsule strength: how many each morning and evening, and for the whole supply."""

    strength_mg: int
    morning: int
    evening: int
    total: int

    @property
    def per_day(self) -> int:
        return self.morning + self.evening


@dataclass(frozen=True, slots=True)
class CapsulePlan:
    """The capsules of a supply: per dose (morning, evening) and in total by strength."""

    morning: tuple[CapsuleCount, ...]
    evening: tuple[CapsuleCount, ...]
    total: tuple[CapsuleCount, ...]

    @property
    def rows(self) -> tuple[CapsuleRow, ...]:
        """One row per strength, smallest first."""
        am = {c.strength_mg: c.count for c in self.morning}
        pm = {c.strength_mg: c.count for c in self.evening}
        total = {c.strength_mg: c.count for c in self.total}
        strengths = sorted(set(am) | set(pm) | set(total))
        return tuple(CapsuleRow(mg, am.get(mg, 0), pm.get(mg, 0), total.get(mg, 0))
                     for mg in strengths)

    @property
    def total_capsules(self) -> int:
        return sum(c.count for c in self.total)


def capsule_plan(capsules: Mapping[str, Any]) -> CapsulePlan:
    """The plan of an authorization's ``capsules`` (``{"am": [[mg, n], ...], "pm": [...],
    "by_strength": {"20": n, ...}}``, as :class:`AuthorizationRow` stores them)."""
    def counts(pairs: Sequence[Sequence[int]]) -> tuple[CapsuleCount, ...]:
        return tuple(CapsuleCount(int(mg), int(n)) for mg, n in pairs if int(n) > 0)

    by_strength = sorted((int(mg), int(n)) for mg, n in capsules["by_strength"].items())
    return CapsulePlan(counts(capsules["am"]), counts(capsules["pm"]),
                       tuple(CapsuleCount(mg, n) for mg, n in by_strength if n > 0))


@dataclass(frozen=True, slots=True, kw_only=True)
class PrescriptionLookup:
    """A prescription as the pharmacy sees it today. ``allowed`` is whether asking for an
    authorization today would be granted; ``reasons`` say why not (all of them).
    ``open_authorization`` is a grant already made for it that can still be used today."""

    prescription_id: str
    course_id: str
    prescribed_on: dt.date
    product: str
    product_name: str
    daily_mg: int
    days_supply: int
    capsules: CapsulePlan | None
    as_of: dt.date
    rule_set: str
    window: Window | None
    allowed: bool
    reasons: tuple[Reason, ...]
    authorizations: tuple[AuthorizationRow, ...]
    open_authorization: AuthorizationRow | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationCheck:
    """An authorization and whether it may be used to dispense today (``usable``), with
    every reason it may not."""

    authorization: AuthorizationRow
    product_name: str
    capsules: CapsulePlan
    as_of: dt.date
    usable: bool
    reasons: tuple[Reason, ...]


def _stops(assessment: Assessment) -> list[Reason]:
    """The engine's findings that stop dispensing, with their sources."""
    return [Reason(f.message, f.rule_id, f.source) for f in assessment.findings
            if f.severity.stops_dispensing]


def _standing_prescription(course: LoadedCourse, prescription_id: str
                           ) -> tuple[Prescription | None, Reason | None]:
    """The prescription as the dispensing use cases see it, or why they would refuse it."""
    try:
        _, rx = standing_prescription(course, prescription_id)
    except Conflict as error:
        return None, Reason(error.message)
    return rx, None


def _as_written(course: LoadedCourse, prescription_id: str) -> tuple[dt.date, int, int,
                                                                     str | None]:
    """Date, daily mg, days' supply and product of the prescription as it was recorded (a
    corrected one is not in the record's standing events any more)."""
    standing = {p.id: p for p in course.record.events_of(Prescription)}
    rx = standing.get(prescription_id)
    if rx is not None:
        return rx.date, rx.daily_mg, rx.days_supply, rx.product
    body = next(e.body for e in course.events if e.event_id == prescription_id
                and e.type == "prescription")
    product = body.get("product")
    return (dt.date.fromisoformat(str(body["date"])), int(body["daily_mg"]),
            int(body["days_supply"]), product if isinstance(product, str) else None)


def look_up_prescription(prescription_id: str, *, uows: UnitOfWorkFactory, clock: Clock,
                         actor: Actor, rules: Rulebook) -> PrescriptionLookup:
    """The prescription with this reference and whether it may be dispensed today.

    Raises :class:`NotFound` (or :class:`Hidden`, answered the same way) for an unknown
    reference or one out of the actor's reach, and :class:`Conflict` when the reference is
    on more than one course of the clinic."""
    require(actor, Action.READ_AUTHORIZATION)
    reference = prescription_id.strip()
    if not reference or len(reference) > _MAX_REFERENCE:
        raise NotFound("no such prescription")
    today = clock.today()
    with uows() as uow:
        course_id = course_of_prescription(uow, reference, actor)
        try:
            course = load_course(uow, course_id, actor, rules, through_dispensing=True)
        except Hidden:  # the same answer as an unknown reference
            raise Hidden("no such prescription") from None
        grants = tuple(uow.authorizations.of_prescription(course_id, reference))
    written_on, daily_mg, days_supply, rx_product = _as_written(course, reference)
    product_id = rx_product or course.record.course.product
    assessment = assess_loaded(course, today, rules)

    reasons: list[Reason] = []
    _, standing_problem = _standing_prescription(course, reference)
    if standing_problem is not None:
        reasons.append(standing_problem)
    for grant in grants:
        if grant.status is AuthorizationStatus.DISPENSED:
            reasons.append(Reason(
                f"this prescription was already dispensed (authorization {grant.code}); "
                "the next supply needs a new prescription"))
            break
    reasons.extend(_stops(assessment))
    window = assessment.window
    if window is not None and not window.start <= today <= window.end:
        reasons.append(Reason(f"today is outside the {window.kind} window "
                              f"({window.start.isoformat()} to {window.end.isoformat()})"))
    capsules: CapsulePlan | None = None
    try:
        capsules = capsule_plan(capsules_for(product_id, daily_mg, days_supply, rules))
    except DispenseNotAllowed as error:
        reasons.append(Reason(error.message))
    allowed = not reasons
    usable = next((g for g in grants if g.usable_on(today)), None)
    return PrescriptionLookup(
        prescription_id=reference, course_id=course_id, prescribed_on=written_on,
        product=product_id, product_name=rules.catalog.get(product_id).name,
        daily_mg=daily_mg, days_supply=days_supply, capsules=capsules, as_of=today,
        rule_set=assessment.rule_set, window=window, allowed=allowed,
        reasons=tuple(reasons), authorizations=grants,
        open_authorization=usable if allowed else None)


def check_authorization(code: str, *, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
                        rules: Rulebook) -> AuthorizationCheck:
    """The authorization with this code and whether a dispense against it would be recorded
    today (the checks of :func:`dispensing.record_dispense`, every reason collected).

    Raises :class:`NotFound` (or :class:`Hidden`) for an unknown code or one out of reach."""
    require(actor, Action.READ_AUTHORIZATION)
    today = clock.today()
    with uows() as uow:
        row = find_authorization(uow, code, actor)
        course = load_course(uow, row.course_id, actor, rules, through_dispensing=True)
    reasons: list[Reason] = []
    if row.status is AuthorizationStatus.DISPENSED:
        reasons.append(Reason("this authorization has already been used to dispense"))
    elif row.status is AuthorizationStatus.REVERSED:
        reasons.append(Reason("this authorization was reversed and cannot be used"))
    elif today > row.do_not_dispense_after:
        reasons.append(Reason(f"this authorization expired: do not dispense after "
                              f"{row.do_not_dispense_after.isoformat()}"))
    else:
        rx, problem = _standing_prescription(course, row.prescription_id)
        if problem is not None:
            reasons.append(problem)
        elif rx is not None and (rx.daily_mg, rx.days_supply) != (row.daily_mg,
                                                                  row.days_supply):
            reasons.append(Reason("the prescription changed after this authorization was "
                                  "granted; reverse it and ask again"))
        reasons.extend(_stops(assess_loaded(course, today, rules)))
    return AuthorizationCheck(
        authorization=row, product_name=rules.catalog.get(row.product).name,
        capsules=capsule_plan(row.capsules), as_of=today, usable=not reasons,
        reasons=tuple(reasons))
