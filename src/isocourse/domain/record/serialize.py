"""Writing a course record as JSON data, without loss.

:func:`record_to_json` returns plain dicts, lists, strings, ints, floats and booleans, ready
for ``json.dumps``; :func:`~isocourse.domain.record.parse.parse_record` reads them back to an
equal record. Optional members that are absent (``None``) are left out, never written as
``null`` (the format has no nulls). Members with a default (``refills``, ``lab_profile``,
``home_tests_allowed``) are always written: a record is easier to read when it says so.

Numbers: whole mg are ints; a :class:`~decimal.Decimal` is written as an int when whole and
otherwise as the float that reads back to the same Decimal (rule and reasons in
``_json.json_number``). A Decimal that no JSON number carries exactly cannot come out of
:func:`parse_record`, which refuses it; a record built in code with one is a programming
error, and writing it raises :class:`ValueError` rather than round it silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal
from enum import StrEnum
from typing import Any

from isocourse.domain.record._json import json_copy, json_number
from isocourse.domain.record.course import CourseInfo, CourseRecord, Patient
from isocourse.domain.record.events import Event

__all__ = ["course_info_to_json", "event_to_json", "record_to_json"]

#: Members every event has, written in a fixed place rather than in field order.
_LEADING = ("date", "id")
_TRAILING = ("note", "supersedes", "reason")
_OPAQUE = ("extensions",)


def record_to_json(record: CourseRecord) -> dict[str, Any]:
    """The record as JSON data: ``parse_record(record_to_json(r)) == r``."""
    out: dict[str, Any] = {
        "format": record.format,
        "patient": _patient(record.patient),
        "course": course_info_to_json(record.course),
        "events": [event_to_json(event) for event in record.events],
    }
    if record.extensions is not None:
        out["extensions"] = json_copy(record.extensions)
    return out


def event_to_json(event: Event) -> dict[str, Any]:
    """One event as a JSON object: ``type``, ``date``, ``id``, its own members, then
    ``note``, ``supersedes``, ``reason`` and ``extensions`` (a stable order makes diffs of
    records readable)."""
    out: dict[str, Any] = {"type": event.type.value, "date": event.date.isoformat()}
    if event.id is not None:
        out["id"] = event.id
    skip = {*_LEADING, *_TRAILING, *_OPAQUE}
    for spec in fields(event):
        if spec.name not in skip:
            _put(out, spec.name, getattr(event, spec.name))
    for name in _TRAILING:
        _put(out, name, getattr(event, name))
    if event.extensions is not None:
        out["extensions"] = json_copy(event.extensions)
    return out


def _patient(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "birth_date": patient.birth_date.isoformat(),
        "can_get_pregnant": patient.can_get_pregnant,
        "weight_kg": _value("weight_kg", patient.weight_kg),
    }


def course_info_to_json(course: CourseInfo) -> dict[str, Any]:
    """The ``course`` object of a record."""
    out: dict[str, Any] = {
        "jurisdiction": course.jurisdiction.value,
        "product": course.product,
    }
    _put(out, "start_date", course.start_date)
    out["lab_profile"] = course.lab_profile
    out["home_tests_allowed"] = course.home_tests_allowed
    _put(out, "previous_course_end", course.previous_course_end)
    return out


def _put(out: dict[str, Any], name: str, value: object) -> None:
    if value is not None:
        out[name] = _value(name, value)


def _value(name: str, value: object) -> Any:
    """A member's value as JSON data (enums as their codes, dates as ``YYYY-MM-DD``)."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        number = json_number(value)
        if number is None:
            raise ValueError(f"{name} cannot be written exactly as a JSON number")
        return number
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_value(name, item) for item in value]
    raise TypeError(f"{name}: no JSON form for {type(value).__name__}")
