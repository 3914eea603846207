"""The CDS Hooks service over real HTTP, on SQLite and PostgreSQL: discovery, the three
services with real payloads (the specification's examples among them), 400/401/412,
feedback and the override report, and the audit trail of every call."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import httpx
import pytest

from isocourse.bootstrap import Clinic
from isocourse.services import courses
from tests.e2e.cds.conftest import Cds, serving
from tests.e2e.cds.payloads import (
    ACCESS_TOKEN,
    EXAMPLE_PATIENT,
    example_order_select,
    example_order_sign,
    example_order_sign_unadapted,
    example_patient_view,
    isotretinoin_request,
    order_sign,
    patient_view,
)
from tests.support.accounts import bearer
from tests.support.cds import CdsClientKeys, spec_example_client
from tests.support.courses import ready_course

CARD_FIELDS = {"uuid", "summary", "detail", "indicator", "source", "suggestions",
               "selectionBehavior", "overrideReasons", "links"}
PATIENT_VIEW, ORDER_SELECT, ORDER_SIGN = ("isocourse-patient-view", "isocourse-order-select",
                                          "isocourse-order-sign")


def cards_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) <= {"cards", "systemActions"}
    for card in body["cards"]:
        assert_card_shape(card)
    cards: list[dict[str, Any]] = body["cards"]
    return cards


def assert_card_shape(card: dict[str, Any]) -> None:
    """CDS Hooks 2.0 card: required fields, allowed values, nothing null or empty."""
    assert set(card) <= CARD_FIELDS and {"summary", "indicator", "source"} <= set(card)
    assert all(value not in (None, "", [], {}) for value in card.values())
    assert 0 < len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"]
    if "suggestions" in card:
        assert card["selectionBehavior"] in ("at-most-one", "any")
        for suggestion in card["suggestions"]:
            assert suggestion["label"]
            for action in suggestion["actions"]:
                assert action["type"] in ("create", "update", "delete") and action["description"]
    for reason in card.get("overrideReasons", []):
        assert reason["code"] and reason["system"] and reason["display"]
    for link in card.get("links", []):
        assert link["label"] and link["url"] and link["type"] in ("absolute", "smart")


def by_kind(cards: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {card["source"]["topic"]["code"]: card for card in cards}


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/" + code)
    return body


# -- discovery --------------------------------------------------------------------------

def test_discovery_lists_the_three_services_with_their_prefetch(cds: Cds) -> None:
    response = cds.http.get("/cds-services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert {(s["id"], s["hook"]) for s in services} == {
        (PATIENT_VIEW, "patient-view"), (ORDER_SELECT, "order-select"),
        (ORDER_SIGN, "order-sign")}
    for service in services:
        assert set(service) == {"hook", "id", "title", "description", "prefetch"}
        assert service["prefetch"] == {"patient": "Patient/{{context.patientId}}"}
        assert service["description"] and service["title"]


# -- patient-view -----------------------------------------------------------------------

def test_patient_view_on_a_ready_course_shows_its_status_and_is_audited(cds: Cds) -> None:
    course, _ = ready_course(cds.clinic, EXAMPLE_PATIENT)
    (card,) = cards_of(cds.call(PATIENT_VIEW, patient_view()))
    assert card["indicator"] == "info"
    assert card["summary"] == ("Isotretinoin course active: window open to 2026-10-07; next "
                               "due: pregnancy test by 2026-10-08; 0.0 of 120 mg/kg (0%)")
    (link,) = card["links"]
    assert link == {"label": "Open the course in isocourse", "type": "smart",
                    "url": f"{cds.base}/courses/{course.header.id}",
                    "appContext": json.dumps({"course_id": course.header.id},
                                             separators=(",", ":"))}
    entry = cds.audit()[0]
    assert (entry.via, entry.actor_id, entry.role, entry.action, entry.outcome) == (
        "cds-jwt", cds.ehr.issuer, "cds-client", "cds_service", "allowed")
    assert entry.subjects == (course.patient.id,)
    assert entry.target == f"/cds-services/{PATIENT_VIEW}"
    assert entry.clinic_id == cds.ehr.clinic_id  # the clinic the client is allow-listed for


def test_a_positive_pregnancy_test_on_an_active_course_is_critical(cds: Cds) -> None:
    course, _ = ready_course(cds.clinic, EXAMPLE_PATIENT)
    courses.record_events(course.header.id, [
        {"type": "pregnancy_test", "date": "2026-10-01", "result": "positive",
         "setting": "lab"}], expected_version=None, uows=cds.clinic.uows,
        clock=cds.clinic.clock, actor=cds.clinic.actor, rules=cds.clinic.rules)
    viewed = cards_of(cds.call(PATIENT_VIEW, patient_view()))
    assert viewed[0]["indicator"] == "critical"
    assert viewed[0]["summary"].startswith("Positive pregnancy test on 2026-10-01")
    assert [c["indicator"] for c in viewed].count("critical") == 1
    signed = cards_of(cds.call(ORDER_SIGN, order_sign(isotretinoin_request())))
    assert signed[0]["indicator"] == "critical"


# -- order-sign and order-select --------------------------------------------------------

def test_order_sign_of_90_days_and_refills_is_a_warning_with_a_fixing_suggestion(
        cds: Cds) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    draft = isotretinoin_request(days=90, refills=2, quantity=180)
    card = by_kind(cards_of(cds.call(ORDER_SIGN, order_sign(draft))))["order-limits"]
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Isotretinoin order for 90 days' supply with 2 refills: at "
                               "most 30 days' supply and no refills can be dispensed")
    (suggestion,) = card["suggestions"]
    (action,) = suggestion["actions"]
    assert action["type"] == "update"
    assert action["resource"]["id"] == "iso-1"
    assert action["resource"]["dispenseRequest"] == {
        "numberOfRepeatsAllowed": 0, "quantity": {"value": 60, "unit": "capsule"},
        "expectedSupplyDuration": {"value": 30, "unit": "days",
                                   "system": "http://unitsofmeasure.org", "code": "d"}}
    assert {r["code"] for r in card["overrideReasons"]} >= {"will-resolve-before-dispensing"}


def test_an_order_within_the_rules_on_a_ready_course_gets_no_warning(cds: Cds) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    cards = cards_of(cds.call(ORDER_SIGN, order_sign(isotretinoin_request(dose_mg=15))))
    assert all(card["indicator"] == "info" for card in cards)


def test_order_select_looks_only_at_the_selected_orders(cds: Cds) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    body = order_sign(isotretinoin_request("a", days=90), isotretinoin_request("b"))
    body["hook"] = "order-select"
    body["context"]["selections"] = ["MedicationRequest/b"]
    assert by_kind(cards_of(cds.call(ORDER_SELECT, body))).get("order-limits") is None
    body["context"]["selections"] = ["MedicationRequest/a"]
    assert "order-limits" in by_kind(cards_of(cds.call(ORDER_SELECT, body)))


def test_an_order_without_isotretinoin_gets_no_cards_and_reads_no_record(cds: Cds) -> None:
    cards = cards_of(cds.call(ORDER_SIGN, example_order_sign_unadapted()))
    assert cards == []
    assert cds.audit()[0].subjects == ()


def test_a_patient_without_a_course_gets_a_warning_on_an_order(cds: Cds) -> None:
    courses.register_patient(courses.RegisterPatient(
        external_id=EXAMPLE_PATIENT, birth_date=dt.date(2004, 4, 2), can_get_pregnant=True),
        uows=cds.clinic.uows, clock=cds.clinic.clock, actor=cds.clinic.actor)
    assert cards_of(cds.call(PATIENT_VIEW, patient_view())) == []
    (card,) = cards_of(cds.call(ORDER_SIGN, order_sign(isotretinoin_request())))
    assert (card["source"]["topic"]["code"], card["indicator"]) == ("no-course", "warning")


# -- the specification's examples ---------------------------------------------------------

def test_the_specifications_example_requests_are_answered(cds: Cds) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    (status,) = cards_of(cds.call(PATIENT_VIEW, example_patient_view()))
    assert status["source"]["topic"]["code"] == "course-status"
    for service, body in ((ORDER_SELECT, example_order_select()),
                          (ORDER_SIGN, example_order_sign())):
        card = by_kind(cards_of(cds.call(service, body)))["order-limits"]
        # 20 mg twice a day for 10 days with 1 refill: the refill is over the limit.
        assert card["summary"] == ("Isotretinoin order for 10 days' supply with 1 refill: "
                                   "at most 30 days' supply and no refills can be dispensed")
        (action,) = card["suggestions"][0]["actions"]
        supply = action["resource"]["dispenseRequest"]
        assert supply["numberOfRepeatsAllowed"] == 0
        assert supply["expectedSupplyDuration"]["value"] == 10  # within the limit: kept


def test_the_specifications_example_client_and_key_are_accepted(clinic: Clinic) -> None:
    with serving(clinic, spec_example_client()) as served:
        ready_course(clinic, EXAMPLE_PATIENT)
        cards_of(served.call(PATIENT_VIEW, example_patient_view()))
        assert served.audit()[0].actor_id == "https://fhir-ehr.example.com/"


# -- refusals ---------------------------------------------------------------------------

def test_an_unknown_patient_is_412(cds: Cds) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    problem(cds.call(PATIENT_VIEW, patient_view("somebody-else")), 412,
            "cds-data-unavailable")
    problem(cds.call(ORDER_SIGN, order_sign(isotretinoin_request(), patient_id="x")), 412,
            "cds-data-unavailable")
    entry = cds.audit()[0]
    assert (entry.status, entry.outcome, entry.subjects) == (412, "allowed", ())


def test_a_missing_patient_prefetch_is_412_when_patients_are_matched_by_identifier(
        clinic: Clinic, ehr: CdsClientKeys) -> None:
    system = "http://hospital.example.org/mrn"
    with serving(clinic, ehr, cds_patient_identifier_system=system) as served:
        ready_course(clinic, "MRN-42")
        problem(served.call(PATIENT_VIEW, patient_view("fhir-7")), 412, "cds-data-unavailable")
        problem(served.call(PATIENT_VIEW, patient_view("fhir-7", prefetch={"patient": None})),
                412, "cds-data-unavailable")
        patient = {"resourceType": "Patient", "id": "fhir-7",
                   "identifier": [{"system": system, "value": "MRN-42"}]}
        (card,) = cards_of(served.call(PATIENT_VIEW,
                                       patient_view("fhir-7", prefetch={"patient": patient})))
        assert card["source"]["topic"]["code"] == "course-status"
        other = {**patient, "id": "fhir-8"}
        problem(served.call(PATIENT_VIEW, patient_view("fhir-7", prefetch={"patient": other})),
                400, "invalid-cds-request")


@pytest.mark.parametrize(("service", "change"), [
    (ORDER_SIGN, lambda b: b["context"].pop("draftOrders")),
    (ORDER_SIGN, lambda b: b["context"].pop("patientId")),
    (ORDER_SIGN, lambda b: b.pop("hookInstance")),
    (ORDER_SIGN, lambda b: b.update(hook="order-select")),
    (ORDER_SELECT, lambda b: b.update(hook="order-select")),  # without selections
    (ORDER_SIGN, lambda b: b.update(fhirAuthorization={"access_token": "t"})),
], ids=["no draftOrders", "no patientId", "no hookInstance", "another hook",
        "no selections", "fhirAuthorization without fhirServer"])
def test_a_request_that_breaks_the_specification_is_400(cds: Cds, service: str,
                                                        change: Any) -> None:
    body = order_sign(isotretinoin_request())
    change(body)
    problem(cds.call(service, body), 400, "invalid-cds-request")


def test_a_body_that_is_not_json_is_400(cds: Cds) -> None:
    url = cds.url(PATIENT_VIEW)
    response = cds.http.post(url, content=b"{not json", headers={
        **cds.bearer(url), "Content-Type": "application/json"})
    problem(response, 400, "invalid-cds-request")


def test_an_unknown_service_is_404(cds: Cds) -> None:
    problem(cds.call("no-such-service", patient_view()), 404, "not-found")


def test_a_call_without_a_valid_client_jwt_is_401_and_audited_as_denied(
        clinic: Clinic, cds: Cds) -> None:
    ready_course(clinic, EXAMPLE_PATIENT)
    url = cds.url(PATIENT_VIEW)
    api_token = bearer(clinic, "prescriber")
    refusals = [
        {},
        api_token,
        cds.bearer(cds.url(ORDER_SIGN)),  # a token for another service
        cds.bearer(url, lifetime=-600),   # expired
        {"Authorization": "Bearer " + CdsClientKeys().token(url, now=clinic.clock.now())},
    ]
    for headers in refusals:
        response = cds.http.post(url, json=patient_view(), headers=headers)
        problem(response, 401, "not-authenticated")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        entry = cds.audit()[0]
        assert (entry.outcome, entry.status, entry.via, entry.subjects) == (
            "denied", 401, "cds-jwt", ())


def test_a_replayed_token_is_refused(cds: Cds) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    headers = cds.bearer(cds.url(PATIENT_VIEW))
    cards_of(cds.call(PATIENT_VIEW, patient_view(), headers=headers))
    problem(cds.call(PATIENT_VIEW, patient_view(), headers=headers), 401, "not-authenticated")


# -- feedback and the override report ----------------------------------------------------

def test_feedback_is_stored_and_the_override_report_counts_it(cds: Cds) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    first = by_kind(cards_of(cds.call(ORDER_SIGN, order_sign(
        isotretinoin_request(days=90)))))["order-limits"]
    second = by_kind(cards_of(cds.call(ORDER_SIGN, order_sign(
        isotretinoin_request(refills=1)))))["order-limits"]
    reason = first["overrideReasons"][0]
    response = cds.feedback(ORDER_SIGN, [
        {"card": first["uuid"], "outcome": "overridden", "outcomeTimestamp":
         "2026-10-01T10:00:00Z", "overrideReason": {"reason": reason,
                                                    "userComment": "patient travelling"}},
        {"card": second["uuid"], "outcome": "accepted", "outcomeTimestamp":
         "2026-10-01T10:01:00Z",
         "acceptedSuggestions": [{"id": second["suggestions"][0]["uuid"]}]},
        {"card": "00000000-0000-0000-0000-000000000000", "outcome": "overridden",
         "outcomeTimestamp": "2026-10-01T10:02:00Z"},
    ])
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 2, "unknown": 1}
    assert cds.audit()[0].action == "cds_feedback"

    report = cds.http.get("/api/v1/cds/override-report",
                          headers=bearer(cds.clinic, "prescriber"))
    assert report.status_code == 200, report.text
    limits = {row["kind"]: row for row in report.json()["by_kind"]}["order-limits"]
    assert limits == {"kind": "order-limits", "shown": 2, "accepted": 1, "overridden": 1,
                      "ignored": 0, "override_rate": 0.5,
                      "reasons": [{"code": reason["code"], "display": reason["display"],
                                   "count": 1}]}
    rules = {row["rule_id"]: row for row in report.json()["by_rule"]}
    assert rules["us-ipledge.prescription-limits"]["overridden"] == 1
    assert "patient travelling" not in report.text


def test_the_override_report_is_for_admins_and_prescribers(cds: Cds) -> None:
    accounts: list[tuple[str, int, dict[str, str]]] = [
        ("admin", 200, {}), ("prescriber", 200, {}), ("pharmacist", 403, {}),
        ("delegate", 403, {"on_behalf_of": "report-prescriber"})]
    for role, status, account in accounts:
        response = cds.http.get("/api/v1/cds/override-report",
                                headers=bearer(cds.clinic, role, f"report-{role}", **account))
        assert response.status_code == status, (role, response.text)
    assert cds.http.get("/api/v1/cds/override-report").status_code == 401


def test_malformed_feedback_is_400(cds: Cds) -> None:
    url = cds.url(ORDER_SIGN, feedback=True)
    for body in ({}, {"feedback": [{"card": "x", "outcome": "maybe",
                                    "outcomeTimestamp": "2026-10-01T10:00:00Z"}]},
                 {"feedback": [{"card": "x", "outcome": "accepted",
                                "outcomeTimestamp": "2026-10-01T10:00:00Z"}]}):
        problem(cds.http.post(url, json=body, headers=cds.bearer(url)), 400,
                "invalid-cds-request")


# -- secrets ----------------------------------------------------------------------------

def test_no_client_jwt_or_fhir_access_token_reaches_the_logs(
        cds: Cds, caplog: pytest.LogCaptureFixture) -> None:
    ready_course(cds.clinic, EXAMPLE_PATIENT)
    url = cds.url(PATIENT_VIEW)
    headers = cds.bearer(url)
    token = headers["Authorization"].removeprefix("Bearer ")
    with caplog.at_level(logging.DEBUG):
        cards_of(cds.call(PATIENT_VIEW, example_patient_view(), headers=headers))
        cds.call(PATIENT_VIEW, example_patient_view(), headers=headers)  # a replay: refused
        cds.call(PATIENT_VIEW, example_patient_view(), headers={"Authorization": "Bearer x" +
                                                                token})
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "jti replayed" in text
    for secret in (token, token.split(".")[2], ACCESS_TOKEN, EXAMPLE_PATIENT):
        assert secret not in text
