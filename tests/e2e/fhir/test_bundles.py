"""A course as a FHIR Bundle over the API: export, import back, refusals (real HTTP, both
databases)."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.e2e.fhir.conftest import Served

API = "/api/v1"


def _export(api: httpx.Client, course_id: str) -> dict[str, Any]:
    response = api.get(f"{API}/courses/{course_id}/fhir")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle: dict[str, Any] = response.json()
    return bundle


def _with_patient_id(bundle: dict[str, Any], external_id: str) -> dict[str, Any]:
    bundle = copy.deepcopy(bundle)
    patient = bundle["entry"][0]["resource"]
    assert patient["resourceType"] == "Patient"
    patient["identifier"][0]["value"] = external_id
    return bundle


def _record(api: httpx.Client, course_id: str) -> dict[str, Any]:
    response = api.get(f"{API}/courses/{course_id}")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def test_a_ready_course_exports_as_a_collection_with_its_care_plan_and_findings(
        served: Served, api: httpx.Client) -> None:
    bundle = _export(api, served.course_id)
    assert bundle["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[:3] == ["Patient", "Condition", "MedicationRequest"]
    assert "CarePlan" in kinds
    assert "MedicationRequest" in kinds[3:]  # the prescription
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)


def test_a_course_exported_and_imported_back_for_another_patient_is_the_same_record(
        served: Served, api: httpx.Client) -> None:
    bundle = _with_patient_id(_export(api, served.course_id), "p-0002")
    response = api.post(f"{API}/courses/fhir", json=bundle,
                        headers={"Content-Type": "application/fhir+json"})
    assert response.status_code == 201, response.text
    new_id = response.json()["id"]
    assert response.headers["location"] == f"{API}/courses/{new_id}"
    assert new_id != served.course_id
    original, imported = _record(api, served.course_id), _record(api, new_id)
    assert imported["patient"].pop("id") == "p-0002"
    original["patient"].pop("id")
    assert imported == original


def test_a_transaction_bundle_imports_like_a_collection(
        served: Served, api: httpx.Client) -> None:
    bundle = _with_patient_id(_export(api, served.course_id), "p-0003")
    bundle["type"] = "transaction"
    for entry in bundle["entry"]:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    response = api.post(f"{API}/courses/fhir", json=bundle)
    assert response.status_code == 201, response.text
    imported = _record(api, response.json()["id"])
    assert imported["events"] == _record(api, served.course_id)["events"]


def test_an_invalid_resource_is_refused_with_the_fhir_path_of_the_problem(
        served: Served, api: httpx.Client) -> None:
    bundle = _with_patient_id(_export(api, served.course_id), "p-0004")
    weight = bundle["entry"][3]["resource"]
    assert weight["resourceType"] == "Observation"
    weight["valueQuantity"]["value"] = "heavy"
    response = api.post(f"{API}/courses/fhir", json=bundle)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"].endswith("/invalid-record")
    paths = [e["path"] for e in body["errors"]]
    assert any(p.startswith("Bundle.entry[3].resource.valueQuantity") for p in paths), paths
    assert "heavy" not in response.text
    listed = api.get(f"{API}/courses", params={"patient_id": "p-0004"}).json()
    assert listed["items"] == [] or all(
        i["patient"]["external_id"] != "p-0004" for i in listed["items"])


def test_a_bundle_of_the_wrong_type_is_refused_with_its_path(
        served: Served, api: httpx.Client) -> None:
    bundle = _with_patient_id(_export(api, served.course_id), "p-0005")
    bundle["type"] = "searchset"
    response = api.post(f"{API}/courses/fhir", json=bundle)
    assert response.status_code == 422, response.text
    assert [e["path"] for e in response.json()["errors"]] == ["Bundle.type"]


def test_a_pharmacist_may_neither_export_nor_import_and_another_clinic_sees_nothing(
        served: Served, api: httpx.Client) -> None:
    bundle = _export(api, served.course_id)
    with served.as_role("pharmacist") as pharmacy:
        assert pharmacy.get(f"{API}/courses/{served.course_id}/fhir").status_code == 403
        assert pharmacy.post(f"{API}/courses/fhir", json=bundle).status_code == 403
    with served.as_role("prescriber", "elsewhere", clinic_id="other") as other:
        hidden = other.get(f"{API}/courses/{served.course_id}/fhir")
        missing = other.get(f"{API}/courses/00000000-0000-4000-8000-000000000000/fhir")
        assert (hidden.status_code, hidden.json()) == (404, missing.json())
