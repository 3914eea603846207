"""Writing a course record as a FHIR Bundle (``collection`` or ``transaction``).

Entries, in this order: the Patient, the acne Condition, the course (MedicationRequest,
intent plan), the weight at enrollment, then one resource per event in record order (two
for a PHQ: the response and its total), then the derived outputs asked for (a CarePlan for
a plan, a DetectedIssue per finding). Resources refer to each other by ``fullUrl``s
``urn:uuid:…`` that depend only on the entry's position, so the same record always gives
the same Bundle. A transaction's entries are ``POST``s of new resources.

The values are taken from :func:`~isocourse.domain.record.record_to_json`, so numbers are
the exact JSON numbers the course-record format writes, and the mapping back reads them
with the same parser.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

from isocourse.adapters.fhir.codes import tables
from isocourse.adapters.fhir.mapping.careplan import careplan_resource
from isocourse.adapters.fhir.mapping.common import Links
from isocourse.adapters.fhir.mapping.conditions import acne_resource, side_effect_resource
from isocourse.adapters.fhir.mapping.course import course_resource
from isocourse.adapters.fhir.mapping.errors import raise_problems
from isocourse.adapters.fhir.mapping.findings import detected_issue_resources
from isocourse.adapters.fhir.mapping.measurements import lab_resource, weight_resource
from isocourse.adapters.fhir.mapping.medication import (
    dispense_resource,
    dose_resource,
    prescription_resource,
)
from isocourse.adapters.fhir.mapping.observations import (
    CODED_EVENTS,
    coded_resource,
    test_resource,
)
from isocourse.adapters.fhir.mapping.patient import enrollment_weight_resource, patient_resource
from isocourse.adapters.fhir.mapping.questionnaire import QUESTIONNAIRES, phq_resources
from isocourse.adapters.fhir.mapping.validation import validate_bundle, validate_resource
from isocourse.domain.errors import Problem
from isocourse.domain.planner import Plan
from isocourse.domain.record import CourseRecord, EventType, record_to_json
from isocourse.rules.model import Assessment

__all__ = ["BundleType", "write_bundle"]

BundleType = Literal["collection", "transaction"]
_Writer = Callable[[Mapping[str, Any], Links], dict[str, Any]]

#: The writer of each event type that becomes one resource (PHQs become two).
_WRITERS: dict[EventType, _Writer] = {
    **dict.fromkeys(CODED_EVENTS, coded_resource),
    EventType.PREGNANCY_TEST: test_resource,
    EventType.LAB: lab_resource,
    EventType.WEIGHT: weight_resource,
    EventType.PRESCRIPTION: prescription_resource,
    EventType.DISPENSE: dispense_resource,
    EventType.DOSE: dose_resource,
    EventType.SIDE_EFFECT: side_effect_resource,
}


def write_bundle(
    record: CourseRecord,
    *,
    bundle_type: BundleType = "collection",
    assessment: Assessment | None = None,
    plan: Plan | None = None,
) -> dict[str, Any]:
    """The record (and, when given, the derived plan and findings) as a Bundle, checked
    against the FHIR models."""
    data = record_to_json(record)
    urls = _full_urls()
    patient_url, acne_url, course_url, weight_url = (next(urls) for _ in range(4))
    links = Links(
        patient=patient_url, course=course_url, acne=acne_url, superseded=record.superseded_ids()
    )
    entries = [
        (patient_url, patient_resource(data["patient"])),
        (acne_url, acne_resource(links)),
        (course_url, course_resource(data["course"], data.get("extensions"), links)),
        (weight_url, enrollment_weight_resource(data["patient"], links)),
    ]
    for event in data["events"]:
        kind = EventType(event["type"])
        if kind in QUESTIONNAIRES:
            response_url, total_url = next(urls), next(urls)
            response, total = phq_resources(event, links, response_url)
            entries += [(response_url, response), (total_url, total)]
        else:
            entries.append((next(urls), _WRITERS[kind](event, links)))
    if plan is not None:
        entries.append((next(urls), careplan_resource(plan, links)))
    if assessment is not None:
        entries += [(next(urls), issue) for issue in detected_issue_resources(assessment, links)]
    bundle = {
        "resourceType": "Bundle",
        "type": bundle_type,
        "entry": [_entry(url, resource, bundle_type) for url, resource in entries],
    }
    raise_problems(_problems(bundle))
    return bundle


def _entry(url: str, resource: dict[str, Any], bundle_type: BundleType) -> dict[str, Any]:
    entry: dict[str, Any] = {"fullUrl": url, "resource": resource}
    if bundle_type == "transaction":
        entry["request"] = {"method": "POST", "url": resource["resourceType"]}
    return entry


def _full_urls() -> Iterator[str]:
    """``urn:uuid:`` fullUrls by position: name-based UUIDs under the isocourse base."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, tables().base)
    position = 0
    while True:
        yield f"urn:uuid:{uuid.uuid5(namespace, f'entry/{position}')}"
        position += 1


def _problems(bundle: Mapping[str, Any]) -> list[Problem]:
    problems = validate_bundle(bundle)
    for i, entry in enumerate(bundle["entry"]):
        problems += validate_resource(entry["resource"], f"Bundle.entry[{i}].resource")
    return problems
