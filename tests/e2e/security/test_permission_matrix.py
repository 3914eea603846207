"""The permission matrix: every route of the API x every role x the record's relation to the
actor, each cell sent over real HTTP with the role's API token (or signed-in session, for
the routes that are the person's own business), on SQLite and PostgreSQL.

The table below is the design, written as data; ``matrix_calls.py`` makes each cell's
request. A route of the app with no row here fails the first test, and so does a row for a
route that no longer exists.

Each cell checks, besides the status:

* **allowed** - the use case ran (the exact status, 2xx or a named business refusal), the
  answer names nothing out of the actor's reach (another clinic's, another patient's,
  another person's token), and the audit trail has the request as ``allowed``;
* **forbidden** (403), **unauthenticated** (401) - the audit trail has exactly one entry for
  the request, ``denied``, with the actor (or none) and the route's name;
* **hidden** - 404 exactly like a record that does not exist (the same problem document),
  recorded as ``denied``;
* **absent** - a lookup that is scoped to the actor's clinic found nothing: 404 like a
  missing record, recorded as ``allowed`` with no patient touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from isocourse.adapters.api.app import create_app
from isocourse.adapters.web.errors import is_web_path
from isocourse.bootstrap import build
from isocourse.config import Settings
from tests.e2e.security.matrix_calls import API, CALLS, Call, Cell, Rel
from tests.e2e.security.world import World, cookie
from tests.support.live_server import live_server

ROLES = ("admin", "prescriber", "delegate", "pharmacist", "patient", "anonymous")
RELATIONS = (Rel.OWN, Rel.OTHER_CLINIC, Rel.OTHER_PATIENT)


@dataclass(frozen=True)
class Outcome:
    kind: str        # allowed / forbidden / hidden / absent / unauthenticated
    status: int

    @property
    def allowed(self) -> bool:
        return self.kind == "allowed"

    @property
    def denied(self) -> bool:
        return self.kind in ("forbidden", "hidden", "unauthenticated")

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


_CODES = {"F": Outcome("forbidden", 403), "H": Outcome("hidden", 404),
          "U": Outcome("unauthenticated", 401), "N": Outcome("absent", 404)}


def row(own: str, other_clinic: str = "-", other_patient: str = "-"
        ) -> dict[Rel, tuple[Outcome | None, ...]]:
    """One route's expectations. Each string has a column per role, in ROLES' order:
    a number = allowed with that status; F forbidden (403); H hidden (404); U not
    authenticated (401); N absent (404 from a lookup scoped to the actor's clinic);
    "-" alone = the relation does not apply (the route names no record)."""
    def parse(text: str) -> tuple[Outcome | None, ...]:
        if text == "-":
            return (None,) * len(ROLES)
        cells = text.split()
        assert len(cells) == len(ROLES), text
        return tuple(_CODES[c] if c in _CODES else Outcome("allowed", int(c)) for c in cells)
    return {Rel.OWN: parse(own), Rel.OTHER_CLINIC: parse(other_clinic),
            Rel.OTHER_PATIENT: parse(other_patient)}


PUBLIC = row("200 200 200 200 200 200")
#: The same answers as reading the patient's course itself.
READ = row(own="F 200 200 F 200 U", other_clinic="F H H F H U",
           other_patient="F 200 200 F H U")
#: A change of a course by the care team.
CHANGE = row(own="F 201 201 F F U", other_clinic="F H H F F U",
             other_patient="F 201 201 F F U")

#                                          admin presc deleg pharm patnt anon
TABLE: dict[tuple[str, str], dict[Rel, tuple[Outcome | None, ...]]] = {
    # Public: no credentials needed, nothing audited.
    ("GET", API): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", f"{API}/openapi.json"): PUBLIC,
    ("GET", f"{API}/docs"): PUBLIC,
    ("GET", f"{API}/health"): PUBLIC,
    ("GET", f"{API}/health/ready"): PUBLIC,
    # One's own session and tokens. Sign-in: anonymous = an unknown user name. Password
    # change (a session): a wrong current password, refused by the use case.
    ("POST", f"{API}/session"): row("200 200 200 200 200 U"),
    ("GET", f"{API}/session"): row("200 200 200 200 200 U"),
    ("POST", f"{API}/session/password"): row("422 422 422 422 422 U"),
    ("POST", f"{API}/tokens"): row("201 201 201 201 201 U"),
    ("GET", f"{API}/tokens"): row("200 200 200 200 200 U"),
    ("DELETE", f"{API}/session"): row("204 204 204 204 204 U"),
    # own = one's own token; other patient = patient two's; other clinic = theirs.
    ("DELETE", f"{API}/tokens/{{token_id}}"): row(own="200 200 200 200 200 U",
                                                 other_clinic="H H H H H U",
                                                 other_patient="H H H H H U"),
    # Accounts: admins only; own = an account of the clinic.
    ("GET", f"{API}/users"): row("200 F F F F U"),
    ("POST", f"{API}/users"): row("201 F F F F U"),
    ("POST", f"{API}/users/{{username}}/disable"): row(own="200 F F F F U",
                                                      other_clinic="H F F F F U"),
    ("POST", f"{API}/users/{{username}}/password"): row(own="200 F F F F U",
                                                       other_clinic="H F F F F U"),
    # Patients. Search: the clinic's patient ids are the clinic's own namespace.
    ("POST", f"{API}/patients"): row("F 201 201 F F U"),
    ("POST", f"{API}/patients/search"): row(own="F 200 200 F F U",
                                            other_clinic="F N N F F U",
                                            other_patient="F 200 200 F F U"),
    ("GET", f"{API}/patients/{{patient_id}}"): READ,
    ("POST", f"{API}/patients/{{patient_id}}/courses"): CHANGE,
    ("GET", f"{API}/patients/{{patient_id}}/access-log"): row(
        own="F 200 200 F F U", other_clinic="F H H F F U", other_patient="F 200 200 F F U"),
    # Courses.
    ("GET", f"{API}/courses"): row("F 200 200 F F U"),
    ("POST", f"{API}/courses"): row("F 201 201 F F U"),
    ("GET", f"{API}/courses/{{course_id}}"): READ,
    ("PUT", f"{API}/courses/{{course_id}}"): row(
        own="F 200 200 F F U", other_clinic="F H H F F U", other_patient="F 200 200 F F U"),
    ("GET", f"{API}/courses/{{course_id}}/summary"): READ,
    ("GET", f"{API}/courses/{{course_id}}/events"): READ,
    ("POST", f"{API}/courses/{{course_id}}/events"): row(
        own="F 201 201 F 201 U", other_clinic="F H H F H U",
        other_patient="F 201 201 F H U"),
    # Signing (not a preview): the prescriber only, not their delegate.
    ("POST", f"{API}/courses/{{course_id}}/prescriptions"): row(
        own="F 201 F F F U", other_clinic="F H F F F U", other_patient="F 201 F F F U"),
    ("POST", f"{API}/courses/{{course_id}}/end"): row(
        own="F 200 200 F F U", other_clinic="F H H F F U", other_patient="F 200 200 F F U"),
    ("GET", f"{API}/courses/{{course_id}}/assessment"): READ,
    ("GET", f"{API}/courses/{{course_id}}/authorizations"): READ,
    # Dispensing: the pharmacist reaches a course only through these.
    ("POST", f"{API}/authorizations"): row(
        own="F F F 201 F U", other_clinic="F F F H F U", other_patient="F F F 201 F U"),
    ("GET", f"{API}/authorizations/{{code}}"): row(
        own="F 200 200 200 200 U", other_clinic="F H H H H U",
        other_patient="F 200 200 200 H U"),
    ("POST", f"{API}/authorizations/{{code}}/dispense"): row(
        own="F F F 201 F U", other_clinic="F F F H F U", other_patient="F F F 201 F U"),
    ("POST", f"{API}/authorizations/{{code}}/reverse"): row(
        own="F 200 F 200 F U", other_clinic="F H F H F U", other_patient="F 200 F 200 F U"),
    ("GET", f"{API}/due"): row("F 200 200 F F U"),
    ("GET", f"{API}/cds/override-report"): row("200 200 F F F U"),
    # A course as a FHIR Bundle: as reading the course, and as importing a course record.
    ("GET", f"{API}/courses/{{course_id}}/fhir"): READ,
    ("POST", f"{API}/courses/fhir"): row("F 201 201 F F U"),
    # The read-only FHIR server: metadata is public; reads as reading the patient's record.
    ("GET", "/fhir/R4/metadata"): PUBLIC,
    ("GET", "/fhir/R4/{resource_type}/{resource_id}"): READ,
    ("GET", "/fhir/R4/{resource_type}"): READ,
    # FHIR bulk export: prescribers only; a job is its starter's alone (own = the
    # prescriber's own job, other clinic = the other clinic's prescriber's).
    ("GET", "/fhir/R4/$export"): row("F 202 F F F U"),
    ("GET", "/fhir/R4/bulkstatus/{job_id}"): row(own="F 200 F F F U",
                                                 other_clinic="F H F F F U"),
    ("DELETE", "/fhir/R4/bulkstatus/{job_id}"): row(own="F 202 F F F U",
                                                    other_clinic="F H F F F U"),
    ("GET", "/fhir/R4/bulkfiles/{job_id}/{file_name}"): row(own="F 200 F F F U",
                                                            other_clinic="F H F F F U"),
    # CDS Hooks (outside /api/v1): discovery is public; a service takes only the signed
    # JWT of an allow-listed CDS client, so no account's token is let in.
    ("GET", "/cds-services"): PUBLIC,
    ("POST", "/cds-services/{service_id}"): row("U U U U U U"),
    ("POST", "/cds-services/{service_id}/feedback"): row("U U U U U U"),
    # A patient's calendar feed (outside /api/v1, the link is the credential): an unknown
    # link is 404 for everyone, whatever token comes with it, recorded as denied.
    ("GET", "/calendar/{secret}.ics"): row("H H H H H H"),
    # The audit trail.
    ("GET", f"{API}/me/access-log"): row("F F F F 200 U"),
    ("GET", f"{API}/audit"): row("200 F F F F U"),
    ("GET", f"{API}/audit/verify"): row("200 F F F F U"),
}

_PUBLIC_ROUTES = {key for key, value in TABLE.items() if value is PUBLIC}


def app_routes(app: FastAPI) -> dict[tuple[str, str], str]:
    """Every (method, path) the API face answers, with the route's name. HEAD, which
    Starlette adds to every GET route, is left out, and so are the web app's pages and
    static files: tests/e2e/web/test_web_permissions.py has their own table."""
    found: dict[tuple[str, str], str] = {}

    def add(path: str, methods: Any, name: str) -> None:
        if is_web_path(path):
            return
        for method in set(methods or ()) - {"HEAD"}:
            found[(method, path)] = name

    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:  # FastAPI's included routers
            for context in contexts():
                original = context.original_route
                add(context.path, getattr(original, "methods", None), original.name)
        elif isinstance(route, Mount) and route.path == "/static":
            continue  # the web app's stylesheet and script
        else:
            assert not hasattr(route, "routes"), f"a mounted app: walk it too ({route})"
            add(route.path, getattr(route, "methods", None), route.name)
    return found


@pytest.fixture(scope="module")
def unmigrated_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app over a clinic that is never asked for data (routes and OpenAPI only)."""
    folder = tmp_path_factory.mktemp("routes")
    clinic = build(Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'x.db'}"))
    try:
        yield create_app(clinic)
    finally:
        clinic.close()


def test_the_table_has_a_row_for_every_route_and_none_for_a_route_that_is_gone(
        unmigrated_app: FastAPI) -> None:
    routes = set(app_routes(unmigrated_app))
    assert routes - set(TABLE) == set(), "routes without a row in the permission table"
    assert set(TABLE) - routes == set(), "rows of the table for routes that do not exist"
    assert set(CALLS) == set(TABLE), "a row without a request in matrix_calls, or the reverse"
    for key, rows in TABLE.items():
        assert any(o is not None for o in rows[Rel.OWN]), key


def test_the_openapi_document_lists_no_operation_that_the_table_lacks(
        unmigrated_app: FastAPI) -> None:
    with live_server(unmigrated_app.state.clinic) as root:
        document = httpx.get(f"{root}{API}/openapi.json", timeout=30).json()
    operations = {(method.upper(), path) for path, item in document["paths"].items()
                  for method in item if method in ("get", "put", "post", "delete", "patch")}
    assert len(operations) > 30
    assert operations - set(TABLE) == set()


# -- running the cells -------------------------------------------------------------------------


def out_of_reach(w: World, role: str) -> set[str]:
    """Identifiers no answer to ``role`` may contain."""
    other = w.course("other")
    found = {other.patient_id, other.external_id, other.course_id, other.rx, other.code}
    for key in ("other-prescriber", "other-pharmacist", "other-patient"):
        found |= {w[key].id, w[key].username}
    found |= {p.token_id for key, p in w.made().items() if key != role}
    if role in ("patient", "anonymous"):
        two = w.course("two")
        found |= {two.patient_id, two.external_id, two.course_id, two.rx, two.code,
                  w["patient-two"].id, w["patient-two"].username}
    return {x for x in found if x}


def send(w: World, role: str, call: Call) -> httpx.Response:
    headers = dict(call.headers)
    if role != "anonymous" and call.via == "token":
        headers.update(w[role].bearer)
    elif role != "anonymous" and call.via == "session":
        headers.update(cookie(*(call.session or w.session(role))))
    return w.http.request(call.method, w.root + call.path, json=call.json, headers=headers)


def _problem_code(response: httpx.Response) -> str:
    """The problem's code: from a problem document's ``type``, or from a FHIR
    OperationOutcome's first issue (``details.coding[0].code``)."""
    try:
        body = response.json()
        if body.get("resourceType") == "OperationOutcome":
            return str(body["issue"][0]["details"]["coding"][0]["code"])
        return str(body.get("type", "")).rsplit("/", 1)[-1]
    except (ValueError, KeyError, IndexError):
        return ""


def check_answer(cell: Cell, route: tuple[str, str], expected: Outcome,
                 response: httpx.Response) -> list[str]:
    w, role = cell.world, cell.role
    if response.status_code != expected.status:
        return [f"expected {expected}, got {response.status_code}: {response.text[:400]}"]
    code = _problem_code(response)
    if expected.kind == "forbidden" and code != "forbidden":
        return [f"403 but problem {code!r}"]
    if expected.kind == "unauthenticated":
        if code not in ("not-authenticated", "sign-in-failed"):
            return [f"401 but problem {code!r}"]
        if "bearer" not in response.headers.get("www-authenticate", "").lower():
            return ["401 without WWW-Authenticate"]
    if expected.kind in ("hidden", "absent"):
        missing = send(w, role, CALLS[route].build(Cell(w, role, Rel.MISSING, False)))
        if (missing.status_code, missing.json()) != (404, response.json()):
            return [f"{expected.kind} record answered unlike a missing one: "
                    f"{response.json()} but missing: {missing.status_code} {missing.json()}"]
    if not expected.allowed:
        return []
    problems = []
    if response.status_code >= 400 and code in ("forbidden", "not-found", "not-authenticated"):
        problems.append(f"a refusal of access ({code}), not a business refusal")
    check = CALLS[route].check
    if check is not None and (trouble := check(cell, response)):
        problems.append(trouble)
    if route != ("GET", f"{API}/audit"):
        leaked = sorted(x for x in out_of_reach(w, role) if x in response.text)
        if leaked:
            problems.append(f"the answer names what is out of reach: {leaked}")
    return problems


def check_audit(cell: Cell, route: tuple[str, str], name: str, expected: Outcome,
                call: Call, response: httpx.Response, entries: list[Any]) -> list[str]:
    if route in _PUBLIC_ROUTES:
        return [f"a public route wrote audit entries: {entries}"] if entries else []
    if not entries:
        return ["no audit entry"]
    anonymous = cell.role == "anonymous"
    actor = None if anonymous else cell.world[cell.role].id
    via = "anonymous" if anonymous else "token" if call.via == "token" else "session"
    if (audited_as := CALLS[route].audited_as) is not None:
        actor, via = None, audited_as
    seen = [(e.outcome, e.status, e.action, e.actor_id, e.via) for e in entries]
    if expected.allowed:
        want = {("allowed", s, name, actor, via) for s in (None, response.status_code)}
        return [] if set(seen) <= want else [f"audit entries {seen}, expected {want}"]
    outcome = "denied" if expected.denied else "allowed"
    want_one = [(outcome, expected.status, name, actor, via)]
    problems = [] if seen == want_one else [f"audit entries {seen}, expected {want_one}"]
    if expected.kind == "absent" and entries[0].subjects:
        problems.append(f"an absent record's entry names patients {entries[0].subjects}")
    return problems


def run_cell(w: World, route: tuple[str, str], name: str, role: str, rel: Rel,
             expected: Outcome) -> list[str]:
    cell = Cell(w, role, rel, fresh=expected.allowed and CALLS[route].changes)
    call = CALLS[route].build(cell)
    before = w.head()
    response = send(w, role, call)
    entries = w.entries_after(before)
    problems = check_answer(cell, route, expected, response)
    problems += check_audit(cell, route, name, expected, call, response, entries)
    where = f"{role} / {rel} / {call.method} {call.path}"
    return [f"{where}: {p}" for p in problems]


@pytest.fixture(scope="module")
def route_names(world: World) -> dict[tuple[str, str], str]:
    return app_routes(create_app(world.clinic))


@pytest.mark.parametrize("route", list(TABLE), ids=[f"{m} {p}" for m, p in TABLE])
def test_each_role_gets_the_designed_answer_for_own_other_clinic_and_other_patient_records(
        world: World, route_names: dict[tuple[str, str], str],
        route: tuple[str, str]) -> None:
    failures: list[str] = []
    for rel in RELATIONS:
        for role, expected in zip(ROLES, TABLE[route][rel], strict=True):
            if expected is not None:
                failures += run_cell(world, route, route_names[route], role, rel, expected)
    assert not failures, "\n".join(failures)
