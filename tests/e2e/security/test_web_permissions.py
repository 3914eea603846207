"""The web app's permission table: every page route × every role (and no session) × the
actor's own records, another clinic's and another patient's, over HTTP on SQLite and
PostgreSQL.

The pages call the same use cases as the API, so they inherit its permissions; this table
proves it for each page, including the form submissions (sent with the session's CSRF
token and an empty or harmless form, so an allowed cell answers with the form's own
errors, 422, and changes nothing). Codes: a number is the exact status; ``F`` the 403
page, ``H`` the 404 page ("not found", the same for out of reach and missing), ``S`` a
303 to the sign-in page, ``A`` allowed with an answer that depends on what other tests did
to the shared records first (200, 303, 409 or 422: a business answer, never a refusal),
``-`` the relation does not apply. A page route without a row
fails the first test, so a new page cannot ship without its permissions being decided.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from isocourse.adapters.api.app import create_app
from isocourse.adapters.web.errors import is_web_path
from isocourse.bootstrap import build
from isocourse.config import Settings
from tests.e2e.security.web_calls import CALLS, ROLES, Rel
from tests.e2e.security.world import SESSION_COOKIE, World, no_cookies

Row = dict[Rel, tuple[str, ...] | None]


def row(own: str, other_clinic: str = "-", other_patient: str = "-") -> Row:
    def parse(text: str) -> tuple[str, ...] | None:
        if text == "-":
            return None
        cells = tuple(text.split())
        assert len(cells) == len(ROLES), text
        return cells
    return {Rel.OWN: parse(own), Rel.OTHER_CLINIC: parse(other_clinic),
            Rel.OTHER_PATIENT: parse(other_patient)}


#: Pages of the care team about one patient's record: the patient sees their own.
READ = row(own="F 200 200 F 200 S", other_clinic="F H H F H S",
           other_patient="F 200 200 F H S")
#: Pages of the care team only (the record's forms).
CARE_TEAM = row(own="F 200 200 F F S", other_clinic="F H H F F S",
                other_patient="F 200 200 F F S")
CARE_TEAM_FORM = row(own="F 422 422 F F S", other_clinic="F H H F F S",
                     other_patient="F 422 422 F F S")
ADMIN_PAGE = row("200 F F F F S")
ADMIN_FORM = row("422 F F F F S")
PATIENT_PAGE = row("F F F F 200 S")
PATIENT_FORM = row("F F F F 422 S")
#: A patient's result page opened with an event that is not of its kind.
PATIENT_RESULT = row(own="F F F F H S", other_patient="F F F F H S")

#                                                   admin presc deleg pharm patnt anon
TABLE: dict[tuple[str, str], Row] = {
    ("GET", "/"): row("303 303 303 303 303 S"),
    ("GET", "/sign-in"): row("200 200 200 200 200 200"),
    ("POST", "/sign-in"): row("401 401 401 401 401 401"),
    ("POST", "/sign-out"): row("S S S S S S"),
    ("GET", "/admin"): ADMIN_PAGE,
    ("POST", "/admin/users"): ADMIN_FORM,
    ("GET", "/admin/users/{username}"): row(own="200 F F F F S", other_clinic="H F F F F S"),
    ("POST", "/admin/users/{username}/password"): row(own="422 F F F F S",
                                                     other_clinic="H F F F F S"),
    ("POST", "/admin/users/{username}/disable"): row(own="303 F F F F S",
                                                    other_clinic="H F F F F S"),
    ("GET", "/admin/audit"): ADMIN_PAGE,
    ("GET", "/clinic"): row("F 200 200 F F S"),
    ("POST", "/clinic/search"): row(own="F 303 303 F F S", other_clinic="F H H F F S",
                                    other_patient="F 303 303 F F S"),
    ("GET", "/patients/new"): row("F 200 200 F F S"),
    ("POST", "/patients/new"): row("F 422 422 F F S"),
    ("GET", "/patients/{patient_id}"): READ,
    ("GET", "/patients/{patient_id}/courses/new"): CARE_TEAM,
    ("POST", "/patients/{patient_id}/courses/new"): CARE_TEAM_FORM,
    ("GET", "/courses/{course_id}"): READ,
    ("GET", "/courses/{course_id}/summary"): READ,
    ("GET", "/courses/{course_id}/summary.pdf"): READ,
    ("GET", "/courses/{course_id}/record"): CARE_TEAM,
    ("GET", "/courses/{course_id}/record/{event_type}"): CARE_TEAM,
    ("POST", "/courses/{course_id}/record/{event_type}"): CARE_TEAM_FORM,
    ("GET", "/courses/{course_id}/prescribe"): CARE_TEAM,
    ("POST", "/courses/{course_id}/prescribe"): CARE_TEAM_FORM,
    ("GET", "/courses/{course_id}/prescribe/signed"): CARE_TEAM,
    ("GET", "/courses/{course_id}/end"): CARE_TEAM,
    ("POST", "/courses/{course_id}/end"): CARE_TEAM_FORM,
    # The pharmacy: a pharmacist reaches any of the clinic's prescriptions by reference;
    # the care team and the patient may look (a read), only a pharmacist dispenses.
    ("GET", "/pharmacy"): row("F 200 200 200 200 S"),
    ("POST", "/pharmacy/lookup"): row(own="F A A A A S",
                                      other_clinic="F H H H H S",
                                      other_patient="F A A A H S"),
    ("POST", "/pharmacy/authorize"): row(own="F F F A F S", other_clinic="F F F H F S"),
    ("GET", "/pharmacy/authorizations/{code}"): row(own="F 200 200 200 200 S",
                                                    other_clinic="F H H H H S",
                                                    other_patient="F 200 200 200 H S"),
    ("POST", "/pharmacy/authorizations/{code}/dispense"): row(own="F F F A F S",
                                                              other_clinic="F F F H F S"),
    ("POST", "/pharmacy/authorizations/{code}/reverse"): row(own="F A F A F S",
                                                             other_clinic="F H F H F S"),
    # The patient's own pages. The summary and the calendar download look the patient's
    # record up: another role has none ("not found").
    ("GET", "/me"): PATIENT_PAGE,
    ("GET", "/me/summary"): row("H H H H 200 S"),
    ("GET", "/me/summary.pdf"): row("H H H H 200 S"),
    ("GET", "/me/diary"): PATIENT_PAGE,
    ("POST", "/me/diary"): PATIENT_FORM,
    ("GET", "/me/diary/{event_id}"): PATIENT_RESULT,
    ("GET", "/me/side-effects"): PATIENT_PAGE,
    ("POST", "/me/side-effects"): PATIENT_FORM,
    ("GET", "/me/side-effects/{event_id}"): PATIENT_RESULT,
    ("GET", "/me/phq9"): PATIENT_PAGE,
    ("POST", "/me/phq9"): PATIENT_FORM,
    ("GET", "/me/phq9/{event_id}"): PATIENT_RESULT,
    ("GET", "/me/comprehension"): PATIENT_PAGE,
    ("POST", "/me/comprehension"): PATIENT_FORM,
    ("GET", "/me/comprehension/{event_id}"): PATIENT_RESULT,
    ("GET", "/me/reminders"): PATIENT_PAGE,
    ("GET", "/me/reminders.ics"): row("F H H F 200 S"),
    ("POST", "/me/reminders/links"): row("F F F F 201 S"),
    ("POST", "/me/reminders/links/{feed_id}/revoke"): row("F F F F H S"),
}


def page_routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        contexts = getattr(route, "effective_route_contexts", None)
        items = [(c.path, c.original_route) for c in contexts()] if contexts else \
            [(getattr(route, "path", ""), route)]
        for path, original in items:
            if is_web_path(path):
                for method in set(getattr(original, "methods", None) or ()) - {"HEAD"}:
                    found.add((method, path))
    return found


def test_every_page_route_has_a_row_and_a_request(tmp_path_factory: pytest.TempPathFactory
                                                  ) -> None:
    folder = tmp_path_factory.mktemp("web-routes")
    clinic = build(Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'x.db'}"))
    try:
        routes = page_routes(create_app(clinic))
    finally:
        clinic.close()
    assert routes - set(TABLE) == set(), "page routes without a row in the table"
    assert set(TABLE) - routes == set(), "rows for page routes that do not exist"
    assert set(CALLS) == set(TABLE)


@pytest.fixture
def browser(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.root, timeout=60, cookies=no_cookies(),
                      follow_redirects=False) as client:
        yield client


def _outcome(response: httpx.Response) -> str:
    status = response.status_code
    if status == 303 and response.headers.get("location", "").startswith("/sign-in"):
        return "S"
    if status in (403, 404):
        assert "text/html" in response.headers.get("content-type", ""), response.text[:200]
        return {403: "F", 404: "H"}[status]
    return str(status)


@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_gets_the_designed_page_for_own_other_clinic_and_other_patient_records(
        world: World, browser: httpx.Client, route: tuple[str, str]) -> None:
    failures = []
    for rel, cells in TABLE[route].items():
        if cells is None:
            continue
        for role, expected in zip(ROLES, cells, strict=True):
            call = CALLS[route](world, rel)
            headers: dict[str, str] = {}
            form = dict(call.form)
            if role != "anonymous":
                secret, csrf = world.session(role)
                headers["Cookie"] = f"{SESSION_COOKIE}={secret}"
                if call.method == "POST":
                    form["csrf_token"] = csrf
            answer = browser.request(call.method, call.path, headers=headers,
                                     data=form if call.method == "POST" else None)
            got = _outcome(answer)
            if expected == "A" and got in ("200", "303", "409", "422"):
                got = "A"
            if route == ("POST", "/sign-out") and role != "anonymous":
                world.forget_session(role)
            if got != expected:
                failures.append(f"{role} on {rel.value}: expected {expected}, got {got}")
            if expected in ("F", "H") and answer.status_code in (403, 404):
                assert "Traceback" not in answer.text
    assert not failures, "\n".join(failures)
