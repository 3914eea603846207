"""The read-only FHIR R4 server at /fhir/R4 over real HTTP on both databases: metadata,
reads and searches with stable ids, reach, OperationOutcome errors, the audit trail."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.fhir.conftest import Served

FHIR = "/fhir/R4"
NOWHERE = "00000000-0000-4000-8000-000000000000"


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    return body


def _outcome(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    OperationOutcome.model_validate(body)
    return body


def _everything(client: httpx.Client, patient_id: str) -> list[dict[str, Any]]:
    found = []
    for kind in ("Condition", "MedicationRequest", "MedicationDispense",
                 "MedicationStatement", "Observation", "QuestionnaireResponse", "CarePlan"):
        bundle = _ok(client.get(f"{FHIR}/{kind}", params={"patient": f"Patient/{patient_id}"}))
        assert bundle["type"] == "searchset" and bundle["total"] == len(bundle.get("entry", []))
        found += [e["resource"] for e in bundle.get("entry", [])]
    return found


def test_metadata_is_a_valid_capability_statement_anyone_may_read_and_is_not_audited(
        served: Served) -> None:
    before = served.head()
    with served.client() as anyone:
        statement = _ok(anyone.get(f"{FHIR}/metadata"))
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    CapabilityStatement.model_validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
    assert "application/fhir+json" in statement["format"]
    types = {r["type"] for r in statement["rest"][0]["resource"]}
    assert {"Patient", "Observation", "MedicationRequest"} <= types
    assert served.entries_after(before) == []


def test_the_care_team_reads_the_patient_and_searches_their_resources_with_stable_ids(
        served: Served, api: httpx.Client) -> None:
    patient = _ok(api.get(f"{FHIR}/Patient/{served.patient_id}"))
    assert patient["id"] == served.patient_id
    assert patient["identifier"][0]["value"] == "p-0001"
    first, again = _everything(api, served.patient_id), _everything(api, served.patient_id)
    assert first == again
    ids = [(r["resourceType"], r["id"]) for r in first]
    assert len(set(ids)) == len(ids)
    assert all(rid.startswith(served.course_id + ".") for _, rid in ids)
    assert ("CarePlan", f"{served.course_id}.careplan") in ids
    for resource in first:
        read = _ok(api.get(f"{FHIR}/{resource['resourceType']}/{resource['id']}"))
        assert read == resource
    served_refs = {f"{t}/{i}" for t, i in ids} | {f"Patient/{served.patient_id}"}
    course = next(r for r in first if r["id"] == f"{served.course_id}.course")
    assert course["subject"]["reference"] == f"Patient/{served.patient_id}"
    refs = [r["subject"]["reference"] for r in first if "subject" in r]
    assert refs and set(refs) <= served_refs


def test_a_patient_search_by_id_finds_the_one_patient(
        served: Served, api: httpx.Client) -> None:
    bundle = _ok(api.get(f"{FHIR}/Patient", params={"_id": served.patient_id}))
    assert bundle["total"] == 1
    entry = bundle["entry"][0]
    assert entry["resource"]["id"] == served.patient_id
    assert entry["fullUrl"].endswith(f"{FHIR}/Patient/{served.patient_id}")


def test_a_patient_reads_only_their_own_record(served: Served) -> None:
    with served.as_role("patient", "pat-one", patient_external_id="p-0001") as own:
        assert _ok(own.get(f"{FHIR}/Patient/{served.patient_id}"))["id"] == served.patient_id
        assert _everything(own, served.patient_id)
    from tests.support.courses import start_us_course

    two = start_us_course(served.clinic, "p-0002")
    with served.as_role("patient", "pat-two", patient_external_id="p-0002") as other:
        hidden = other.get(f"{FHIR}/Patient/{served.patient_id}")
        missing = other.get(f"{FHIR}/Patient/{NOWHERE}")
        _outcome(hidden, 404, "not-found")
        assert hidden.json() == missing.json()
        searched = other.get(f"{FHIR}/Observation", params={"patient": served.patient_id})
        assert searched.status_code == 404
        course_read = other.get(f"{FHIR}/MedicationRequest/{served.course_id}.course")
        assert (course_read.status_code, course_read.json()) == (404, missing.json())
        assert _ok(other.get(f"{FHIR}/Patient/{two.patient.id}"))["id"] == two.patient.id


def test_another_clinic_gets_404_a_pharmacist_403_and_no_credentials_401(
        served: Served) -> None:
    with served.as_role("prescriber", "elsewhere", clinic_id="other") as other:
        hidden = other.get(f"{FHIR}/Patient/{served.patient_id}")
        missing = other.get(f"{FHIR}/Patient/{NOWHERE}")
        _outcome(hidden, 404, "not-found")
        assert hidden.json() == missing.json()
    with served.as_role("pharmacist") as pharmacy:
        _outcome(pharmacy.get(f"{FHIR}/Patient/{served.patient_id}"), 403, "forbidden")
    with served.client() as anyone:
        response = anyone.get(f"{FHIR}/Patient/{served.patient_id}")
        _outcome(response, 401, "login")
        assert "bearer" in response.headers["www-authenticate"].lower()


def test_a_token_without_the_read_scope_is_refused(served: Served) -> None:
    from tests.support.accounts import add_account, token_for

    user = add_account(served.clinic, "prescriber", "writer-only")
    token = token_for(served.clinic, user, ["write"])
    with served.client({"Authorization": f"Bearer {token}"}) as client:
        _outcome(client.get(f"{FHIR}/Patient/{served.patient_id}"), 403, "forbidden")


def test_bad_searches_and_unknown_types_are_answered_with_operation_outcomes(
        served: Served, api: httpx.Client) -> None:
    body = _outcome(api.get(f"{FHIR}/Observation"), 400, "invalid")
    assert body["issue"][0]["expression"] == ["patient"]
    body = _outcome(api.get(f"{FHIR}/Observation", params={"code": "x"}), 400, "invalid")
    assert body["issue"][0]["expression"] == ["code"]
    _outcome(api.get(f"{FHIR}/Practitioner/{NOWHERE}"), 404, "not-found")
    _outcome(api.get(f"{FHIR}/Observation/{served.course_id}.nothing"), 404, "not-found")


def test_every_read_is_in_the_audit_trail_with_the_patient_it_touched(
        served: Served, api: httpx.Client) -> None:
    before = served.head()
    _ok(api.get(f"{FHIR}/Patient/{served.patient_id}"))
    _ok(api.get(f"{FHIR}/Observation", params={"subject": f"Patient/{served.patient_id}"}))
    with served.as_role("pharmacist", "phil") as pharmacy:
        pharmacy.get(f"{FHIR}/Patient/{served.patient_id}")
    entries = served.entries_after(before)
    reads = [e for e in entries if e.action in ("read_resource", "search")]
    assert [(e.action, e.outcome, e.status) for e in reads] == [
        ("read_resource", "allowed", 200), ("search", "allowed", 200),
        ("read_resource", "denied", 403)]
    assert served.patient_id in reads[0].subjects and served.patient_id in reads[1].subjects
    assert all("?" not in e.target for e in reads)
