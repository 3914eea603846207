"""The patient, both ways: ``Patient`` and the weight at enrollment.

- ``patient.id``: ``Patient.identifier`` with system ``…/NamingSystem/patient-id``;
- ``birth_date``: ``Patient.birthDate``;
- ``can_get_pregnant``: extension ``can-get-pregnant`` (``valueBoolean``), since R4 Patient
  has no element for the programmes' risk category;
- ``weight_kg``: an ``Observation`` of body weight (LOINC 29463-7, kg) carrying the
  extension ``enrollment-weight`` = true and no date (the record has none); later weights
  are ``weight`` events, with dates.

Nothing else about the patient is written: the record holds no name, address or contact,
and an import skips those elements (isocourse never stores a name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isocourse.adapters.fhir.codes import extension_url, naming_system
from isocourse.adapters.fhir.mapping.common import Links, extension, read_extensions, read_quantity
from isocourse.adapters.fhir.mapping.measurements import body_weight
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report

__all__ = [
    "enrollment_weight_resource",
    "is_enrollment_weight",
    "patient_references",
    "patient_resource",
    "read_enrollment_weight",
    "read_patient",
]


def patient_resource(patient: Mapping[str, Any]) -> dict[str, Any]:
    """The record's ``patient`` object (JSON) as a Patient."""
    return {
        "resourceType": "Patient",
        "extension": [extension("can-get-pregnant", "valueBoolean", patient["can_get_pregnant"])],
        "identifier": [{"system": naming_system("patient-id"), "value": patient["id"]}],
        "birthDate": patient["birth_date"],
    }


def enrollment_weight_resource(patient: Mapping[str, Any], links: Links) -> dict[str, Any]:
    """The weight at enrollment as an undated body-weight Observation, marked as such."""
    resource = body_weight(patient["weight_kg"], links)
    resource["extension"] = [extension("enrollment-weight", "valueBoolean", True)]
    return resource


def read_patient(resource: Node, report: Report) -> Draft:
    """The record's ``patient`` members from a Patient. Its identifier is the one with the
    isocourse system, or else its only identifier."""
    draft = Draft(resource)
    identifiers = resource.at("identifier").items()
    ours = [i for i in identifiers if i.at("system").value == naming_system("patient-id")]
    if len(ours) == 1 or (not ours and len(identifiers) == 1):
        draft.take("id", (ours or identifiers)[0].at("value"))
    elif identifiers:
        report.add(
            resource.at("identifier").path,
            "expected one identifier with the isocourse patient-id system",
        )
    else:
        draft.where("id", resource.at("identifier").path)
    draft.take("birth_date", resource.at("birthDate"))
    own = read_extensions(resource, report, {"can-get-pregnant": "valueBoolean"})
    if "can-get-pregnant" in own:
        draft.take("can_get_pregnant", own["can-get-pregnant"])
    else:
        report.add(
            resource.at("extension").path, "missing the isocourse extension can-get-pregnant"
        )
    return draft


def patient_references(resource: Node, full_url: str | None) -> set[str]:
    """The references that name this Patient: its fullUrl, and ``Patient/<id>`` when the
    resource has an id."""
    names = {full_url} if full_url else set()
    resource_id = resource.at("id").text()
    if resource_id:
        names.add(f"Patient/{resource_id}")
    return names


def is_enrollment_weight(resource: Node) -> bool:
    """Whether a body-weight Observation is marked as the weight at enrollment."""
    return any(
        ext.at("url").value == extension_url("enrollment-weight")
        and ext.at("valueBoolean").value is True
        for ext in resource.at("extension").items()
    )


def read_enrollment_weight(resource: Node, patient: Draft, report: Report) -> None:
    """``patient.weight_kg`` from the marked body-weight Observation."""
    read_extensions(resource, report, {"enrollment-weight": "valueBoolean"})
    status = resource.at("status")
    if status.value not in ("final", "amended", "corrected"):
        report.add(status.path, 'expected "final", "amended" or "corrected"')
    read_quantity(resource.at("valueQuantity"), patient, "weight_kg", report, ("kg",))
