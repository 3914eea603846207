"""The request each cell of the permission matrix sends: for a route, a role and a relation
(the record is the actor's own or their own clinic's, another clinic's, another patient's),
a valid request, so that a refusal can only come from the permission check and "allowed"
means the use case ran.

A cell expected to be allowed that changes something gets an object of its own
(``Cell.fresh``): a dispense uses up its authorization, a disabled account stays disabled.
A patient's own record is always their own course ``one``. ``Rel.MISSING`` names records
that do not exist, to compare a hidden record's answer with a missing one's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from tests.e2e.security.world import (
    PASSWORD,
    READY_DAY,
    Course,
    World,
    add_person,
    unique,
)

__all__ = ["CALLS", "Call", "Cell", "Rel", "RouteCalls"]

API = "/api/v1"
NOWHERE = "00000000-0000-4000-8000-000000000000"
DAY = READY_DAY.isoformat()


class Rel(StrEnum):
    OWN = "own"
    OTHER_CLINIC = "other clinic"
    OTHER_PATIENT = "other patient"
    MISSING = "missing"


@dataclass(frozen=True)
class Cell:
    world: World
    role: str        # a world key ("admin" ... "patient") or "anonymous"
    rel: Rel
    fresh: bool      # expected to be allowed: give a changing request its own object


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: how the role authenticates: "token" (its API token), "session" (a signed-in
    #: session's cookie and CSRF token: ``session`` or the role's kept one), "none"
    via: str = "token"
    session: tuple[str, str] | None = None


Build = Callable[[Cell], Call]
#: A check of an allowed answer's content: a description of what is wrong, or None.
Check = Callable[[Cell, httpx.Response], str | None]


@dataclass(frozen=True)
class RouteCalls:
    build: Build
    check: Check | None = None
    #: the route changes what it names: an allowed cell gets a fresh object
    changes: bool = False
    #: the audit trail's ``via`` when the route does not take accounts' credentials (its
    #: refusals then name no actor)
    audited_as: str | None = None


# -- targets -----------------------------------------------------------------------------------


def course(c: Cell, stage: str = "started") -> Course:
    """The course (and its patient, prescription, authorization) a cell is about."""
    w = c.world
    if c.rel is Rel.MISSING:
        return Course(NOWHERE, "no-such-patient-id", NOWHERE, "rx-0000000000", "ZZZZ-ZZZZ-ZZZZ")
    if c.rel is Rel.OTHER_CLINIC:
        return w.course("other")
    if c.fresh and c.role != "patient":
        return w.fresh_course(stage)
    return w.course("one" if c.rel is Rel.OWN else "two")


def token_id(c: Cell) -> str:
    w = c.world
    return {Rel.OWN: lambda: w.spare_token("patient" if c.role == "anonymous" else c.role)[1],
            Rel.OTHER_PATIENT: lambda: w["patient-two"].token_id,
            Rel.OTHER_CLINIC: lambda: w["other-patient"].token_id,
            Rel.MISSING: lambda: "zzzzzzzzzzzzzzzz"}[c.rel]()


def username(c: Cell) -> str:
    w = c.world
    if c.rel is Rel.MISSING:
        return "no-such-user"
    if c.rel is Rel.OTHER_CLINIC:
        return w["other-patient"].username
    if c.fresh:
        return add_person(w.clinic, "victim", "pharmacist", "Vic Victim").username
    return w["patient-two"].username  # refused: patient two is no actor of the matrix


# -- builders ----------------------------------------------------------------------------------


def public(method: str, path: str) -> RouteCalls:
    return RouteCalls(lambda c: Call(method, path))


def on_course(method: str, suffix: str = "", stage: str = "started",
              body: Callable[[Cell, Course], Any] | None = None) -> RouteCalls:
    def build(c: Cell) -> Call:
        target = course(c, stage)
        return Call(method, f"{API}/courses/{target.course_id}{suffix}",
                    json=body(c, target) if body else None)
    return RouteCalls(build, changes=method != "GET")


def on_patient(method: str, suffix: str = "", stage: str = "patient",
               body: Any = None) -> RouteCalls:
    return RouteCalls(lambda c: Call(
        method, f"{API}/patients/{course(c, stage).patient_id}{suffix}", json=body),
        changes=method != "GET")


def on_code(method: str, suffix: str = "", body: Any = None) -> RouteCalls:
    return RouteCalls(lambda c: Call(
        method, f"{API}/authorizations/{course(c, 'granted').code}{suffix}", json=body),
        changes=method != "GET")


def sign_in(c: Cell) -> Call:
    if c.role == "anonymous":
        body = {"username": "nobody-at-all", "password": "not a password of anyone"}
    else:
        body = {"username": c.world[c.role].username, "password": PASSWORD}
    return Call("POST", f"{API}/session", json=body, via="none")


def sign_out(c: Cell) -> Call:
    if c.role == "anonymous":
        return Call("DELETE", f"{API}/session", via="session")
    session = c.world.session(c.role)
    c.world.forget_session(c.role)  # this cell ends it
    return Call("DELETE", f"{API}/session", via="session", session=session)


def replace_body(c: Cell, target: Course) -> dict[str, Any]:
    w = c.world
    if c.rel is Rel.OTHER_CLINIC:
        document = w.document(target.course_id, by="other-prescriber")
    else:
        document = w.document(w.course("one").course_id if c.rel is Rel.MISSING
                              else target.course_id)
    document["events"].append({"type": "counseling", "date": DAY})
    return document


def import_body(c: Cell) -> Call:
    document = c.world.document(c.world.course("one").course_id)
    document["patient"]["id"] = unique("imported")
    document["events"] = document["events"][:1]
    return Call("POST", f"{API}/courses", json=document)


def fhir_import_body(c: Cell) -> Call:
    """The first events of patient one's course, as a FHIR Bundle, for a new patient."""
    w = c.world
    bundle = w.http.get(f"/courses/{w.course('one').course_id}/fhir",
                        headers=w["prescriber"].bearer).json()
    bundle["entry"][0]["resource"]["identifier"][0]["value"] = unique("imported")
    bundle["entry"] = [e for e in bundle["entry"]
                       if e["resource"]["resourceType"] not in ("CarePlan", "DetectedIssue")]
    return Call("POST", f"{API}/courses/fhir", json=bundle)


BULK = "/fhir/R4"
BULK_ASYNC = {"Prefer": "respond-async"}


def _finished(w: World, location: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while w.http.get(w.root + location, headers=headers).status_code == 202:
        assert time.monotonic() < deadline, "the export job did not finish"
        time.sleep(0.05)


def export_job(c: Cell) -> str:
    """A finished bulk export job: the prescriber's own (own), the other clinic's
    prescriber's (other clinic), or none (missing)."""
    w = c.world
    if c.rel is Rel.MISSING:
        return "0" * 32
    other = c.rel is Rel.OTHER_CLINIC
    w.course("other" if other else "one")  # the clinic has a course to export
    owner = w["other-prescriber" if other else "prescriber"]
    started = w.http.get(f"{w.root}{BULK}/$export", headers={**owner.bearer, **BULK_ASYNC})
    assert started.status_code == 202, started.text
    location = started.headers["content-location"]
    _finished(w, location, owner.bearer)
    return location.rsplit("/", 1)[1]


def export_finished(c: Cell, response: httpx.Response) -> str | None:
    """Wait for the job a kick-off started (its audit entry belongs to this cell)."""
    _finished(c.world, response.headers["content-location"], c.world[c.role].bearer)
    return None


def authorization_body(c: Cell) -> Call:
    target = course(c, "prescribed")
    return Call("POST", f"{API}/authorizations",
                json={"course_id": target.course_id, "prescription_id": target.rx})


def audit_page(c: Cell) -> Call:
    # Another clinic's prescriber reads their own record first: the newest entries then
    # include one that the main clinic's admin has no business seeing.
    w = c.world
    seen = w.http.get(f"/courses/{w.course('other').course_id}",
                      headers=w["other-prescriber"].bearer)
    assert seen.status_code == 200, seen.text
    return Call("GET", f"{API}/audit?per_page=20")


def no_other_clinic_entries(c: Cell, response: httpx.Response) -> str | None:
    w = c.world
    others = {w[k].id for k in ("other-prescriber", "other-pharmacist", "other-patient")}
    shown = [e for e in response.json()["items"] if e["actor_id"] in others]
    return f"lists another clinic's audit entries: {shown}" if shown else None


def chain_intact(_c: Cell, response: httpx.Response) -> str | None:
    body = response.json()
    return None if body["intact"] is True else f"audit chain not intact: {body}"


def is_me(c: Cell, response: httpx.Response) -> str | None:
    user = response.json()["user"]
    return None if user["id"] == c.world[c.role].id else f"answered for {user}"


def wrong_current_password(_c: Cell, response: httpx.Response) -> str | None:
    paths = [e["path"] for e in response.json().get("errors", [])]
    return None if paths == ["current_password"] else f"not the business refusal: {paths}"


START = {"jurisdiction": "us-ipledge", "product": "us-conventional", "weight_kg": 60,
         "mg_per_kg": 0.5, "start_date": "2026-10-03"}
HOOK = {"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": "example"}}
SIDE_EFFECT = {"type": "side_effect", "date": DAY, "kind": "cheilitis", "grade": 1}

CALLS: dict[tuple[str, str], RouteCalls] = {
    ("GET", API): public("GET", API),
    ("GET", "/docs/oauth2-redirect"): public("GET", "/docs/oauth2-redirect"),
    ("GET", f"{API}/openapi.json"): public("GET", f"{API}/openapi.json"),
    ("GET", f"{API}/docs"): public("GET", f"{API}/docs"),
    ("GET", f"{API}/health"): public("GET", f"{API}/health"),
    ("GET", f"{API}/health/ready"): public("GET", f"{API}/health/ready"),
    ("POST", f"{API}/session"): RouteCalls(sign_in),
    ("GET", f"{API}/session"): RouteCalls(lambda c: Call("GET", f"{API}/session"), is_me),
    ("DELETE", f"{API}/session"): RouteCalls(sign_out),
    ("POST", f"{API}/session/password"): RouteCalls(lambda c: Call(
        "POST", f"{API}/session/password", via="session", json={
            "current_password": "not my password at all",
            "new_password": "a brand new passphrase 77"}), wrong_current_password),
    ("POST", f"{API}/tokens"): RouteCalls(lambda c: Call(
        "POST", f"{API}/tokens", via="session",
        json={"name": "matrix", "scopes": ["read"], "expires_in_days": 30})),
    ("GET", f"{API}/tokens"): RouteCalls(lambda c: Call("GET", f"{API}/tokens")),
    ("DELETE", f"{API}/tokens/{{token_id}}"): RouteCalls(
        lambda c: Call("DELETE", f"{API}/tokens/{token_id(c)}")),
    ("GET", f"{API}/users"): RouteCalls(lambda c: Call("GET", f"{API}/users")),
    ("POST", f"{API}/users"): RouteCalls(lambda c: Call("POST", f"{API}/users", json={
        "username": unique("new-user"), "display_name": "Nell Newcomer",
        "role": "pharmacist", "password": PASSWORD})),
    ("POST", f"{API}/users/{{username}}/disable"): RouteCalls(
        lambda c: Call("POST", f"{API}/users/{username(c)}/disable"), changes=True),
    ("POST", f"{API}/users/{{username}}/password"): RouteCalls(
        lambda c: Call("POST", f"{API}/users/{username(c)}/password",
                       json={"new_password": "another long passphrase 42"}), changes=True),
    ("POST", f"{API}/patients"): RouteCalls(lambda c: Call("POST", f"{API}/patients", json={
        "external_id": unique("registered"), "birth_date": "2004-04-02",
        "can_get_pregnant": True})),
    ("POST", f"{API}/patients/search"): RouteCalls(lambda c: Call(
        "POST", f"{API}/patients/search", json={"external_id": course(c).external_id})),
    ("GET", f"{API}/patients/{{patient_id}}"): on_patient("GET"),
    ("POST", f"{API}/patients/{{patient_id}}/courses"): on_patient("POST", "/courses",
                                                                  body=START),
    ("GET", f"{API}/patients/{{patient_id}}/access-log"): on_patient("GET", "/access-log"),
    ("GET", f"{API}/courses"): RouteCalls(lambda c: Call("GET", f"{API}/courses")),
    ("POST", f"{API}/courses"): RouteCalls(import_body),
    ("GET", f"{API}/courses/{{course_id}}"): on_course("GET"),
    ("PUT", f"{API}/courses/{{course_id}}"): RouteCalls(lambda c: _with_if_match(
        on_course("PUT", body=replace_body).build(c)), changes=True),
    ("GET", f"{API}/courses/{{course_id}}/summary"): on_course("GET", "/summary"),
    ("GET", f"{API}/courses/{{course_id}}/events"): on_course("GET", "/events"),
    ("POST", f"{API}/courses/{{course_id}}/events"): on_course(
        "POST", "/events", body=lambda c, t: SIDE_EFFECT),
    ("POST", f"{API}/courses/{{course_id}}/prescriptions"): on_course(
        "POST", "/prescriptions", body=lambda c, t: {"daily_mg": 30, "days_supply": 30}),
    ("POST", f"{API}/courses/{{course_id}}/end"): on_course(
        "POST", "/end", body=lambda c, t: {"last_dose": DAY}),
    ("GET", f"{API}/courses/{{course_id}}/assessment"): on_course("GET", "/assessment"),
    ("GET", f"{API}/courses/{{course_id}}/authorizations"): on_course("GET",
                                                                      "/authorizations"),
    ("POST", f"{API}/authorizations"): RouteCalls(authorization_body, changes=True),
    ("GET", f"{API}/authorizations/{{code}}"): on_code("GET"),
    ("POST", f"{API}/authorizations/{{code}}/dispense"): on_code("POST", "/dispense"),
    ("POST", f"{API}/authorizations/{{code}}/reverse"): on_code(
        "POST", "/reverse", body={"reason": "not picked up"}),
    ("GET", f"{API}/due"): RouteCalls(lambda c: Call("GET", f"{API}/due")),
    ("GET", f"{API}/cds/override-report"): RouteCalls(
        lambda c: Call("GET", f"{API}/cds/override-report")),
    ("GET", f"{API}/courses/{{course_id}}/fhir"): on_course("GET", "/fhir"),
    ("POST", f"{API}/courses/fhir"): RouteCalls(fhir_import_body),
    ("GET", "/fhir/R4/metadata"): public("GET", "/fhir/R4/metadata"),
    ("GET", "/fhir/R4/{resource_type}/{resource_id}"): RouteCalls(lambda c: Call(
        "GET", f"/fhir/R4/Patient/{course(c, 'patient').patient_id}")),
    ("GET", "/fhir/R4/{resource_type}"): RouteCalls(lambda c: Call(
        "GET", f"/fhir/R4/Observation?patient=Patient/{course(c, 'patient').patient_id}")),
    ("GET", f"{BULK}/$export"): RouteCalls(lambda c: Call(
        "GET", f"{BULK}/$export", headers=dict(BULK_ASYNC)), export_finished),
    ("GET", f"{BULK}/bulkstatus/{{job_id}}"): RouteCalls(lambda c: Call(
        "GET", f"{BULK}/bulkstatus/{export_job(c)}")),
    ("DELETE", f"{BULK}/bulkstatus/{{job_id}}"): RouteCalls(lambda c: Call(
        "DELETE", f"{BULK}/bulkstatus/{export_job(c)}"), changes=True),
    ("GET", f"{BULK}/bulkfiles/{{job_id}}/{{file_name}}"): RouteCalls(lambda c: Call(
        "GET", f"{BULK}/bulkfiles/{export_job(c)}/Patient.ndjson")),
    ("GET", "/cds-services"): public("GET", "/cds-services"),
    ("POST", "/cds-services/{service_id}"): RouteCalls(lambda c: Call(
        "POST", "/cds-services/isocourse-patient-view", json=HOOK), audited_as="cds-jwt"),
    ("POST", "/cds-services/{service_id}/feedback"): RouteCalls(lambda c: Call(
        "POST", "/cds-services/isocourse-patient-view/feedback", json={"feedback": []}),
        audited_as="cds-jwt"),
    # A patient's calendar feed: the link is the credential, an account's token opens nothing
    # (a link of the right shape that was never made).
    ("GET", "/calendar/{secret}.ics"): RouteCalls(lambda c: Call(
        "GET", f"/calendar/{'a' * 16}_{'B' * 43}.ics"), audited_as="calendar-feed"),
    ("GET", f"{API}/me/access-log"): RouteCalls(lambda c: Call("GET", f"{API}/me/access-log")),
    ("GET", f"{API}/audit"): RouteCalls(audit_page, no_other_clinic_entries),
    ("GET", f"{API}/audit/verify"): RouteCalls(lambda c: Call("GET", f"{API}/audit/verify"),
                                               chain_intact),
}


def _with_if_match(call: Call) -> Call:
    return Call(call.method, call.path, call.json, {"If-Match": "*"}, call.via, call.session)
