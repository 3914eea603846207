"""Use cases on patients and courses: register, start (with a plan), import and export a
whole course record, record events, end a course, start a further course.

Every function takes its ports as keywords: ``uows`` (units of work), ``clock``, ``actor``
(who acts; recorded with every change) and ``rules`` (catalog and rule packs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from isocourse.domain.dates import age_on, supported
from isocourse.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    Problem,
    RecordError,
    VersionMismatch,
)
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import DEFAULT_TARGET_MG_PER_KG, PlanRequest, plan_course
from isocourse.domain.record import (
    CourseInfo,
    CourseRecord,
    Jurisdiction,
    event_to_json,
    parse_record,
    record_to_json,
)
from isocourse.services import ids
from isocourse.services.access import (
    Action,
    require,
    require_event_types,
)
from isocourse.services.course_store import (
    LoadedCourse,
    append_events,
    ended_on,
    load_course,
    load_patient,
    record_document,
)
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory
from isocourse.services.stored import (
    CourseHeader,
    CourseListFilter,
    PatientRow,
    StoredEvent,
)

__all__ = [
    "CoursePage",
    "RegisterPatient",
    "StartCourse",
    "end_course",
    "find_patient",
    "get_course",
    "get_patient",
    "import_course",
    "list_courses",
    "record_events",
    "register_patient",
    "replace_course",
    "start_course",
]

#: Kind of rule in the packs that holds the gap between courses (``weeks``).
_INTERVAL_KIND = "second-course-interval"


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterPatient:
    external_id: str
    birth_date: dt.date
    can_get_pregnant: bool


def register_patient(cmd: RegisterPatient, *, uows: UnitOfWorkFactory, clock: Clock,
                     actor: Actor) -> PatientRow:
    """Add a patient to the actor's clinic. ``external_id`` is the clinic's opaque patient
    identifier (never a name) and must be unique in the clinic."""
    require(actor, Action.REGISTER_PATIENT)
    external = cmd.external_id.strip()
    if not external or len(external) > 128:
        raise InvalidInput("the patient id must be 1 to 128 characters", field="external_id")
    if cmd.birth_date > clock.today():
        raise InvalidInput("the birth date is in the future", field="birth_date")
    with uows(write=True) as uow:
        if uow.patients.by_external_id(actor.clinic_id, external) is not None:
            raise Conflict("a patient with this id is already registered in the clinic")
        patient = PatientRow(id=ids.new_uuid(), clinic_id=actor.clinic_id,
                             external_id=external, birth_date=cmd.birth_date,
                             can_get_pregnant=cmd.can_get_pregnant, created_at=clock.now(),
                             created_by=actor.id)
        uow.patients.add(patient)
        uow.saw(patient.id)
        uow.commit()
    return patient


def find_patient(external_id: str, *, uows: UnitOfWorkFactory, actor: Actor) -> PatientRow:
    """The clinic's patient with this (opaque) patient id, or NotFound."""
    require(actor, Action.FIND_PATIENT)
    with uows() as uow:
        patient = uow.patients.by_external_id(actor.clinic_id, external_id)
        if patient is not None:
            uow.saw(patient.id)
    if patient is None:
        raise NotFound("no such patient")
    return patient


def get_patient(patient_id: str, *, uows: UnitOfWorkFactory,
                actor: Actor) -> tuple[PatientRow, list[CourseHeader]]:
    require(actor, Action.READ_RECORD)
    with uows() as uow:
        patient = load_patient(uow, patient_id, actor)
        return patient, list(uow.courses.of_patient(patient_id))


@dataclass(frozen=True, slots=True, kw_only=True)
class StartCourse:
    """A new course for a registered patient, planned by the planner.

    ``start_date`` is the planned first dose (``None``: not yet known; the plan then starts
    today). The dose and target are the prescriber's choice in mg/kg.
    """

    patient_id: str
    jurisdiction: Jurisdiction
    product: str
    weight_kg: Decimal
    mg_per_kg: Decimal
    start_date: dt.date | None = None
    target_mg_per_kg: Decimal = DEFAULT_TARGET_MG_PER_KG
    start_mg_per_kg: Decimal | None = None
    start_days: int | None = None
    severe: bool = False
    lab_profile: str = "default"
    home_tests_allowed: bool = False
    #: The course's ``extensions`` (course-record spec: namespaced, kept as given), such
    #: as the web app's eligibility checklist; saved with the course, in its transaction.
    extensions: Mapping[str, Any] | None = None


def start_course(cmd: StartCourse, *, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
                 rules: Rulebook) -> LoadedCourse:
    """Start a course. A further course records when the previous one ended, and is refused
    while another course of the patient is still active or before the interval the
    programme's rules require after the previous course (8 weeks in the packaged packs)."""
    require(actor, Action.CHANGE_COURSE)
    with uows(write=True) as uow:
        patient = load_patient(uow, cmd.patient_id, actor, lock=True)
        previous = list(uow.courses.of_patient(patient.id))
        if any(c.ended_on is None for c in previous):
            raise Conflict("the patient has a course that has not ended; record its "
                           "course_end before starting another")
        previous_end = max((c.ended_on for c in previous if c.ended_on), default=None)
        plan_start = cmd.start_date or clock.today()
        if not supported(plan_start):
            raise InvalidInput("the start date is out of range", field="start_date")
        if previous_end is not None and cmd.start_date is not None:
            _check_interval(cmd.jurisdiction, previous_end, cmd.start_date, rules)
        plan = plan_course(PlanRequest(
            product_id=cmd.product, weight=cmd.weight_kg, mg_per_kg=cmd.mg_per_kg,
            start_date=plan_start, start_mg_per_kg=cmd.start_mg_per_kg,
            start_days=cmd.start_days, target_mg_per_kg=cmd.target_mg_per_kg,
            severe=cmd.severe, age_years=age_on(patient.birth_date, plan_start)),
            rules.catalog)
        info = CourseInfo(jurisdiction=cmd.jurisdiction, product=cmd.product,
                          start_date=cmd.start_date, lab_profile=cmd.lab_profile,
                          home_tests_allowed=cmd.home_tests_allowed,
                          previous_course_end=previous_end)
        header = CourseHeader(
            id=ids.new_uuid(), patient_id=patient.id, clinic_id=actor.clinic_id,
            number=len(previous) + 1, info=info, weight_kg=cmd.weight_kg, version=1,
            created_at=clock.now(), created_by=actor.id, plan=plan_to_json(plan),
            extensions=dict(cmd.extensions) if cmd.extensions is not None else None)
        _check_header(header, patient, rules)
        uow.courses.add(header)
        course = load_course(uow, header.id, actor, rules)
        uow.commit()
    return course


def _check_interval(jurisdiction: Jurisdiction, previous_end: dt.date, start: dt.date,
                    rules: Rulebook) -> None:
    pack = rules.library.in_force(jurisdiction.value, start)
    for spec in pack.rules:
        if spec.kind == _INTERVAL_KIND:
            weeks = spec.days("weeks")
            earliest = previous_end + dt.timedelta(weeks=weeks)
            if start < earliest:
                raise Conflict(
                    f"a further course should not start before {earliest.isoformat()}: "
                    f"{weeks} weeks after the previous course's last dose on "
                    f"{previous_end.isoformat()} (rule {spec.id}, {spec.citation})")


def _check_header(header: CourseHeader, patient: PatientRow, rules: Rulebook) -> None:
    """The course settings and enrollment weight must make a valid record."""
    parse_record(record_document(patient, header, ()), known_products=rules.catalog.products)


def get_course(course_id: str, *, uows: UnitOfWorkFactory, actor: Actor,
               rules: Rulebook) -> LoadedCourse:
    require(actor, Action.READ_RECORD)
    with uows() as uow:
        return load_course(uow, course_id, actor, rules)


@dataclass(frozen=True, slots=True)
class CoursePage:
    courses: list[tuple[CourseHeader, PatientRow]]
    total: int


def list_courses(flt: CourseListFilter, *, offset: int, limit: int, uows: UnitOfWorkFactory,
                 actor: Actor) -> CoursePage:
    require(actor, Action.LIST_COURSES)
    with uows() as uow:
        headers, total = uow.courses.listing(actor.clinic_id, flt, offset=offset, limit=limit)
        out = []
        for header in headers:
            patient = uow.patients.get(header.patient_id)
            assert patient is not None
            uow.saw(patient.id)
            out.append((header, patient))
        return CoursePage(out, total)


def record_events(course_id: str, events: Sequence[Mapping[str, Any]], *,
                  expected_version: int | None, uows: UnitOfWorkFactory, clock: Clock,
                  actor: Actor,
                  rules: Rulebook) -> tuple[LoadedCourse, tuple[StoredEvent, ...]]:
    """Append clinical events (course-record event objects) to a course, all or none.
    Returns the course and the events as stored (with the ids given to them).

    Nothing is edited in place: a correction is an event with ``supersedes`` and a
    ``reason``. ``expected_version``, when given, must be the course's current version."""
    require(actor, Action.RECORD_EVENTS)
    if not events:
        raise InvalidInput("no events given", field="events")
    require_event_types(actor, (str(e.get("type")) for e in events))
    check_new_events(events, clock.today())
    with uows(write=True) as uow:
        course = load_course(uow, course_id, actor, rules, lock=True)
        updated, added = append_events(uow, course, events, actor=actor, at=clock.now(),
                                       rules=rules, expected_version=expected_version,
                                       change="events")
        uow.commit()
    return updated, added


def check_new_events(events: Sequence[Mapping[str, Any]], today: dt.date) -> None:
    """Rules for events added to a stored course (not for importing a course's history):

    * a ``dispense`` is recorded by the pharmacy through a dispense authorization, which is
      where the safety rules are enforced; only a correction of a recorded dispense (with
      ``supersedes`` and a ``reason``) may come this way;
    * a clinical event states a fact: it cannot be dated after today.
    """
    problems = []
    for position, event in enumerate(events):
        path = f"events[{position}]" if len(events) > 1 else "event"
        if event.get("type") == "dispense" and "supersedes" not in event:
            problems.append(Problem(f"{path}.type", (
                "a dispense is recorded through a dispense authorization "
                "(POST /authorizations/{code}/dispense), where the safety rules are checked")))
        day = event.get("date")
        if isinstance(day, str) and day > today.isoformat() and len(day) == 10:
            problems.append(Problem(f"{path}.date", "a clinical event cannot be dated after "
                                    "today"))
    if problems:
        raise RecordError(problems)


def end_course(course_id: str, *, last_dose: dt.date, reason: str | None,
               expected_version: int | None, uows: UnitOfWorkFactory, clock: Clock,
               actor: Actor, rules: Rulebook) -> LoadedCourse:
    """Record the course's end: the day of the last dose. Post-course tests stay due."""
    require(actor, Action.CHANGE_COURSE)
    if last_dose > clock.today():
        raise InvalidInput("the last dose cannot be in the future", field="last_dose")
    event: dict[str, Any] = {"type": "course_end", "date": last_dose.isoformat()}
    if reason:
        event["reason"] = reason
    with uows(write=True) as uow:
        course = load_course(uow, course_id, actor, rules, lock=True)
        if course.header.ended_on is not None:
            raise Conflict("the course has already ended; to change its end date, record a "
                           "course_end that supersedes the earlier one, with a reason")
        updated, _ = append_events(uow, course, [event], actor=actor, at=clock.now(),
                                   rules=rules, expected_version=expected_version,
                                   change="ended")
        uow.commit()
    return updated


def import_course(document: Mapping[str, Any], *, uows: UnitOfWorkFactory, clock: Clock,
                  actor: Actor, rules: Rulebook) -> LoadedCourse:
    """Create a course from a whole course record. The patient (by ``patient.id``) is
    registered when new; when known, their birth date and risk category must match."""
    require(actor, Action.CHANGE_COURSE)
    record = parse_record(document, known_products=rules.catalog.products)
    with uows(write=True) as uow:
        patient = uow.patients.by_external_id(actor.clinic_id, record.patient.id)
        now = clock.now()
        if patient is None:
            patient = PatientRow(
                id=ids.new_uuid(), clinic_id=actor.clinic_id, external_id=record.patient.id,
                birth_date=record.patient.birth_date,
                can_get_pregnant=record.patient.can_get_pregnant, created_at=now,
                created_by=actor.id)
            uow.patients.add(patient)
            uow.saw(patient.id)
        else:
            uow.saw(patient.id)
            uow.patients.get(patient.id, lock=True)  # same lock order as start_course
            if (patient.birth_date, patient.can_get_pregnant) != (
                    record.patient.birth_date, record.patient.can_get_pregnant):
                raise Conflict("the record's patient.birth_date or patient.can_get_pregnant "
                               "differs from the registered patient with this id")
        previous = list(uow.courses.of_patient(patient.id))
        stored_end = max((c.ended_on for c in previous if c.ended_on), default=None)
        info = record.course
        if stored_end is not None and (info.previous_course_end is None
                                       or info.previous_course_end < stored_end):
            # The server knows a later previous course than the record says: the gap
            # between courses is checked against what the clinic has on file.
            info = replace(info, previous_course_end=stored_end)
        if ended_on(record) is None and any(c.ended_on is None for c in previous):
            raise Conflict("the patient already has a course that has not ended")
        header = CourseHeader(
            id=ids.new_uuid(), patient_id=patient.id, clinic_id=actor.clinic_id,
            number=len(previous) + 1, info=info, weight_kg=record.patient.weight_kg,
            version=1, created_at=now, created_by=actor.id, extensions=record.extensions)
        uow.courses.add(header)
        course = load_course(uow, header.id, actor, rules)
        if record.events:
            course, _ = append_events(
                uow, course, [event_to_json(e) for e in record.events], actor=actor, at=now,
                rules=rules, expected_version=None, change="imported")
        uow.commit()
    return course


def replace_course(course_id: str, document: Mapping[str, Any], *,
                   expected_version: int | None,
                   uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
                   rules: Rulebook) -> LoadedCourse:
    """``PUT`` of a whole course record over a stored course.

    What the record may change: the course settings, the enrollment weight and
    ``extensions`` (each change logged with its previous value), and *new* events at the
    end; a record that changes nothing changes nothing (the version stays). What it may
    not: the patient, or any stored event - every stored event must be in the new record
    unchanged (events are append-only; correct one with a superseding event).
    ``expected_version`` is the version the client read (``If-Match``; ``None``: any).
    """
    require(actor, Action.CHANGE_COURSE)
    new = parse_record(document, known_products=rules.catalog.products)
    with uows(write=True) as uow:
        course = load_course(uow, course_id, actor, rules, lock=True)
        if expected_version is not None and course.header.version != expected_version:
            raise VersionMismatch(
                "the course was changed by someone else since you read it; reload it and "
                "apply your change again", current_version=course.header.version)
        old = course.record
        if (new.patient.id, new.patient.birth_date, new.patient.can_get_pregnant) != (
                old.patient.id, old.patient.birth_date, old.patient.can_get_pregnant):
            raise RecordError([Problem("patient", "the patient of a stored course cannot be "
                                       "changed here (only patient.weight_kg can)")])
        added = _new_events(old, new)
        check_new_events(added, clock.today())
        _check_settings_change(old, new, rules)
        now = clock.now()
        header = course.header
        changed = _changed_settings(header, new)
        if changed:
            version = uow.courses.claim(course_id, expected_version=expected_version,
                                        by=actor.id, at=now, change="settings",
                                        detail={"previous": changed})
            header = replace(header, info=new.course, weight_kg=new.patient.weight_kg,
                             extensions=new.extensions, version=version)
            uow.courses.update_header(header)
            course = load_course(uow, course_id, actor, rules)
            expected: int | None = version
        else:
            expected = expected_version
        if added:
            course, _ = append_events(uow, course, added, actor=actor, at=now, rules=rules,
                                      expected_version=expected, change="events")
        uow.commit()
    return course


def _check_settings_change(old: CourseRecord, new: CourseRecord, rules: Rulebook) -> None:
    """What a PUT may not change in a course's settings: the previous course's end (the
    server derives it from the patient's courses) and, once anything has been recorded, the
    programme. A new or moved start date is checked against the gap after a previous course."""
    problems = []
    if new.course.previous_course_end != old.course.previous_course_end:
        problems.append(Problem("course.previous_course_end", (
            "set by the server from the patient's earlier courses; it cannot be changed")))
    if old.events and new.course.jurisdiction != old.course.jurisdiction:
        problems.append(Problem("course.jurisdiction", (
            "the programme of a course with recorded events cannot be changed; start a new "
            "course instead")))
    if problems:
        raise RecordError(problems)
    previous = new.course.previous_course_end
    start = new.course.start_date
    if previous is not None and start is not None and start != old.course.start_date:
        _check_interval(new.course.jurisdiction, previous, start, rules)


def _new_events(old: CourseRecord, new: CourseRecord) -> list[dict[str, Any]]:
    """The events of ``new`` beyond those of ``old``; every old event must be in ``new``,
    unchanged and in the same order."""
    old_events = [event_to_json(e) for e in old.events]
    new_events = [event_to_json(e) for e in new.events]
    position = 0
    added: list[dict[str, Any]] = []
    for index, event in enumerate(new_events):
        if position < len(old_events) and event == old_events[position]:
            position += 1
        else:
            added.append(event)
            if position < len(old_events) and old_events[position].get("id") is not None \
                    and old_events[position].get("id") == event.get("id"):
                raise RecordError([Problem(f"events[{index}]", (
                    "a stored event cannot be changed; record a new event that supersedes "
                    "it, with a reason"))])
    if position < len(old_events):
        raise RecordError([Problem("events", (
            f"{len(old_events) - position} stored event(s) are missing; events are never "
            "deleted (record a correction that supersedes an event instead)"))])
    return added


def _changed_settings(header: CourseHeader, new: CourseRecord) -> dict[str, Any]:
    """The previous values of whatever the new record changes (empty when nothing)."""
    old_json = record_to_json(CourseRecord(
        patient=new.patient, course=header.info, extensions=header.extensions))
    new_json = record_to_json(new)
    previous: dict[str, Any] = {}
    if old_json["course"] != new_json["course"]:
        previous["course"] = old_json["course"]
    if header.weight_kg != new.patient.weight_kg:
        previous["weight_kg"] = str(header.weight_kg)
    if old_json.get("extensions") != new_json.get("extensions"):
        previous["extensions"] = old_json.get("extensions")
    return previous


