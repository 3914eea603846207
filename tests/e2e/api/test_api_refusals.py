"""What the API refuses, and how: every refusal a problem document, never a 500
(findings of the review of issue 4, each with its regression test)."""

from __future__ import annotations

import httpx

from tests.e2e.api.test_api import assert_problem, start
from tests.support.courses import ready_history


def test_a_dispense_cannot_bypass_the_authorization(api: httpx.Client) -> None:
    cid = start(api)["id"]
    body = assert_problem(api.post(f"/courses/{cid}/events", json={
        "type": "dispense", "date": "2026-10-01", "daily_mg": 30, "days_supply": 30}),
        422, "invalid-record")
    assert body["errors"][0]["path"] == "event.type"


def test_an_event_cannot_be_dated_after_today(api: httpx.Client) -> None:
    cid = start(api)["id"]
    body = assert_problem(api.post(f"/courses/{cid}/events", json={
        "type": "counseling", "date": "2026-10-02"}), 422, "invalid-record")
    assert body["errors"] == [{"path": "event.date",
                               "message": "a clinical event cannot be dated after today"}]


def test_impossible_numbers_and_control_characters_are_refused(api: httpx.Client) -> None:
    cid = start(api)["id"]
    for event in (
        {"type": "lab", "date": "2026-10-01", "analyte": "alt", "value": 1e41, "unit": "U/L"},
        {"type": "lab", "date": "2026-10-01", "analyte": "alt", "value": 50, "unit": "U/L",
         "uln": 1e-320},
        {"type": "prescription", "date": "2026-10-01", "daily_mg": 30,
         "days_supply": 10**23},
        {"type": "counseling", "date": "2026-10-01", "note": "a\u0000b"},
        {"type": "counseling", "date": "0001-01-01"},
    ):
        assert_problem(api.post(f"/courses/{cid}/events", json=event), 422, "invalid-record")
    assert_problem(api.post("/patients", json={"external_id": "a\u0000b",
                                               "birth_date": "2000-01-01",
                                               "can_get_pregnant": False}),
                   422, "invalid-input")
    assert api.get(f"/courses/{cid}/assessment").status_code == 200
    assert api.get("/due").status_code == 200


def test_odd_if_match_values_are_refused_cleanly(api: httpx.Client) -> None:
    cid = start(api)["id"]
    record = api.get(f"/courses/{cid}").json()
    for value in (b'"99999999999999999999"', '"\u00b2"'.encode(), b'W/"1"', b"1"):
        response = api.put(f"/courses/{cid}", json=record, headers={"If-Match": value})
        assert_problem(response, 400, "invalid-if-match")


def test_dates_out_of_range_are_refused(api: httpx.Client) -> None:
    cid = start(api)["id"]
    for params in ({"on": "0001-01-01"}, {"on": "9999-12-31", "within_days": 10}):
        assert_problem(api.get("/due", params=params), 422, "invalid-input")
    assert_problem(api.get(f"/courses/{cid}/assessment", params={"on": "9999-12-31"}),
                   422, "invalid-input")


def test_a_put_cannot_rewrite_the_previous_course_or_the_programme(api: httpx.Client) -> None:
    cid = start(api)["id"]
    api.post(f"/courses/{cid}/events", json={"type": "enrollment", "date": "2026-08-20"})
    got = api.get(f"/courses/{cid}")
    record = got.json()
    record["course"]["previous_course_end"] = "2020-01-01"
    record["course"]["jurisdiction"] = "eu-ppp"
    body = assert_problem(api.put(f"/courses/{cid}", json=record,
                                  headers={"If-Match": got.headers["etag"]}),
                          422, "invalid-record")
    assert {e["path"] for e in body["errors"]} == {"course.previous_course_end",
                                                   "course.jurisdiction"}


def test_an_old_grant_cannot_dispense_a_changed_prescription(
        api: httpx.Client, pharmacy: httpx.Client) -> None:
    cid = start(api)["id"]
    api.post(f"/courses/{cid}/events", json={"events": ready_history()})
    rx = api.post(f"/courses/{cid}/prescriptions",
                  json={"daily_mg": 30, "days_supply": 30}).json()["prescription_id"]
    code = pharmacy.post("/authorizations", json={"prescription_id": rx}).json()["code"]
    api.post(f"/courses/{cid}/prescriptions", json={"daily_mg": 40, "days_supply": 30})
    assert_problem(pharmacy.post(f"/authorizations/{code}/dispense"), 409, "conflict")
