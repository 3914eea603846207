"""Errors of the FHIR mapping, in the domain's one shape: a
:class:`~isocourse.domain.errors.RecordError` whose problems carry FHIR paths.

Two translations happen here, both without echoing a value (values are patient data):

- the model library's validation errors (pydantic) become problems at FHIR paths
  (``('entry', 3, 'resource', 'valueQuantity', 'value')`` under ``Bundle`` is
  ``Bundle.entry[3].resource.valueQuantity.value``) with a message chosen by the error's
  *type*; pydantic's own message is never used, because it quotes the input;
- the course-record parser's problems (``events[4].value``) are moved to the FHIR element
  each record member came from, by the path map the import built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from isocourse.domain.errors import Problem, RecordError

__all__ = ["fhir_path", "library_problems", "raise_problems", "record_problems"]

_MESSAGES = {
    "missing": "missing required element",
    "extra_forbidden": "unknown element for this resource or data type",
    "list_type": "expected an array",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
    "string_type": "expected a string",
    "string_pattern_mismatch": "not a valid value for this FHIR data type",
    "string_too_long": "longer than FHIR allows",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "greater_than_equal": "number out of range for this element",
    "less_than_equal": "number out of range for this element",
    "value_error": "not a valid value for this element",
    "date_from_datetime_parsing": "expected a FHIR date",
}
_DEFAULT = "not a valid value for this element"
#: Members of a location that are pydantic's own bookkeeping, not FHIR elements.
_NOT_ELEMENTS = {"root", "__root__"}
_ELEMENT = re.compile(r"_?[A-Za-z][A-Za-z0-9]*_?")
_EVENT = re.compile(r"events\[[0-9]+\]")


def fhir_path(base: str, location: Sequence[int | str], data: object) -> tuple[str, bool]:
    """``base`` followed by a pydantic location in FHIR path notation, and whether the
    whole location was followed.

    The location is followed through ``data`` (the input) and stops where the input does:
    the library reads a JSON *string* where an object is due, so a location may continue
    into keys that exist only inside a string value, and those keys are patient data. Only
    a missing last member (a required element that is absent) is named beyond the input.
    """
    path, here = base, data
    parts = [p for p in location if isinstance(p, int) or p not in _NOT_ELEMENTS]
    for n, part in enumerate(parts):
        if isinstance(part, int) and isinstance(here, list) and 0 <= part < len(here):
            path, here = f"{path}[{part}]", here[part]
        elif isinstance(part, str) and isinstance(here, dict) and _ELEMENT.fullmatch(part):
            key = part if part in here else part.rstrip("_")
            if key not in here and n < len(parts) - 1:
                return path, False
            path, here = f"{path}.{key}", here.get(key)
        else:
            return path, False
    return path, True


def library_problems(errors: Sequence[Mapping[str, Any]], base: str, data: object) -> list[Problem]:
    """The model library's errors (pydantic ``ValidationError.errors()``) on ``data`` as
    problems."""
    problems = []
    for error in errors:
        path, exact = fhir_path(base, tuple(error.get("loc", ())), data)
        kind = str(error.get("type", "")).removeprefix("model_field_validation.")
        problems.append(Problem(path, _MESSAGES.get(kind, _DEFAULT) if exact else _DEFAULT))
    return problems


def record_problems(problems: Sequence[Problem], paths: Mapping[str, str]) -> list[Problem]:
    """The record parser's problems moved to FHIR paths: the longest record path in ``paths``
    that starts the problem's path is replaced by its FHIR path (a finer remainder, such as
    an array index, is kept), and record paths quoted in a message are replaced too."""
    moved = []
    for problem in problems:
        moved.append(
            Problem(
                _move(problem.path, paths),
                _EVENT.sub(lambda m: _move(m.group(0), paths), problem.message),
            )
        )
    return moved


def _move(path: str, paths: Mapping[str, str]) -> str:
    candidate = path
    while True:
        if candidate in paths:
            return paths[candidate] + path[len(candidate) :]
        cut = max(candidate.rfind("."), candidate.rfind("["))
        if cut <= 0:
            return paths.get("", "Bundle")
        candidate = candidate[:cut]


def raise_problems(problems: Sequence[Problem]) -> None:
    """Raise the one error of the mapping when there is any problem."""
    if problems:
        raise RecordError(problems)
