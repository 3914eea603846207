"""The two directions of the mapping, as the rest of isocourse calls them.

::

    bundle = course_to_bundle(record)                 # JSON-ready dict, a FHIR R4 Bundle
    assert bundle_to_course(bundle) == record         # for every valid record

Both are pure: no clock, no I/O, no randomness; the same input gives the same output.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from isocourse.adapters.fhir.mapping.exporting import BundleType, write_bundle
from isocourse.adapters.fhir.mapping.importing import read_bundle
from isocourse.domain.planner import Plan
from isocourse.domain.record import CourseRecord
from isocourse.rules.model import Assessment

__all__ = ["BundleType", "bundle_to_course", "course_to_bundle"]


def course_to_bundle(
    record: CourseRecord,
    *,
    bundle_type: BundleType = "collection",
    assessment: Assessment | None = None,
    plan: Plan | None = None,
) -> dict[str, Any]:
    """The course record as a FHIR R4 Bundle (JSON-ready), validated by ``fhir.resources``.

    ``assessment`` adds a DetectedIssue per finding and ``plan`` a CarePlan: derived data,
    written for other systems and skipped by :func:`bundle_to_course`. Raises
    :class:`~isocourse.domain.errors.RecordError` if a resource fails validation (which a
    valid record never causes).
    """
    return write_bundle(record, bundle_type=bundle_type, assessment=assessment, plan=plan)


def bundle_to_course(
    bundle: object, *, known_products: Collection[str] | None = None
) -> CourseRecord:
    """The course record a FHIR Bundle (``collection`` or ``transaction``, as JSON data)
    holds. Raises :class:`~isocourse.domain.errors.RecordError`, and nothing else, for any
    input: every problem with its FHIR path (``Bundle.entry[3].resource.valueQuantity.
    value``) and a message that names no patient data.

    ``known_products`` (the catalog's ids) restricts product ids, as in
    :func:`~isocourse.domain.record.parse_record`.
    """
    return read_bundle(bundle, known_products=known_products)
