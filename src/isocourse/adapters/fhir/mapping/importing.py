"""Reading a FHIR Bundle (``collection`` or ``transaction``) into a course record.

Four gates, each reporting every problem it finds before the next one runs, all as one
:class:`~isocourse.domain.errors.RecordError` with FHIR paths:

1. the Bundle's shape: a Bundle of a supported type whose entries hold resources of the
   types the mapping knows (a transaction's entries must create or update);
2. the FHIR models (``fhir.resources``), resource by resource;
3. the mapping: codes in their value sets (isotretinoin, analytes, results), statuses that
   mean the fact happened, convertible units, one Patient, one course, one weight at
   enrollment, subjects that are the Patient, retractions that another entry supersedes,
   totals that agree with their items;
4. the course-record parser, on the record JSON the mapping built: every rule of the
   format, with each problem moved back to the FHIR element it came from.

Derived resources (CarePlan, DetectedIssue, the acne Condition, PHQ totals) are checked
where said and otherwise skipped: the plan and findings are recomputed from the record.
Events are put in record order by :func:`~isocourse.domain.record.ordering.order_events`,
which keeps the order of a Bundle this mapping wrote and repairs any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from isocourse.adapters.fhir.mapping.common import read_json_object
from isocourse.adapters.fhir.mapping.conditions import is_acne, read_side_effect
from isocourse.adapters.fhir.mapping.course import read_course
from isocourse.adapters.fhir.mapping.errors import raise_problems, record_problems
from isocourse.adapters.fhir.mapping.measurements import read_lab, read_weight
from isocourse.adapters.fhir.mapping.medication import (
    PRESCRIPTION_INTENTS,
    read_dispense,
    read_dose,
    read_prescription,
)
from isocourse.adapters.fhir.mapping.observations import (
    observation_kind,
    read_coded,
    read_test,
)
from isocourse.adapters.fhir.mapping.patient import (
    is_enrollment_weight,
    patient_references,
    read_enrollment_weight,
    read_patient,
)
from isocourse.adapters.fhir.mapping.questionnaire import (
    Total,
    check_total,
    read_response,
    read_total,
)
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report
from isocourse.adapters.fhir.mapping.validation import validate_bundle, validate_resource
from isocourse.domain.errors import RecordError
from isocourse.domain.record import FORMAT, CourseRecord, parse_record
from isocourse.domain.record.ordering import Head, order_events

__all__ = ["BUNDLE_TYPES", "RESOURCE_TYPES", "read_bundle"]

BUNDLE_TYPES = ("collection", "transaction")
#: The resource types an import reads; the last two are derived and skipped.
RESOURCE_TYPES = (
    "Patient",
    "Condition",
    "MedicationRequest",
    "MedicationDispense",
    "MedicationStatement",
    "Observation",
    "QuestionnaireResponse",
    "CarePlan",
    "DetectedIssue",
)
_DERIVED = ("CarePlan", "DetectedIssue")


@dataclass(slots=True)
class _Parts:
    """What the entries gave, before the checks across entries."""

    patient: Draft | None = None
    patient_refs: set[str] = field(default_factory=set)
    course: Draft | None = None
    top_extensions: Node | None = None
    weights: list[Node] = field(default_factory=list)
    events: list[Draft] = field(default_factory=list)
    responses: dict[str, Draft] = field(default_factory=dict)
    totals: list[Total] = field(default_factory=list)
    subjects: list[Node] = field(default_factory=list)
    record: Draft = field(default_factory=lambda: Draft(Node(None, "Bundle")))


def read_bundle(data: object, *, known_products: Collection[str] | None = None) -> CourseRecord:
    """The course record a Bundle holds; raises :class:`RecordError` with FHIR paths."""
    report = Report()
    bundle = Node(data, "Bundle")
    entries = _entries(bundle, report)
    raise_problems(report.problems)
    problems = validate_bundle(bundle.value)
    for resource, _ in entries:
        problems += validate_resource(resource.value, resource.path)
    raise_problems(problems)
    parts = _Parts()
    for resource, full_url in entries:
        _read(resource, full_url, parts, report)
    _check_across(parts, bundle, report)
    raise_problems(report.problems)
    if parts.patient is None or parts.course is None:  # reported above, so never here
        raise RecordError(report.problems)
    record, paths = _assemble(parts.patient, parts.course, parts)
    try:
        return parse_record(record, known_products=known_products)
    except RecordError as error:
        raise RecordError(record_problems(error.problems, paths)) from None


def _entries(bundle: Node, report: Report) -> list[tuple[Node, str | None]]:
    """Gate 1: each entry's resource and fullUrl."""
    if not isinstance(bundle.value, dict):
        report.add("Bundle", "expected a JSON object (a FHIR Bundle)")
        return []
    if bundle.at("resourceType").value != "Bundle":
        report.add(bundle.at("resourceType").path, 'expected "Bundle"')
        return []
    kind = bundle.at("type").value
    if kind not in BUNDLE_TYPES:
        report.add(bundle.at("type").path, 'expected "collection" or "transaction"')
    if bundle.at("entry").present and not isinstance(bundle.at("entry").value, list):
        report.add(bundle.at("entry").path, "expected an array")
    found = []
    for entry in bundle.at("entry").items():
        resource = entry.at("resource")
        if not isinstance(resource.value, dict):
            report.add(resource.path, "expected a resource")
            continue
        if resource.at("resourceType").value not in RESOURCE_TYPES:
            report.add(
                resource.at("resourceType").path, f"expected one of {', '.join(RESOURCE_TYPES)}"
            )
            continue
        if kind == "transaction" and entry.at("request").at("method").value not in ("POST", "PUT"):
            report.add(entry.at("request").at("method").path, 'expected "POST" or "PUT"')
        found.append((resource, entry.at("fullUrl").text()))
    return found


def _read(resource: Node, full_url: str | None, parts: _Parts, report: Report) -> None:
    """Gate 3, entry by entry."""
    kind = resource.at("resourceType").value
    if kind in _DERIVED:
        return
    if kind == "Patient":
        if parts.patient is not None:
            report.add(resource.path, "a second Patient: a Bundle holds one course of one patient")
        else:
            parts.patient = read_patient(resource, report)
            parts.patient_refs = patient_references(resource, full_url)
        return
    parts.subjects.append(resource.at("subject"))
    draft = _event(resource, kind, full_url, parts, report)
    if draft is not None:
        parts.events.append(draft)


def _event(
    resource: Node, kind: str, full_url: str | None, parts: _Parts, report: Report
) -> Draft | None:
    if kind == "Condition":
        return None if is_acne(resource) else read_side_effect(resource, report)
    if kind == "MedicationDispense":
        return read_dispense(resource, report)
    if kind == "MedicationStatement":
        return read_dose(resource, report)
    if kind == "QuestionnaireResponse":
        draft = read_response(resource, report)
        if draft is not None:
            for name in (full_url, _local_reference(resource)):
                if name:
                    parts.responses[name] = draft
        return draft
    if kind == "MedicationRequest":
        return _request(resource, parts, report)
    return _observation(resource, parts, report)


def _request(resource: Node, parts: _Parts, report: Report) -> Draft | None:
    intent = resource.at("intent")
    if intent.value in PRESCRIPTION_INTENTS:
        return read_prescription(resource, report)
    if intent.value != "plan":
        report.add(intent.path, 'expected "plan" (the course) or "order" (a prescription)')
    elif parts.course is not None:
        report.add(resource.path, "a second course (MedicationRequest with intent plan)")
    else:
        parts.course, parts.top_extensions = read_course(resource, report)
    return None


def _observation(resource: Node, parts: _Parts, report: Report) -> Draft | None:
    kind = observation_kind(resource, report)
    if kind is None:
        return None
    if kind in ("phq9-total", "phq2-total"):
        parts.totals.append(read_total(resource, kind))
        return None
    if kind == "weight":
        if is_enrollment_weight(resource):
            parts.weights.append(resource)
            return None
        return read_weight(resource, report)
    if kind == "lab":
        return read_lab(resource, report)
    if kind == "pregnancy_test":
        return read_test(resource, report)
    return read_coded(resource, kind, report)


def _local_reference(resource: Node) -> str | None:
    resource_id = resource.at("id").text()
    return f"{resource.at('resourceType').value}/{resource_id}" if resource_id else None


def _check_across(parts: _Parts, bundle: Node, report: Report) -> None:
    """Gate 3, across entries."""
    where = bundle.at("entry").path
    if parts.patient is None:
        report.add(where, "expected a Patient")
    if parts.course is None:
        report.add(where, "expected the course: a MedicationRequest with intent plan")
    if not parts.weights:
        report.add(
            where,
            "expected the weight at enrollment: a body-weight Observation with "
            "the extension enrollment-weight",
        )
    for extra in parts.weights[1:]:
        report.add(extra.path, "a second weight at enrollment")
    if parts.patient is not None:
        if parts.weights:
            read_enrollment_weight(parts.weights[0], parts.patient, report)
        for subject in parts.subjects:
            if subject.present and subject.at("reference").text() not in parts.patient_refs:
                report.add(subject.path, "expected a reference to the Bundle's Patient")
    superseded = {draft.data["supersedes"] for draft in parts.events if "supersedes" in draft.data}
    for draft in parts.events:
        if draft.retracted is not None and draft.data.get("id") not in superseded:
            report.add(
                draft.retracted,
                "entered-in-error is accepted only for an event that "
                "another entry supersedes (extension supersedes)",
            )
    for total in parts.totals:
        check_total(total, parts.responses, report)
    if parts.top_extensions is not None:
        read_json_object(parts.top_extensions, parts.record, "extensions", report)


def _head(draft: Draft) -> Head:
    day = dt.date.fromisoformat(draft.data["date"])
    supersedes, event_id = draft.data.get("supersedes"), draft.data.get("id")
    return Head(
        day,
        event_id if isinstance(event_id, str) else None,
        supersedes if isinstance(supersedes, str) else None,
    )


def _assemble(
    patient: Draft, course: Draft, parts: _Parts
) -> tuple[dict[str, Any], dict[str, str]]:
    """Gate 4's input: the record JSON, and the FHIR path of each record path."""
    try:
        events = order_events(parts.events, _head)
    except (KeyError, TypeError, ValueError):
        events = parts.events  # a bad date: the parser reports it; keep the Bundle's order
    record: dict[str, Any] = {
        "format": FORMAT,
        "patient": patient.data,
        "course": course.data,
        "events": [e.data for e in events],
    }
    paths = {"": "Bundle", "format": "Bundle", "events": "Bundle.entry"}
    for name, draft in (("patient", patient), ("course", course)):
        paths[name] = draft.resource.path
        paths.update({f"{name}.{member}": path for member, path in draft.paths.items()})
    for i, draft in enumerate(events):
        paths[f"events[{i}]"] = draft.resource.path
        paths.update({f"events[{i}].{member}": path for member, path in draft.paths.items()})
    if "extensions" in parts.record.data:
        record["extensions"] = parts.record.data["extensions"]
        paths["extensions"] = parts.record.paths["extensions"]
    return record, paths
