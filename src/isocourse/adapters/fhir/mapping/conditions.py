"""Conditions, both ways: the acne the course treats, and reported side effects.

- Acne: one Condition coded SNOMED CT 11381005 and ICD-10 L70.0 (both marked unconfirmed
  in codes.toml), which the course MedicationRequest names as its reason. The record holds
  no diagnosis, so it is written on export and skipped on import.
- ``side_effect``: ``code`` = the kind in ``…/CodeSystem/side-effect``, ``severity`` = the
  grade (``"1"``–``"3"``) in ``…/CodeSystem/side-effect-grade``, ``recordedDate`` = the
  date. A superseded side effect has ``verificationStatus`` entered-in-error (Condition has
  no status of its own); a ``refuted`` one is not imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isocourse.adapters.fhir.codes import codings_of, in_concept, local_system, tables
from isocourse.adapters.fhir.mapping.common import (
    RETRACTED,
    Links,
    concept,
    local,
    read_common,
    with_common,
)
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report
from isocourse.domain.record import EventType

__all__ = ["acne_resource", "is_acne", "read_side_effect", "side_effect_resource"]


def acne_resource(links: Links) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "code": concept(tables().written("acne"), "acne"),
        "subject": {"reference": links.patient},
    }


def is_acne(resource: Node) -> bool:
    """A Condition coded with any code of the acne value set and no isocourse side effect."""
    return in_concept(resource.at("code").value, "acne") and not _kinds(resource.at("code"))


def side_effect_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    kind, grade = event["kind"], str(event["grade"])
    resource: dict[str, Any] = {"resourceType": "Condition"}
    if event.get("id") in links.superseded:
        resource["verificationStatus"] = {
            "coding": [{"system": tables().systems["condition-ver-status"], "code": RETRACTED}]
        }
    resource.update(
        {
            "severity": concept([local("side-effect-grade", grade)], f"grade {grade}"),
            "code": concept([local("side-effect", kind)], kind),
            "subject": {"reference": links.patient},
            "recordedDate": event["date"],
        }
    )
    return with_common(resource, event)


def _kinds(code: Node) -> list[tuple[int, str]]:
    return [
        (i, value)
        for i, (system, value) in enumerate(codings_of(code.value))
        if system == local_system("side-effect")
    ]


def read_side_effect(resource: Node, report: Report) -> Draft | None:
    """A side-effect event (``None`` after reporting when the Condition is neither acne nor
    an isocourse side effect)."""
    code = resource.at("code")
    kinds = _kinds(code)
    if not kinds:
        report.add(code.path, "expected an isocourse side-effect code or an acne code")
        return None
    draft = Draft(resource)
    draft.put("type", EventType.SIDE_EFFECT.value, code.path)
    if len(kinds) > 1:
        report.add(code.path, "expected one side-effect code")
    draft.put("kind", kinds[0][1], f"{code.path}.coding[{kinds[0][0]}].code")
    read_common(resource, draft, report)
    draft.take("date", resource.at("recordedDate"))
    _read_grade(resource.at("severity"), draft, report)
    _read_verification(resource.at("verificationStatus"), draft, report)
    return draft


def _read_grade(severity: Node, draft: Draft, report: Report) -> None:
    grades = [
        (i, value)
        for i, (system, value) in enumerate(codings_of(severity.value))
        if system == local_system("side-effect-grade")
    ]
    if len(grades) != 1:
        draft.where("grade", severity.path)
        if grades:
            report.add(severity.path, "expected one side-effect grade")
        return
    i, value = grades[0]
    path = f"{severity.path}.coding[{i}].code"
    draft.put("grade", int(value) if value in ("1", "2", "3") else value, path)


def _read_verification(status: Node, draft: Draft, report: Report) -> None:
    codes = [
        value
        for system, value in codings_of(status.value)
        if system == tables().systems["condition-ver-status"]
    ]
    if RETRACTED in codes:
        draft.retracted = status.path
    elif "refuted" in codes:
        report.add(status.path, "a refuted side effect is not a reported side effect")
