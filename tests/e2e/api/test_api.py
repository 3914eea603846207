"""The REST API over real HTTP (uvicorn on a free port), on SQLite and PostgreSQL: a whole
monthly cycle, the problem documents, paging, concurrency control and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.record import parse_record
from isocourse.rules.engine import assess
from isocourse.rules.output import assessment_to_json
from tests.support.courses import ready_history

PROBLEM = "application/problem+json"




def start(api: httpx.Client, external_id: str = "p-0001") -> dict[str, Any]:
    patient = api.post("/patients", json={"external_id": external_id,
                                          "birth_date": "2004-04-02",
                                          "can_get_pregnant": True})
    assert patient.status_code == 201, patient.text
    course = api.post(f"/patients/{patient.json()['id']}/courses", json={
        "jurisdiction": "us-ipledge", "product": "us-conventional", "weight_kg": 60,
        "mg_per_kg": 0.5, "start_date": "2026-10-03"})
    assert course.status_code == 201, course.text
    assert course.headers["etag"] == '"1"'
    return dict(course.json())


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["type"].endswith("/" + code) and body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_a_monthly_cycle_from_enrollment_to_dispense(
        api: httpx.Client, pharmacy: httpx.Client) -> None:
    course = start(api)
    cid = course["id"]
    recorded = api.post(f"/courses/{cid}/events", json={"events": ready_history()})
    assert recorded.status_code == 201, recorded.text
    assert all(item["event"]["id"] for item in recorded.json()["recorded"])

    preview = api.post(f"/courses/{cid}/prescriptions",
                       json={"daily_mg": 30, "days_supply": 30, "preview": True})
    assert preview.status_code == 200 and preview.json()["saved"] is False
    assert preview.json()["assessment"]["dispense_allowed"] is True
    written = api.post(f"/courses/{cid}/prescriptions",
                       json={"daily_mg": 30, "days_supply": 30})
    assert written.status_code == 201, written.text
    rx = written.json()["prescription_id"]

    granted = pharmacy.post("/authorizations", json={
        "course_id": cid, "prescription_id": rx, "pharmacy": "Main St"})
    assert granted.status_code == 201, granted.text
    grant = granted.json()
    assert grant["do_not_dispense_after"] == "2026-10-07" and grant["usable"] is True
    assert grant["capsules"]["total_by_strength"] == [{"strength_mg": 10, "count": 30},
                                                      {"strength_mg": 20, "count": 30}]
    code = grant["code"]
    headers = {"Idempotency-Key": "pos-1-0001"}
    first = pharmacy.post(f"/authorizations/{code}/dispense", headers=headers)
    again = pharmacy.post(f"/authorizations/{code}/dispense", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert_problem(pharmacy.post(f"/authorizations/{code}/dispense"), 409, "conflict")

    assessment = api.get(f"/courses/{cid}/assessment", params={"on": "2026-10-02"}).json()
    record = parse_record(api.get(f"/courses/{cid}").json())
    expected = assess(record, on=dt.date(2026, 10, 2), library=load_rule_library(),
                      catalog=load_catalog())
    assert assessment == assessment_to_json(expected)
    assert assessment["cumulative"]["mg"] > 0
    events = api.get(f"/courses/{cid}/events").json()["items"]
    assert events[-1]["event"]["type"] == "dispense"
    assert events[-1]["recorded_by"]


def test_a_refused_authorization_says_why(
        api: httpx.Client, pharmacy: httpx.Client) -> None:
    cid = start(api)["id"]
    written = api.post(f"/courses/{cid}/prescriptions", json={"daily_mg": 30,
                                                             "days_supply": 30})
    rx = written.json()["prescription_id"]
    refused = assert_problem(pharmacy.post("/authorizations", json={
        "course_id": cid, "prescription_id": rx}), 409, "dispense-not-allowed")
    assert refused["reasons"] and all(r["rule_id"] and r["message"]
                                      for r in refused["reasons"])


def test_reversal_then_the_code_cannot_be_used(
        api: httpx.Client, pharmacy: httpx.Client) -> None:
    cid = start(api)["id"]
    api.post(f"/courses/{cid}/events", json={"events": ready_history()})
    rx = api.post(f"/courses/{cid}/prescriptions",
                  json={"daily_mg": 30, "days_supply": 30}).json()["prescription_id"]
    code = pharmacy.post("/authorizations", json={"course_id": cid,
                                             "prescription_id": rx}).json()["code"]
    assert_problem(pharmacy.post(f"/authorizations/{code}/reverse", json={}), 422, "invalid-input")
    reversed_ = pharmacy.post(f"/authorizations/{code}/reverse", json={"reason": "not picked up"})
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    assert_problem(pharmacy.post(f"/authorizations/{code}/dispense"), 409, "conflict")


def test_validation_errors_name_the_field(api: httpx.Client) -> None:
    body = assert_problem(api.post("/patients", json={"external_id": "x",
                                                      "birth_date": "not a date",
                                                      "can_get_pregnant": True}),
                          422, "invalid-input")
    assert [e["path"] for e in body["errors"]] == ["body.birth_date"]
    cid = start(api)["id"]
    bad_event = assert_problem(api.post(f"/courses/{cid}/events", json={
        "type": "pregnancy_test", "date": "2026-10-01", "result": "maybe", "setting": "lab"}),
        422, "invalid-record")
    assert bad_event["errors"] == [{"path": "event.result",
                                    "message": 'expected "negative" or "positive"'}]
    assert_problem(api.post("/patients", content=b"{", headers={
        "content-type": "application/json"}), 400, "invalid-json")
    assert_problem(api.get("/courses/no-such-course"), 404, "not-found")
    assert_problem(api.get("/no/such/route"), 404, "not-found")


def test_if_match_protects_a_whole_course_update(api: httpx.Client) -> None:
    cid = start(api)["id"]
    got = api.get(f"/courses/{cid}")
    record, tag = got.json(), got.headers["etag"]
    record["events"].append({"type": "enrollment", "date": "2026-08-20"})
    assert_problem(api.put(f"/courses/{cid}", json=record), 428, "if-match-required")
    # Someone else records an event meanwhile: the stale ETag is refused.
    api.post(f"/courses/{cid}/events", json={"type": "counseling", "date": "2026-08-20"})
    stale = assert_problem(api.put(f"/courses/{cid}", json=record, headers={"If-Match": tag}),
                           412, "version-mismatch")
    assert stale  # the current ETag comes back in the header
    fresh = api.get(f"/courses/{cid}")
    record = fresh.json()
    record["events"].append({"type": "enrollment", "date": "2026-08-20"})
    put = api.put(f"/courses/{cid}", json=record, headers={"If-Match": fresh.headers["etag"]})
    assert put.status_code == 200, put.text
    assert put.headers["etag"] != fresh.headers["etag"]


def test_listings_are_paged_with_links(api: httpx.Client) -> None:
    for n in range(3):
        start(api, f"p-page-{n}")
    page = api.get("/courses", params={"per_page": 2})
    assert page.status_code == 200
    body = page.json()
    assert (body["total"], len(body["items"]), body["page"]) == (3, 2, 1)
    assert 'rel="next"' in page.headers["link"]
    second = api.get("/courses", params={"per_page": 2, "page": 2}).json()
    assert len(second["items"]) == 1
    assert_problem(api.get("/courses", params={"per_page": 100000}), 422, "invalid-input")
    due = api.get("/due", params={"attention": "true"})
    assert due.status_code == 200 and due.json()["total"] == 3


def test_the_openapi_document_describes_course_records(api: httpx.Client) -> None:
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    assert "CourseRecord" in schemas and "event" in schemas["CourseRecord"]["$defs"]
    put = document["paths"]["/api/v1/courses/{course_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"] \
        == "#/components/schemas/CourseRecord"


def test_a_put_that_changes_nothing_keeps_the_version(api: httpx.Client) -> None:
    cid = start(api)["id"]
    got = api.get(f"/courses/{cid}")
    same = api.put(f"/courses/{cid}", json=got.json(), headers={"If-Match": got.headers["etag"]})
    assert same.status_code == 200 and same.headers["etag"] == got.headers["etag"]
    record = got.json()
    record["events"].append({"type": "enrollment", "date": "2026-08-20"})
    forced = api.put(f"/courses/{cid}", json=record, headers={"If-Match": "*"})
    assert forced.status_code == 200 and forced.headers["etag"] != got.headers["etag"]


def test_a_patient_is_found_by_the_clinics_id_and_a_course_lists_its_grants(
        api: httpx.Client, pharmacy: httpx.Client) -> None:
    cid = start(api, "p-find-me")["id"]
    found = api.post("/patients/search", json={"external_id": "p-find-me"})
    assert found.status_code == 200
    assert [c["id"] for c in found.json()["courses"]] == [cid]
    assert_problem(api.post("/patients/search", json={"external_id": "p-nobody"}),
                   404, "not-found")
    api.post(f"/courses/{cid}/events", json={"events": ready_history()})
    rx = api.post(f"/courses/{cid}/prescriptions",
                  json={"daily_mg": 30, "days_supply": 30}).json()["prescription_id"]
    code = pharmacy.post("/authorizations", json={"prescription_id": rx}).json()["code"]
    listed = api.get(f"/courses/{cid}/authorizations").json()["items"]
    assert [(a["code"], a["status"], a["usable"]) for a in listed] == [(code, "granted", True)]
