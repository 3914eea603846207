"""Patients: register, look up."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from isocourse.adapters.api.deps import PortsDep
from isocourse.adapters.api.schemas import PatientIn, PatientSearchIn
from isocourse.adapters.api.views import patient_body
from isocourse.services import courses

router = APIRouter(tags=["patients"])


@router.post("/patients", status_code=status.HTTP_201_CREATED, summary="Register a patient")
def register_patient(body: PatientIn, response: Response, ports: PortsDep) -> dict[str, Any]:
    patient = courses.register_patient(courses.RegisterPatient(
        external_id=body.external_id, birth_date=body.birth_date,
        can_get_pregnant=body.can_get_pregnant), **ports.kw_no_rules)
    response.headers["Location"] = f"/api/v1/patients/{patient.id}"
    return patient_body(patient)


@router.post("/patients/search", summary="Find a patient by the clinic's patient id")
def find_patient(body: PatientSearchIn, ports: PortsDep) -> dict[str, Any]:
    """A POST, so that the patient id never appears in a URL (house rule)."""
    patient = courses.find_patient(body.external_id, uows=ports.uows,
                                   actor=ports.actor)
    found, headers = courses.get_patient(patient.id, uows=ports.uows,
                                         actor=ports.actor)
    return patient_body(found, headers)


@router.get("/patients/{patient_id}", summary="A patient and their courses")
def get_patient(patient_id: str, ports: PortsDep) -> dict[str, Any]:
    patient, headers = courses.get_patient(patient_id, uows=ports.uows,
                                           actor=ports.actor)
    return patient_body(patient, headers)


__all__ = ["router"]
