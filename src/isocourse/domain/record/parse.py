"""Reading a course record: JSON data in, a checked :class:`CourseRecord` out, or every problem.

:func:`parse_record` takes what ``json.load`` returns (with or without
``parse_float=Decimal``) and checks the *whole* document before it answers, so a person
fixing a record sees all its problems in one go, each located by its JSON path
(``events[3].result``). It raises :class:`~isocourse.domain.errors.RecordError` and nothing
else for any input, however malformed.

Unknown members are errors, except inside an ``"extensions"`` object (allowed at the top
level and in each event): a misspelt clinical field must not be silently dropped.
Messages name the field and the expected form, never the value found, because the value is
patient data (an unknown member's *key* is quoted: keys are field names).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from isocourse.domain.errors import Problem, RecordError
from isocourse.domain.record._parse_events import EventHead, check_sequence, read_event
from isocourse.domain.record._read import (
    Field,
    Reader,
    expected_one_of,
    index,
    read_bool,
    read_date,
    read_decimal,
    read_enum,
    read_extensions,
    read_fields,
    read_text,
)
from isocourse.domain.record.course import FORMAT, CourseInfo, CourseRecord, Jurisdiction, Patient
from isocourse.domain.record.events import Event
from isocourse.domain.units import MAX_WEIGHT_KG, MIN_WEIGHT_KG

__all__ = ["parse_course_info", "parse_record"]

_T = TypeVar("_T")
_EVENT_PATH = re.compile(r"events\[([0-9]+)\]")

_PATIENT_FIELDS = (
    Field("id", read_text),
    Field("birth_date", read_date),
    Field("can_get_pregnant", read_bool),
    Field("weight_kg", read_decimal(MIN_WEIGHT_KG, MAX_WEIGHT_KG, unit="kg")),
)


def parse_record(data: object, *, known_products: Collection[str] | None = None) -> CourseRecord:
    """Check ``data`` against the ``isocourse-course/1`` format and build the record.

    ``known_products``, when given (the catalog's ids), restricts ``course.product`` and
    each prescription's ``product``; without it any non-empty id is accepted, because the
    format layer does not load the catalog.

    Raises :class:`RecordError` listing every problem found.
    """
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise RecordError([Problem("", "expected a JSON object")])
    fields = (
        Field("format", _read_format),
        Field("patient", _object_reader(_PATIENT_FIELDS, _patient)),
        Field("course", _object_reader(_course_fields(known_products), _course)),
        Field("events", _events_reader(known_products)),
    )
    values = read_fields(data, "", problems, fields, extra=("extensions",))
    extensions = (
        read_extensions(data["extensions"], "extensions", problems) if "extensions" in data
        else None
    )
    if problems:
        raise RecordError(sorted(problems, key=_document_order))
    return CourseRecord(
        format=FORMAT,
        patient=values["patient"],
        course=values["course"],
        events=values["events"],
        extensions=extensions,
    )


def parse_course_info(data: object, *, known_products: Collection[str] | None = None,
                      path: str = "course") -> CourseInfo:
    """Check and build the ``course`` object of a record on its own (the server keeps a
    course's settings apart from its events). Raises :class:`RecordError`."""
    problems: list[Problem] = []
    info = _object_reader(_course_fields(known_products), _course)(data, path, problems)
    if problems or info is None:
        raise RecordError(problems or [Problem(path, "expected an object")])
    return info


def _document_order(problem: Problem) -> int:
    """Sort key putting each event's problems together in array order; the sort is stable,
    so the problems of one event keep their field order and the top-level ones stay first."""
    match = _EVENT_PATH.match(problem.path)
    return int(match.group(1)) if match else -1


def _read_format(value: object, path: str, problems: list[Problem]) -> str | None:
    if value == FORMAT and isinstance(value, str):
        return FORMAT
    problems.append(Problem(path, expected_one_of([FORMAT])))
    return None


def _patient(values: dict[str, Any]) -> Patient:
    return Patient(**values)


def _course(values: dict[str, Any]) -> CourseInfo:
    return CourseInfo(**values)


def _course_fields(known_products: Collection[str] | None) -> tuple[Field, ...]:
    product: Reader[str] = read_text
    if known_products is not None:
        product = _read_one_of(sorted(known_products))
    return (
        Field("jurisdiction", read_enum(Jurisdiction)),
        Field("product", product),
        Field("start_date", read_date, required=False),
        Field("lab_profile", read_text, required=False),
        Field("home_tests_allowed", read_bool, required=False),
        Field("previous_course_end", read_date, required=False),
    )


def _read_one_of(allowed: list[str]) -> Reader[str]:
    """One of a list of ids that is data, not code (the catalog's product ids)."""

    def reader(value: object, path: str, problems: list[Problem]) -> str | None:
        if isinstance(value, str) and value in allowed:
            return value
        problems.append(Problem(path, expected_one_of(allowed)))
        return None

    return reader


def _object_reader(
    fields: tuple[Field, ...], build: Callable[[dict[str, Any]], _T]
) -> Reader[_T]:
    """A reader for a nested object whose members are ``fields``; ``build`` makes the value."""

    def reader(value: object, path: str, problems: list[Problem]) -> _T | None:
        if not isinstance(value, dict):
            problems.append(Problem(path, "expected an object"))
            return None
        before = len(problems)
        values = read_fields(value, path, problems, fields)
        return build(values) if len(problems) == before else None

    return reader


def _events_reader(known_products: Collection[str] | None) -> Reader[tuple[Event, ...]]:
    def reader(value: object, path: str, problems: list[Problem]) -> tuple[Event, ...] | None:
        if not isinstance(value, list):
            problems.append(Problem(path, "expected an array"))
            return None
        before = len(problems)
        events: list[Event] = []
        heads: list[EventHead] = []
        for i, raw in enumerate(value):
            event, head = read_event(raw, index(path, i), problems, known_products)
            heads.append(head)
            if event is not None:
                events.append(event)
        check_sequence(heads, path, problems)
        return tuple(events) if len(problems) == before else None

    return reader

