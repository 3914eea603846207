"""Bundles for the FHIR mapping tests: the spec example as a Bundle, finding its entries,
and reading the problems an import reports."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from isocourse.adapters.fhir.mapping import bundle_to_course, course_to_bundle
from isocourse.domain.errors import Problem, RecordError
from isocourse.domain.record import CourseRecord, parse_record
from tests.unit.record.record_strategies import example

__all__ = ["entry_index", "example_bundle", "example_record", "problems_of", "resource"]

_CACHE: dict[str, dict[str, Any]] = {}


def example_record() -> CourseRecord:
    """The spec example (one event of every type) as a record."""
    return parse_record(example())


def example_bundle() -> dict[str, Any]:
    """A fresh copy of the spec example as a collection Bundle, for a test to change."""
    if "example" not in _CACHE:
        _CACHE["example"] = course_to_bundle(example_record())
    return copy.deepcopy(_CACHE["example"])


def entry_index(
    bundle: dict[str, Any],
    resource_type: str,
    where: Callable[[dict[str, Any]], bool] = lambda r: True,
) -> int:
    """The index of the first entry whose resource has the type and matches ``where``."""
    for i, entry in enumerate(bundle["entry"]):
        found = entry["resource"]
        if found["resourceType"] == resource_type and where(found):
            return i
    raise LookupError(resource_type)


def resource(
    bundle: dict[str, Any],
    resource_type: str,
    where: Callable[[dict[str, Any]], bool] = lambda r: True,
) -> dict[str, Any]:
    """The first resource of the type that matches ``where`` (to change it in place)."""
    found: dict[str, Any] = bundle["entry"][entry_index(bundle, resource_type, where)]["resource"]
    return found


def coded(code: str) -> Callable[[dict[str, Any]], bool]:
    """Matches a resource whose ``code`` has a coding with this code."""
    return lambda r: any(c.get("code") == code for c in r.get("code", {}).get("coding", []))


def problems_of(bundle: object) -> list[Problem]:
    """The problems an import reports (the test fails if it succeeds)."""
    with pytest.raises(RecordError) as caught:
        bundle_to_course(bundle)
    return list(caught.value.problems)


def paths_of(bundle: object) -> list[str]:
    return [p.path for p in problems_of(bundle)]
