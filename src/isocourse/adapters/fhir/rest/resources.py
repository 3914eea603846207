"""The resources the FHIR server shows, with ids that stay the same from call to call.

A course is written as a Bundle by the mapping (:func:`course_to_bundle`, with its CarePlan
when the plan is known), whose entries refer to each other by ``urn:uuid:`` fullUrls. Here
each entry gets a server id and the references become ``Type/id``:

- the Patient: the patient's id on this server (``/api/v1/patients/{id}``);
- everything else: ``{course_id}.{key}``, where ``key`` is ``condition`` (acne),
  ``course`` (the course's MedicationRequest), ``weight`` (the enrollment weight),
  ``e{n}`` for the resource of the course's event number ``n`` (its place in the order
  the events were recorded, which never changes) and ``e{n}.total`` for a PHQ's total
  score, and ``careplan``.

DetectedIssues (the rules' findings) depend on the day they are read, so they are not
served here: the Bundle export (``GET /api/v1/courses/{id}/fhir``) carries them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from isocourse.adapters.fhir.mapping import course_to_bundle
from isocourse.adapters.fhir.mapping.patient import patient_resource
from isocourse.services.course_outputs import CourseOutputs
from isocourse.services.stored import PatientRow

__all__ = ["RESOURCE_TYPES", "Served", "course_resources", "patient_only"]

#: Every type the server shows, with the search parameters that name the patient.
RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "Patient": ("_id",),
    "Condition": ("patient", "subject"),
    "MedicationRequest": ("patient", "subject"),
    "MedicationDispense": ("patient", "subject"),
    "MedicationStatement": ("patient", "subject"),
    "Observation": ("patient", "subject"),
    "QuestionnaireResponse": ("patient", "subject"),
    "CarePlan": ("patient", "subject"),
}


@dataclass(frozen=True, slots=True)
class Served:
    type: str
    id: str
    resource: dict[str, Any]


def patient_only(patient: PatientRow) -> Served:
    resource = patient_resource({"id": patient.external_id,
                                 "birth_date": patient.birth_date.isoformat(),
                                 "can_get_pregnant": patient.can_get_pregnant})
    return Served("Patient", patient.id, {"resourceType": "Patient", "id": patient.id}
                  | {k: v for k, v in resource.items() if k != "resourceType"})


def course_resources(outputs: CourseOutputs) -> list[Served]:
    """The course's resources (the Patient first), with ids and references of this server."""
    course = outputs.course
    bundle = course_to_bundle(course.record, plan=outputs.plan)
    entries = bundle["entry"]
    ids = list(_ids(course.header.id, course.patient.id, entries,
                    [e.seq for e in course.events]))
    urls = {entry["fullUrl"]: f"{entry['resource']['resourceType']}/{rid}"
            for entry, rid in zip(entries, ids, strict=True)}
    served = []
    for entry, rid in zip(entries, ids, strict=True):
        resource = _relinked(entry["resource"], urls)
        resource = {"resourceType": resource["resourceType"], "id": rid} | {
            k: v for k, v in resource.items() if k != "resourceType"}
        served.append(Served(resource["resourceType"], rid, resource))
    return served


def _ids(course_id: str, patient_id: str, entries: list[dict[str, Any]],
         seqs: list[int]) -> Iterator[str]:
    yield patient_id
    for key in ("condition", "course", "weight"):
        yield f"{course_id}.{key}"
    events = iter(seqs)
    position = 4
    while position < len(entries):
        kind = entries[position]["resource"]["resourceType"]
        if kind in ("CarePlan", "DetectedIssue"):
            yield f"{course_id}.{kind.lower()}"
            position += 1
            continue
        seq = next(events)
        yield f"{course_id}.e{seq}"
        if kind == "QuestionnaireResponse":  # a PHQ: the response, then its total
            yield f"{course_id}.e{seq}.total"
            position += 1
        position += 1


def _relinked(value: Any, urls: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: (urls.get(v, v) if k == "reference" and isinstance(v, str)
                    else _relinked(v, urls)) for k, v in value.items()}
    if isinstance(value, list):
        return [_relinked(v, urls) for v in value]
    return value
