"""The course's settings, both ways: one MedicationRequest with ``intent`` plan.

The course is the plan that each prescription (``intent`` order) is ``basedOn``, as the
software anchors (§2.1) suggest. Its medication is isotretinoin, its ``reasonReference``
the acne Condition, and:

- ``start_date`` (the first dose) = ``dosageInstruction[0].timing.repeat.boundsPeriod.start``;
- ``jurisdiction``, ``product``, ``lab_profile``, ``home_tests_allowed`` and
  ``previous_course_end`` = the extensions ``jurisdiction`` (``valueCode``), ``product``,
  ``lab-profile`` (``valueString``), ``home-tests-allowed`` (``valueBoolean``) and
  ``previous-course-end`` (``valueDate``): FHIR has no elements for them;
- the record's top-level ``extensions`` (other tools' data) = extension
  ``record-extensions``, the JSON text.

Its status is written ``active``; on import any status but entered-in-error is accepted,
since the record keeps no course status (a course ends with a ``course_end`` event).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isocourse.adapters.fhir.mapping.common import (
    RETRACTED,
    Links,
    event_extensions,
    extension,
    read_extensions,
)
from isocourse.adapters.fhir.mapping.medication import check_medication, isotretinoin
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report

__all__ = ["course_resource", "read_course"]

#: Record member → (extension name, value[x]).
_SETTINGS = {
    "jurisdiction": ("jurisdiction", "valueCode"),
    "product": ("product", "valueString"),
    "lab_profile": ("lab-profile", "valueString"),
    "home_tests_allowed": ("home-tests-allowed", "valueBoolean"),
    "previous_course_end": ("previous-course-end", "valueDate"),
}

#: The settings a course must have (the others have defaults or are optional).
_REQUIRED = ("jurisdiction", "product")


def course_resource(
    course: Mapping[str, Any], extensions: Mapping[str, Any] | None, links: Links
) -> dict[str, Any]:
    """The record's ``course`` object (and top-level ``extensions``) as the course plan."""
    own = [
        extension(name, value_type, course[member])
        for member, (name, value_type) in _SETTINGS.items()
        if member in course
    ]
    if extensions is not None:
        own.extend(event_extensions({"extensions": extensions}))
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "extension": own,
        "status": "active",
        "intent": "plan",
        "medicationCodeableConcept": isotretinoin(),
        "subject": {"reference": links.patient},
        "reasonReference": [{"reference": links.acne}],
    }
    if "start_date" in course:
        resource["dosageInstruction"] = [
            {"timing": {"repeat": {"boundsPeriod": {"start": course["start_date"]}}}}
        ]
    return resource


def read_course(resource: Node, report: Report) -> tuple[Draft, Node | None]:
    """The record's ``course`` members, and the node of its top-level extensions if any."""
    draft = Draft(resource)
    wanted = dict(_SETTINGS.values())
    found = read_extensions(resource, report, {**wanted, "record-extensions": "valueString"})
    for member, (name, _) in _SETTINGS.items():
        if name in found:
            draft.take(member, found[name])
        elif member in _REQUIRED:
            report.add(resource.at("extension").path, f"missing the isocourse extension {name}")
    check_medication(resource, report)
    if resource.at("status").value == RETRACTED:
        report.add(resource.at("status").path, "the course cannot be entered-in-error")
    instructions = resource.at("dosageInstruction").items()
    if len(instructions) > 1:
        report.add(instructions[1].path, "expected at most one dosage instruction")
    if instructions:
        bounds = instructions[0].at("timing").at("repeat").at("boundsPeriod")
        draft.take("start_date", bounds.at("start"))
    return draft, found.get("record-extensions")
