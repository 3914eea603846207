"""Pharmacy dispense authorizations: ask, dispense exactly once, reverse.

The authorization is where the safety rules are enforced (CDS cards and screens only
inform). A pharmacist asks against a prescription; the grant is made only when the safety
engine allows dispensing today, and says why not otherwise, in the engine's own words.

* **Grant**: a code, the prescription, the supply (days and capsules by strength) and a
  do-not-dispense-after date: the end of the open pick-up/prescription window when the rules
  set one, otherwise the day of the grant (the assessment vouches for that day only; no
  number is invented where the rules give none).
* **Dispense**: re-checks the rules (a positive test recorded since the grant stops it),
  then consumes the authorization with one conditional update, so of two pharmacies racing
  exactly one succeeds, and records the ``dispense`` event in the same transaction. With an
  ``Idempotency-Key``, a retried request gets the first answer back instead of a second
  dispense.
* **Reverse**: an authorization not yet used can be reversed (the 2026 US rules require it);
  a reversed or expired authorization cannot be used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from isocourse.domain.dosing import table_for
from isocourse.domain.errors import (
    Conflict,
    DispenseNotAllowed,
    Hidden,
    InvalidInput,
    NotFound,
)
from isocourse.domain.record import Prescription
from isocourse.rules.model import Assessment
from isocourse.services import ids
from isocourse.services.access import Action, require, require_patient
from isocourse.services.assessments import assess_loaded
from isocourse.services.course_store import LoadedCourse, append_events, load_course
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWork, UnitOfWorkFactory
from isocourse.services.stored import (
    AuthorizationRow,
    AuthorizationStatus,
    IdempotentResponse,
    StoredEvent,
)

__all__ = [
    "AuthorizationRequest",
    "DispenseResult",
    "authorization_to_json",
    "capsules_for",
    "course_authorizations",
    "course_of_prescription",
    "find_authorization",
    "get_authorization",
    "record_dispense",
    "request_authorization",
    "reverse_authorization",
    "standing_prescription",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationRequest:
    """``course_id`` may be left out: the prescription id (``rx-…``, on the prescription the
    patient brings) is enough when it is unique in the clinic."""

    prescription_id: str
    course_id: str | None = None
    pharmacy: str | None = None


def course_of_prescription(uow: UnitOfWork, prescription_id: str, actor: Actor) -> str:
    found = uow.courses.find_events(actor.clinic_id, prescription_id, "prescription")
    courses = {e.course_id for e in found}
    if not courses:
        raise NotFound("no such prescription")
    if len(courses) > 1:
        raise Conflict("this prescription id is on more than one course; give the course id")
    return courses.pop()


def request_authorization(req: AuthorizationRequest, *, uows: UnitOfWorkFactory,
                          clock: Clock, actor: Actor,
                          rules: Rulebook) -> tuple[AuthorizationRow, bool]:
    """Grant an authorization for a prescription, or raise :class:`DispenseNotAllowed`
    with the reasons. Asking again while a grant is still usable returns that grant
    (``False`` as the second value: nothing new was granted)."""
    require(actor, Action.REQUEST_AUTHORIZATION)
    today = clock.today()
    # Asking again while a grant is usable changes nothing, so a read answers it: no write
    # lock (SQLite) and no row lock (PostgreSQL) is held while the course is assessed. The
    # checks are the same as under the lock below; a new grant is decided under the lock.
    with uows() as uow:
        course_id = req.course_id or course_of_prescription(uow, req.prescription_id, actor)
        if any(g.usable_on(today) for g in uow.authorizations.of_prescription(
                course_id, req.prescription_id)):
            earlier = _checked(uow, course_id, req.prescription_id, actor, rules, today,
                               lock=False)
            if earlier.usable is not None:
                return earlier.usable, False
    with uows(write=True) as uow:
        checked = _checked(uow, course_id, req.prescription_id, actor, rules, today,
                           lock=True)
        if checked.usable is not None:
            return checked.usable, False
        course, rx_stored, rx, assessment = (checked.course, checked.rx_stored, checked.rx,
                                             checked.assessment)
        window = assessment.window
        if window is not None and not window.start <= today <= window.end:
            raise DispenseNotAllowed(
                f"today is outside the {window.kind} window ({window.start.isoformat()} to "
                f"{window.end.isoformat()})")
        product_id = rx.product or course.record.course.product
        capsules = capsules_for(product_id, rx.daily_mg, rx.days_supply, rules)
        assert rx_stored.row_id is not None
        row = AuthorizationRow(
            code=ids.authorization_code(), course_id=course.header.id,
            prescription_id=req.prescription_id, prescription_row=rx_stored.row_id,
            status=AuthorizationStatus.GRANTED, granted_on=today, granted_at=clock.now(),
            granted_by=actor.id,
            do_not_dispense_after=window.end if window is not None else today,
            daily_mg=rx.daily_mg, days_supply=rx.days_supply, product=product_id,
            capsules=capsules, pharmacy=req.pharmacy)
        uow.authorizations.add(row)
        uow.commit()
    return row, True


@dataclass(frozen=True, slots=True)
class _Checked:
    course: LoadedCourse
    rx_stored: StoredEvent
    rx: Prescription
    assessment: Assessment
    usable: AuthorizationRow | None  # an earlier grant still usable today


def _checked(uow: UnitOfWork, course_id: str, prescription_id: str, actor: Actor,
             rules: Rulebook, today: dt.date, *, lock: bool) -> _Checked:
    """What an authorization request decides on: the course, its standing prescription,
    today's assessment (dispensing allowed, or :class:`DispenseNotAllowed`) and an earlier
    grant still usable, if any."""
    course = load_course(uow, course_id, actor, rules, lock=lock, through_dispensing=True)
    rx_stored, rx = standing_prescription(course, prescription_id)
    previous_grants = uow.authorizations.of_prescription(course.header.id, prescription_id)
    for previous in previous_grants:
        if previous.status is AuthorizationStatus.DISPENSED:
            raise Conflict(f"this prescription was already dispensed (authorization "
                           f"{previous.code}); the next supply needs a new prescription")
    assessment = assess_loaded(course, today, rules)
    _require_allowed(assessment)  # also before handing back an earlier grant
    usable = next((g for g in previous_grants if g.usable_on(today)), None)
    return _Checked(course, rx_stored, rx, assessment, usable)


def standing_prescription(course: LoadedCourse,
                          prescription_id: str) -> tuple[StoredEvent, Prescription]:
    """The prescription ``prescription_id`` if it still stands and is the newest."""
    stored = next((e for e in course.events if e.event_id == prescription_id
                   and e.type == "prescription"), None)
    if stored is None:
        raise NotFound("no such prescription on this course")
    standing = {p.id: p for p in course.record.events_of(Prescription)}
    if prescription_id not in standing:
        raise Conflict("this prescription was corrected by a later entry; ask against the "
                       "corrected prescription")
    latest = course.record.events_of(Prescription)[-1]
    if latest.id != prescription_id:
        raise Conflict("a newer prescription exists on this course; only the newest "
                       "prescription can be dispensed")
    return stored, standing[prescription_id]


def _require_allowed(assessment: Assessment) -> None:
    if assessment.dispense_allowed:
        return
    reasons = [(f.rule_id, f.message) for f in assessment.findings
               if f.severity.stops_dispensing]
    raise DispenseNotAllowed(
        "do not dispense: " + "; ".join(message for _, message in reasons), reasons)


def capsules_for(product_id: str, daily_mg: int, days: int, rules: Rulebook) -> dict[str, Any]:
    product = rules.catalog.get(product_id)
    dose = table_for(product).dose(daily_mg)
    if dose is None:
        raise DispenseNotAllowed(
            f"{daily_mg} mg a day cannot be made up from the capsules of {product_id} "
            f"({', '.join(str(s) for s in product.strengths_mg)} mg); the prescription must "
            "be rewritten")
    return {
        "am": [[c.strength_mg, c.count] for c in dose.am],
        "pm": [[c.strength_mg, c.count] for c in dose.pm],
        "by_strength": {str(mg): n * days for mg, n in dose.capsules_by_strength().items()},
    }


def course_authorizations(course_id: str, *, uows: UnitOfWorkFactory, actor: Actor,
                          rules: Rulebook) -> list[AuthorizationRow]:
    """Every authorization of a course, oldest first (the pharmacy history)."""
    require(actor, Action.READ_RECORD)
    with uows() as uow:
        load_course(uow, course_id, actor, rules)  # Hidden unless the actor may see it
        return list(uow.authorizations.of_course(course_id))


def get_authorization(code: str, *, uows: UnitOfWorkFactory,
                      actor: Actor) -> AuthorizationRow:
    require(actor, Action.READ_AUTHORIZATION)
    with uows() as uow:
        return find_authorization(uow, code, actor)


def find_authorization(uow: UnitOfWork, code: str, actor: Actor) -> AuthorizationRow:
    row = uow.authorizations.get(ids.normalize_code(code))
    if row is None:
        raise NotFound("no such authorization")
    course = uow.courses.get(row.course_id)
    if course is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFound("no such authorization")
    uow.saw(course.patient_id)
    try:
        require_patient(actor, clinic_id=course.clinic_id, patient_id=course.patient_id,
                        through_dispensing=True)
    except Hidden:
        raise Hidden("no such authorization") from None
    return row


@dataclass(frozen=True, slots=True)
class DispenseResult:
    """The outcome of recording a dispense: the used authorization and the dispense event.
    ``replayed`` is true when this is the stored answer to an earlier identical request."""

    body: Mapping[str, Any]
    replayed: bool


def record_dispense(code: str, *, idempotency_key: str | None, uows: UnitOfWorkFactory,
                    clock: Clock, actor: Actor, rules: Rulebook) -> DispenseResult:
    """Dispense the supply of an authorization: exactly once."""
    require(actor, Action.DISPENSE)
    code = ids.normalize_code(code)
    request_hash = hashlib.sha256(json.dumps(["dispense", code]).encode()).hexdigest()
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise InvalidInput("an Idempotency-Key must be 1 to 255 characters",
                           field="Idempotency-Key")
    today = clock.today()
    with uows(write=True) as uow:
        if idempotency_key is not None:
            stored = uow.idempotency.claim(actor.id, idempotency_key, request_hash)
            if stored is not None:
                if stored.request_hash != request_hash:
                    raise Conflict("this Idempotency-Key was used for a different request")
                assert stored.body is not None
                return DispenseResult(stored.body, replayed=True)
        found = find_authorization(uow, code, actor)
        # Lock the course, then read the authorization again: a racing dispense that got
        # the lock first is now committed and visible.
        course = load_course(uow, found.course_id, actor, rules, lock=True,
                             through_dispensing=True)
        row = find_authorization(uow, code, actor)
        if row.status is AuthorizationStatus.DISPENSED:
            raise Conflict("this authorization has already been used to dispense")
        if row.status is AuthorizationStatus.REVERSED:
            raise Conflict("this authorization was reversed and cannot be used")
        if today > row.do_not_dispense_after:
            raise Conflict(f"this authorization expired: do not dispense after "
                           f"{row.do_not_dispense_after.isoformat()}")
        _, rx = standing_prescription(course, row.prescription_id)
        if (rx.daily_mg, rx.days_supply) != (row.daily_mg, row.days_supply):
            raise Conflict("the prescription changed after this authorization was granted; "
                           "reverse it and ask again")
        _require_allowed(assess_loaded(course, today, rules))
        event = {"type": "dispense", "date": today.isoformat(), "daily_mg": row.daily_mg,
                 "days_supply": row.days_supply,
                 "extensions": {"isocourse": {"authorization": row.code}}}
        _, (dispensed,) = append_events(uow, course, [event], actor=actor, at=clock.now(),
                                        rules=rules, expected_version=None, change="dispense")
        assert dispensed.row_id is not None
        if not uow.authorizations.consume(row.code, dispense_event=dispensed.row_id,
                                          at=clock.now(), by=actor.id):
            uow.rollback()
            raise Conflict("this authorization has already been used to dispense")
        final = uow.authorizations.get(row.code)
        assert final is not None
        body = {"authorization": authorization_to_json(final),
                "dispense": dict(dispensed.body), "course_id": row.course_id}
        if idempotency_key is not None:
            uow.idempotency.complete(actor.id, idempotency_key,
                                     IdempotentResponse(request_hash, 201, body))
        uow.commit()
    return DispenseResult(body, replayed=False)


def reverse_authorization(code: str, *, reason: str, uows: UnitOfWorkFactory, clock: Clock,
                          actor: Actor) -> AuthorizationRow:
    """Reverse an authorization that was not used (not picked up, made in error)."""
    require(actor, Action.REVERSE_AUTHORIZATION)
    if not reason.strip():
        raise InvalidInput("say why the authorization is reversed", field="reason")
    with uows(write=True) as uow:
        found = find_authorization(uow, code, actor)
        uow.courses.get(found.course_id, lock=True)
        row = find_authorization(uow, code, actor)
        if row.status is AuthorizationStatus.DISPENSED:
            raise Conflict("this authorization was used to dispense and cannot be reversed")
        if row.status is AuthorizationStatus.REVERSED:
            raise Conflict("this authorization is already reversed")
        if not uow.authorizations.reverse(row.code, at=clock.now(), by=actor.id,
                                          reason=reason.strip()):
            raise Conflict("this authorization changed meanwhile; look it up again")
        final = uow.authorizations.get(row.code)
        assert final is not None
        uow.commit()
    return final


def authorization_to_json(row: AuthorizationRow, today: dt.date | None = None) -> dict[str, Any]:
    """The authorization as the API shows it. ``usable`` needs ``today``."""
    body: dict[str, Any] = {
        "code": row.code,
        "course_id": row.course_id,
        "prescription_id": row.prescription_id,
        "status": row.status.value,
        "granted_on": row.granted_on.isoformat(),
        "do_not_dispense_after": row.do_not_dispense_after.isoformat(),
        "product": row.product,
        "daily_mg": row.daily_mg,
        "days_supply": row.days_supply,
        "capsules": {
            "morning": [{"strength_mg": mg, "count": n} for mg, n in row.capsules["am"]],
            "evening": [{"strength_mg": mg, "count": n} for mg, n in row.capsules["pm"]],
            "total_by_strength": [{"strength_mg": int(mg), "count": n}
                                  for mg, n in row.capsules["by_strength"].items()],
        },
        "pharmacy": row.pharmacy,
    }
    if today is not None:
        body["usable"] = row.usable_on(today)
    if row.dispensed_at is not None:
        body["dispensed_at"] = row.dispensed_at.isoformat()
    if row.reversed_at is not None:
        body["reversed_at"] = row.reversed_at.isoformat()
        body["reversal_reason"] = row.reversal_reason
    return body
