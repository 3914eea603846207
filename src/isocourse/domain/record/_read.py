"""Field readers for the course-record parser: check a JSON value, report, carry on.

A reader takes ``(value, path, problems)``. It returns the domain value, or ``None`` after
appending a :class:`Problem` to ``problems`` (``None`` is never a valid field value: the
format has no nulls). Collecting instead of raising is what lets :func:`parse_record` report
every problem of a record at once.

Messages name the expected form and never the value found: the value is patient data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from isocourse.domain.dates import FIRST_DATE, LAST_DATE, supported
from isocourse.domain.errors import Problem
from isocourse.domain.record._json import MAX_DEPTH, NotJson, json_copy, json_number, to_decimal

__all__ = [
    "Field",
    "Reader",
    "at",
    "expected_one_of",
    "index",
    "read_bool",
    "read_date",
    "read_decimal",
    "read_enum",
    "read_enum_list",
    "read_extensions",
    "read_fields",
    "read_scores",
    "read_text",
    "read_whole",
]

_T = TypeVar("_T")
_E = TypeVar("_E", bound=StrEnum)

Reader = Callable[[object, str, list[Problem]], _T | None]

#: Text fields must say something: an id or a prescriber of only spaces is a mistake.
#: The same pattern is in the JSON Schema (``pattern: "\\S"``).
_NON_BLANK = re.compile(r"\S")
#: Control characters other than tab and line breaks: never in a clinical text, and NUL
#: cannot even be stored by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Dates are exactly ``YYYY-MM-DD``; ``date.fromisoformat`` alone would also take
#: ``20261003`` and week dates.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def at(path: str, key: str) -> str:
    """The JSON path of member ``key`` of the object at ``path``."""
    return f"{path}.{key}" if path else key


def index(path: str, position: int) -> str:
    """The JSON path of item ``position`` of the array at ``path``."""
    return f"{path}[{position}]"


def expected_one_of(values: Sequence[str]) -> str:
    """``expected "a" or "b"`` / ``expected one of "a", "b", "c"``."""
    quoted = [json.dumps(v) for v in values]
    if len(quoted) == 1:
        return f"expected {quoted[0]}"
    if len(quoted) == 2:
        return f"expected {quoted[0]} or {quoted[1]}"
    return f"expected one of {', '.join(quoted)}"


def _fail(problems: list[Problem], path: str, message: str) -> None:
    problems.append(Problem(path, message))


def read_text(value: object, path: str, problems: list[Problem]) -> str | None:
    if isinstance(value, str) and _NON_BLANK.search(value):
        if _CONTROL.search(value):
            _fail(problems, path, "expected text without control characters")
            return None
        return value
    _fail(problems, path, "expected a non-empty string")
    return None


def read_bool(value: object, path: str, problems: list[Problem]) -> bool | None:
    if isinstance(value, bool):
        return value
    _fail(problems, path, "expected true or false")
    return None


def read_date(value: object, path: str, problems: list[Problem]) -> dt.date | None:
    if not (isinstance(value, str) and _DATE.fullmatch(value)):
        _fail(problems, path, "expected a date YYYY-MM-DD")
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        _fail(problems, path, "expected a real calendar date YYYY-MM-DD")
        return None
    if not supported(day):
        _fail(problems, path,
              f"expected a date from {FIRST_DATE.year} to {LAST_DATE.year}")
        return None
    return day


def _range_text(minimum: int | Decimal, maximum: int | Decimal | None, exclusive: bool) -> str:
    if maximum is not None:
        return f"from {minimum} to {maximum}"
    return f"greater than {minimum}" if exclusive else f"of at least {minimum}"


def read_whole(
    minimum: int, maximum: int | None = None, *, what: str = "a whole number"
) -> Reader[int]:
    """A whole number in a range. ``30.0`` counts as whole (JSON does not tell them apart),
    ``30.5`` does not: doses are whole milligrams."""

    def reader(value: object, path: str, problems: list[Problem]) -> int | None:
        number = to_decimal(value)
        if number is None or number != number.to_integral_value():
            _fail(problems, path, f"expected {what}")
            return None
        whole = int(number)
        if whole < minimum or (maximum is not None and whole > maximum):
            _fail(problems, path, f"expected {what} {_range_text(minimum, maximum, False)}")
            return None
        return whole

    return reader


def read_decimal(
    minimum: Decimal,
    maximum: Decimal | None = None,
    *,
    exclusive_minimum: bool = False,
    unit: str = "",
) -> Reader[Decimal]:
    """An exact number in a range, refused if a JSON number could not carry it back out."""
    suffix = f" {unit}" if unit else ""

    def reader(value: object, path: str, problems: list[Problem]) -> Decimal | None:
        number = to_decimal(value)
        if number is None:
            _fail(problems, path, "expected a number")
            return None
        too_low = number <= minimum if exclusive_minimum else number < minimum
        if too_low or (maximum is not None and number > maximum):
            span = _range_text(minimum, maximum, exclusive_minimum)
            _fail(problems, path, f"expected a number {span}{suffix}")
            return None
        if json_number(number) is None:
            _fail(problems, path, "expected a number that JSON carries exactly "
                                  "(at most 15 significant digits)")
            return None
        return number

    return reader


def read_enum(enum: type[_E], values: Sequence[str] | None = None) -> Reader[_E]:
    """One code of ``enum`` (or of the subset ``values``)."""
    allowed = list(values) if values is not None else [member.value for member in enum]

    def reader(value: object, path: str, problems: list[Problem]) -> _E | None:
        if isinstance(value, str) and value in allowed:
            return enum(value)
        _fail(problems, path, expected_one_of(allowed))
        return None

    return reader


def read_enum_list(enum: type[_E]) -> Reader[tuple[_E, ...]]:
    """An array of distinct codes; each bad item is its own problem."""
    item_reader = read_enum(enum)

    def reader(value: object, path: str, problems: list[Problem]) -> tuple[_E, ...] | None:
        if not isinstance(value, list):
            _fail(problems, path, "expected an array")
            return None
        before = len(problems)
        items = [item_reader(item, index(path, i), problems) for i, item in enumerate(value)]
        seen: set[object] = set()
        for i, item in enumerate(items):
            if item is not None and item in seen:
                _fail(problems, index(path, i), "lists the same value twice")
            seen.add(item)
        if len(problems) > before:
            return None
        return tuple(item for item in items if item is not None)

    return reader


def read_scores(length: int, low: int, high: int) -> Reader[tuple[int, ...]]:
    """A questionnaire's item scores: exactly ``length`` whole numbers from low to high."""
    item_reader = read_whole(low, high)

    def reader(value: object, path: str, problems: list[Problem]) -> tuple[int, ...] | None:
        if not isinstance(value, list):
            _fail(problems, path, f"expected an array of {length} scores")
            return None
        if len(value) != length:
            _fail(problems, path, f"expected exactly {length} scores")
            return None
        before = len(problems)
        items = [item_reader(item, index(path, i), problems) for i, item in enumerate(value)]
        if len(problems) > before:
            return None
        return tuple(item for item in items if item is not None)

    return reader


@dataclass(frozen=True, slots=True)
class Field:
    """One member of a JSON object: its key, its reader and whether it must be present."""

    name: str
    reader: Reader[Any]
    required: bool = True


def read_fields(
    obj: Mapping[object, object],
    path: str,
    problems: list[Problem],
    fields: Sequence[Field],
    *,
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """Read the members ``fields`` of ``obj``; refuse members not listed (nor in ``extra``,
    which the caller reads itself).

    Returns the members present, each read value or ``None`` where it was wrong; the caller
    compares ``len(problems)`` before and after to know whether the object is good, and can
    still use the good values for checks across fields and events.

    An unknown member is reported at the object's path with its key quoted (keys are field
    names, not patient data); a missing one at its own path.
    """
    known = {f.name for f in fields} | set(extra)
    for key in obj:
        if not isinstance(key, str):
            _fail(problems, path, "field names must be strings")
        elif key not in known:
            _fail(problems, path, f"unknown field {json.dumps(key[:80])}")
    values: dict[str, Any] = {}
    for spec in fields:
        if spec.name in obj:
            values[spec.name] = spec.reader(obj[spec.name], at(path, spec.name), problems)
        elif spec.required:
            _fail(problems, at(path, spec.name), "missing required field")
    return values


def read_extensions(value: object, path: str, problems: list[Problem]) -> dict[str, Any] | None:
    """An ``"extensions"`` object: any JSON data, copied, never interpreted."""
    if not isinstance(value, dict):
        _fail(problems, path, "expected an object")
        return None
    try:
        copied: dict[str, Any] = json_copy(value)
    except NotJson:
        _fail(problems, path, "expected JSON data only (objects with string keys, arrays, "
                              f"strings, finite numbers, booleans, null; at most {MAX_DEPTH} "
                              "levels deep)")
        return None
    return copied
