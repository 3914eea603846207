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
    "extra_forbidden": "unknown element (not in FHIR R4)",
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


def fhir_path(base: str, location: Sequence[int | str]) -> str:
    """``base`` followed by a pydantic location in FHIR path notation."""
    path = base
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in _NOT_ELEMENTS and _ELEMENT.fullmatch(part):
            path += "." + part.rstrip("_").removesuffix("__ext")
    return path


def library_problems(errors: Sequence[Mapping[str, Any]], base: str) -> list[Problem]:
    """The model library's errors (pydantic ``ValidationError.errors()``) as problems."""
    problems = []
    for error in errors:
        kind = str(error.get("type", ""))
        message = _MESSAGES.get(kind.removeprefix("model_field_validation."), _DEFAULT)
        problems.append(Problem(fhir_path(base, tuple(error.get("loc", ()))), message))
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
