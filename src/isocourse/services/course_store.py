"""Reading a stored course back as a course record, and writing its events.

The record is rebuilt from storage by the core's own parser every time, so what the
server assesses is exactly what ``isocourse check`` would assess on the exported record.
Events are kept in the order they were recorded; the record shows them in record order
(:func:`isocourse.domain.record.ordering.order_events`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from isocourse.domain.errors import NotFound, Problem, RecordError
from isocourse.domain.record import (
    FORMAT,
    CourseEnd,
    CourseRecord,
    course_info_to_json,
    event_to_json,
    parse_record,
)
from isocourse.domain.record._json import json_number
from isocourse.domain.record.ordering import Head, order_events
from isocourse.services import ids
from isocourse.services.access import require_patient
from isocourse.services.ports import Actor, Rulebook, UnitOfWork
from isocourse.services.stored import CourseHeader, PatientRow, StoredEvent

__all__ = ["LoadedCourse", "append_events", "load_course", "record_document"]


@dataclass(frozen=True, slots=True)
class LoadedCourse:
    header: CourseHeader
    patient: PatientRow
    events: tuple[StoredEvent, ...]   # in record order
    record: CourseRecord


def _head(event: StoredEvent) -> Head:
    return Head(event.date, event.event_id, event.supersedes)


def record_document(patient: PatientRow, header: CourseHeader,
                    events: Sequence[StoredEvent]) -> dict[str, Any]:
    """The course record JSON of a stored course (``events`` already in record order)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "patient": {
            "id": patient.external_id,
            "birth_date": patient.birth_date.isoformat(),
            "can_get_pregnant": patient.can_get_pregnant,
            "weight_kg": json_number(header.weight_kg),
        },
        "course": course_info_to_json(header.info),
        "events": [dict(e.body) for e in events],
    }
    if header.extensions is not None:
        doc["extensions"] = dict(header.extensions)
    return doc


def load_patient(uow: UnitOfWork, patient_id: str, actor: Actor, *,
                 lock: bool = False) -> PatientRow:
    """The patient, or NotFound; :class:`Hidden` (answered the same way) when the actor may
    not reach their record. Noted for the audit trail either way."""
    patient = uow.patients.get(patient_id, lock=lock)
    if patient is None:
        raise NotFound("no such patient")
    uow.saw(patient.id)
    require_patient(actor, clinic_id=patient.clinic_id, patient_id=patient.id,
                    missing="no such patient")
    return patient


def load_course(uow: UnitOfWork, course_id: str, actor: Actor, rules: Rulebook, *,
                lock: bool = False, through_dispensing: bool = False,
                audited: bool = True) -> LoadedCourse:
    """The course and its record, or NotFound; :class:`Hidden` (answered the same way) when
    the actor may not reach it (see :func:`access.require_patient`). A use case that will
    write to the course passes ``lock=True`` *before* reading anything it decides on, so
    that concurrent writers to one course queue instead of both acting on the same old
    state. ``audited=False`` is for a use case that notes itself which records it shows
    (the due list reads every active course but shows a page)."""
    header = uow.courses.get(course_id, lock=lock)
    if header is None:
        raise NotFound("no such course")
    if audited:
        uow.saw(header.patient_id)
    require_patient(actor, clinic_id=header.clinic_id, patient_id=header.patient_id,
                    through_dispensing=through_dispensing, missing="no such course")
    patient = uow.patients.get(header.patient_id)
    if patient is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFound("no such patient")
    events = tuple(order_events(uow.courses.events(course_id), _head))
    record = parse_record(record_document(patient, header, events),
                          known_products=rules.catalog.products)
    return LoadedCourse(header, patient, events, record)


def ended_on(record: CourseRecord) -> dt.date | None:
    """The last dose date of the record's standing ``course_end``, if any."""
    ends = record.events_of(CourseEnd)
    return ends[-1].date if ends else None


def append_events(uow: UnitOfWork, course: LoadedCourse, bodies: Sequence[Mapping[str, Any]],
                  *, actor: Actor, at: dt.datetime, rules: Rulebook,
                  expected_version: int | None, change: str,
                  assign_ids: bool = True) -> tuple[LoadedCourse, tuple[StoredEvent, ...]]:
    """Check ``bodies`` (course-record event objects) against the whole course and store
    them, all or none. Gives events without an ``id`` a fresh one (so that each can later be
    corrected, and each prescription authorized against; ``assign_ids=False`` keeps them
    as they came); a correction (with
    ``supersedes``) must say why in ``reason``. Returns the course as now stored and the
    events just stored (with their ids)."""
    taken = {e.event_id for e in course.events if e.event_id is not None}
    prepared: list[dict[str, Any]] = []
    for position, body in enumerate(bodies):
        event = dict(body)
        if "supersedes" in event and not str(event.get("reason") or "").strip():
            raise RecordError([Problem(_path(position, len(bodies), "reason"),
                                       "a correction must say why (reason)")])
        if assign_ids and "id" not in event and isinstance(event.get("type"), str):
            event["id"] = ids.event_id(event["type"], taken)
        if isinstance(event.get("id"), str):
            taken.add(event["id"])
        prepared.append(event)
    # Check the new events where they will stand, with the whole course around them: the
    # order is computed exactly as load_course will compute it (from the recording order).
    pending: list[StoredEvent] = []
    next_seq = max((e.seq for e in course.events), default=-1) + 1
    for offset, event in enumerate(prepared):
        stored = StoredEvent(
            course_id=course.header.id, seq=next_seq + offset, type=str(event.get("type")),
            date=_date_or_min(event.get("date")), body=event, recorded_at=at,
            recorded_by=actor.id, recorded_for=actor.on_behalf_of,
            event_id=event.get("id") if isinstance(event.get("id"), str) else None,
            supersedes=event.get("supersedes") if isinstance(event.get("supersedes"), str)
            else None)
        pending.append(stored)
    recorded = sorted(course.events, key=lambda e: e.seq)
    ordered = order_events([*recorded, *pending], _head)
    document = record_document(course.patient, course.header, ordered)
    try:
        record = parse_record(document, known_products=rules.catalog.products)
    except RecordError as error:
        raise RecordError(_relocate(error.problems, ordered, pending)) from None
    # Normalize each body to the serializer's form (so storage holds one spelling).
    normalized = {id(s): event_to_json(e) for s, e in zip(ordered, record.events, strict=True)}
    version = uow.courses.claim(course.header.id, expected_version=expected_version,
                                by=actor.id, at=at, change=change,
                                detail={"events": len(pending)})
    saved = [uow.courses.append_event(replace(s, body=normalized[id(s)])) for s in pending]
    header = replace(course.header, version=version, ended_on=ended_on(record))
    if header.ended_on != course.header.ended_on:
        uow.courses.update_header(header)
    by_seq = {s.seq: s for s in saved}
    final = tuple(by_seq.get(e.seq, e) for e in ordered)
    return LoadedCourse(header, course.patient, final, record), tuple(saved)


def _date_or_min(value: object) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return dt.date.min


def _path(position: int, count: int, name: str) -> str:
    return f"events[{position}].{name}" if count > 1 else f"event.{name}"


def _relocate(problems: Sequence[Problem], ordered: Sequence[StoredEvent],
              pending: Sequence[StoredEvent]) -> list[Problem]:
    """Problems of the rebuilt record, re-addressed to the events the caller sent
    (``event.date`` or ``events[1].date``); problems elsewhere keep their record path."""
    index_of = {id(s): i for i, s in enumerate(ordered)}
    out: list[Problem] = []
    for problem in problems:
        path = problem.path
        for position, stored in enumerate(pending):
            prefix = f"events[{index_of[id(stored)]}]"
            if path == prefix or path.startswith(prefix + "."):
                rest = path[len(prefix):].lstrip(".")
                base = f"events[{position}]" if len(pending) > 1 else "event"
                path = f"{base}.{rest}" if rest else base
                break
        out.append(Problem(path, problem.message))
    return out
