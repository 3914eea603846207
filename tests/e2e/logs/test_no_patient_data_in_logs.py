"""Patient data never appears in the logs (issue: "a test proves it by driving a full course
through the API and searching the logs for the demo patients' identifiers").

The clinic is the demo clinic exactly as ``isocourse serve --demo`` makes it, served by
uvicorn configured as ``isocourse serve`` configures it. (``tests.support.live_server``
leaves uvicorn's own access log on - only its ``log_level="warning"`` keeps those INFO
lines, which carry whole paths and query strings, out - whereas ``serve`` turns it off with
``access_log=False``; so the server is built here with ``serve``'s options. That logger
then has no handler and does not propagate, and is left so: uvicorn decides whether to
write access lines by ``hasHandlers()``, so a handler put on it would turn them back on.)

Every log record of every logger is captured at DEBUG from before the seeding until the
server has stopped, and so are the process's stdout and stderr. SQLAlchemy's loggers are
the one choice: the first test leaves them where SQLAlchemy puts them on import (WARNING,
so that a DEBUG root does not switch its statement echo on); the second opens them to
DEBUG as well, as someone debugging the database would.

A full course is driven over real HTTP by the demo accounts (cookies and CSRF, and an API
token), with errors on purpose: invalid input carrying the patient's
identifiers, unknown routes and records, refusals, a password typed as a user name.

Afterwards none of these may appear anywhere in what was captured: the demo patients' and
the new patient's clinic ids and birth dates, every internal patient and course id, every
authorization code, the passwords, session cookies, CSRF tokens and the API token. The
access log lines (``METHOD /route/{template} STATUS ms``) must be there, one per request,
so the test cannot pass on empty logs.

Records of the test's own HTTP client (the ``httpx`` and ``httpcore`` loggers, which log
the URLs it requests) are not the server's and are left out.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn

from isocourse.adapters.api.app import create_app
from isocourse.bootstrap import Clinic
from isocourse.services.demo import DemoSummary, seed_demo_clinic
from isocourse.services.demo_accounts import DEMO_ACCOUNTS, DEMO_PATIENT, add_demo_accounts
from tests.support.courses import READY_DAY, ready_history

API = "/api/v1"
PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
#: The patient registered during the test: identifiers nothing else would contain.
NEW_EXTERNAL_ID = "zq-logprobe-7731"
NEW_BIRTH_DATE = "2003-02-17"
CLIENT_LOGGERS = ("httpx", "httpcore")
ACCESS_LINE = re.compile(
    r"(?P<method>GET|POST|PUT|DELETE) (?P<route>/\S*|\(no such route\)) "
    r"(?P<status>\d{3}) \d+ms")


# -- capturing everything ------------------------------------------------------------------

class Capture(logging.Handler):
    """Keeps every record it is given, formatted at once (with any traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[tuple[str, str]] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        with self._guard:
            self.lines.append((record.name, text))


@dataclass
class AllLogs:
    """Every logger at DEBUG into one handler: on the root, and on each logger that keeps
    its records from the root but writes them somewhere itself (uvicorn's).

    ``sqlalchemy=False`` leaves SQLAlchemy's loggers at the level they have (SQLAlchemy
    sets its root logger to WARNING when imported, so that a DEBUG root does not turn on
    its statement echo); their records at that level are still captured."""

    sqlalchemy: bool = True
    handler: Capture = field(default_factory=Capture)
    _levels: dict[logging.Logger, int] = field(default_factory=dict)
    _attached: list[logging.Logger] = field(default_factory=list)
    _handler_levels: dict[logging.Handler, int] = field(default_factory=dict)

    def widen(self) -> None:
        """Open every logger known now (call again after uvicorn configures its own)."""
        root = logging.getLogger()
        loggers = [root, *(lg for lg in logging.Logger.manager.loggerDict.values()
                           if isinstance(lg, logging.Logger))]
        for logger in loggers:
            if not self.sqlalchemy and logger.name.split(".")[0] == "sqlalchemy":
                pass
            elif logger.level != logging.NOTSET and logger.level > logging.DEBUG:
                self._levels.setdefault(logger, logger.level)
                logger.setLevel(logging.DEBUG)
            writes_itself = logger is root or (not logger.propagate and logger.handlers)
            if writes_itself and self.handler not in logger.handlers:
                logger.addHandler(self.handler)
                self._attached.append(logger)

    def keep_other_handlers_as_they_were(self) -> None:
        """The root's other handlers (pytest's) go on seeing only what they saw before."""
        root = logging.getLogger()
        for other in root.handlers:
            self._handler_levels[other] = other.level
            other.setLevel(max(other.level, root.getEffectiveLevel()))

    def close(self) -> None:
        for logger in self._attached:
            logger.removeHandler(self.handler)
        for logger, level in self._levels.items():
            logger.setLevel(level)
        for other, level in self._handler_levels.items():
            other.setLevel(level)

    def server_lines(self) -> list[tuple[str, str]]:
        return [(name, text) for name, text in self.handler.lines
                if not name.startswith(CLIENT_LOGGERS)]


@contextmanager
def all_logs(*, sqlalchemy: bool) -> Iterator[AllLogs]:
    logs = AllLogs(sqlalchemy)
    logs.keep_other_handlers_as_they_were()
    logs.widen()
    try:
        yield logs
    finally:
        logs.close()


# -- the server, as `isocourse serve` runs it ------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_like_isocourse_serve(clinic: Clinic, logs: AllLogs) -> Iterator[str]:
    """uvicorn with the options of ``isocourse serve`` (adapters/cli/server.py), in a
    thread: its own access log off, no server header, proxy headers as configured."""
    port = _free_port()
    config = uvicorn.Config(create_app(clinic), host="127.0.0.1", port=port,
                            log_level="info", server_header=False, access_log=False,
                            proxy_headers=True,
                            forwarded_allow_ips=clinic.settings.forwarded_allow_ips)
    logs.widen()  # uvicorn has just configured its loggers (at INFO): open them again
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}{API}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive(), "the test server did not stop"


def seed_like_serve_demo(clinic: Clinic) -> DemoSummary:
    """What ``isocourse serve --demo`` does to an empty database (``_seed_demo``)."""
    summary = seed_demo_clinic(uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                               rules=clinic.rules)
    add_demo_accounts(uows=clinic.uows, clock=clinic.clock,
                      clinic_id=clinic.settings.clinic_id, policy=clinic.security)
    return summary


# -- the people driving the course --------------------------------------------------------------

@dataclass
class Visits:
    """Every request the clients made (to count the access log lines against), and the
    clients, to close."""

    requests: list[str] = field(default_factory=list)
    clients: list[httpx.Client] = field(default_factory=list)

    def hook(self, response: httpx.Response) -> None:
        self.requests.append(f"{response.request.method} {response.request.url.path}")

    def close(self) -> None:
        for made in self.clients:
            made.close()


@dataclass
class Secrets:
    cookies: list[str] = field(default_factory=list)
    csrf_tokens: list[str] = field(default_factory=list)
    api_tokens: list[str] = field(default_factory=list)


def client(base: str, visits: Visits, **headers: str) -> httpx.Client:
    made = httpx.Client(base_url=base, timeout=60, headers=headers,
                        event_hooks={"response": [visits.hook]})
    visits.clients.append(made)
    return made


def sign_in(base: str, username: str, visits: Visits, secrets: Secrets) -> httpx.Client:
    person = client(base, visits)
    answer = person.post("/session", json={"username": username,
                                           "password": PASSWORDS[username]})
    assert answer.status_code == 200, answer.text
    csrf = answer.json()["csrf_token"]
    cookie = person.cookies.get("isocourse_session")
    assert csrf and cookie
    secrets.csrf_tokens.append(csrf)
    secrets.cookies.append(cookie)
    person.headers["X-CSRF-Token"] = csrf
    return person


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.request.method,
                                            response.request.url.path, response.text)
    return dict(response.json()) if response.content else {}


def drive_a_full_course(base: str, visits: Visits, secrets: Secrets) -> dict[str, str]:
    """The demo accounts at work; returns the ids of what was made."""
    prescriber = sign_in(base, "prescriber", visits, secrets)
    pharmacist = sign_in(base, "pharmacist", visits, secrets)
    patient = sign_in(base, "patient", visits, secrets)
    admin = sign_in(base, "admin", visits, secrets)
    delegate = sign_in(base, "delegate", visits, secrets)
    nobody = client(base, visits)

    # the prescriber: a new patient, a course, the history before treatment, a prescription
    registered = expect(prescriber.post("/patients", json={
        "external_id": NEW_EXTERNAL_ID, "birth_date": NEW_BIRTH_DATE,
        "can_get_pregnant": True}), 201)
    pid = registered["id"]
    course = expect(prescriber.post(f"/patients/{pid}/courses", json={
        "jurisdiction": "us-ipledge", "product": "us-conventional", "weight_kg": 60,
        "mg_per_kg": 0.5, "start_date": "2026-10-03"}), 201)
    cid = course["id"]
    expect(prescriber.post(f"/courses/{cid}/events", json={"events": ready_history()}), 201)
    preview = expect(prescriber.post(f"/courses/{cid}/prescriptions", json={
        "daily_mg": 30, "days_supply": 30, "preview": True}), 200)
    assert preview["assessment"]["dispense_allowed"] is True
    rx = expect(prescriber.post(f"/courses/{cid}/prescriptions", json={
        "daily_mg": 30, "days_supply": 30, "note": f"for {NEW_EXTERNAL_ID}"}), 201)
    rx_id = rx["prescription_id"]

    # the pharmacist: an authorization, the dispense, and the authorization read back
    grant = expect(pharmacist.post("/authorizations", json={
        "course_id": cid, "prescription_id": rx_id, "pharmacy": "Main St"}), 201)
    code = grant["code"]
    expect(pharmacist.post(f"/authorizations/{code}/dispense",
                           headers={"Idempotency-Key": f"till-{NEW_EXTERNAL_ID}"}), 201)
    expect(pharmacist.get(f"/authorizations/{code}"), 200)
    expect(pharmacist.get(f"/authorizations/{code.replace('-', '').lower()}"), 200)

    # the delegate records a lab for the prescriber; an API token reads the due list
    expect(delegate.post(f"/courses/{cid}/events", json={
        "type": "lab", "date": READY_DAY.isoformat(), "analyte": "alt", "value": 30,
        "unit": "U/L"}), 201)
    made = expect(prescriber.post("/tokens", json={"name": "clinic script",
                                                   "scopes": ["read"]}), 201)
    secrets.api_tokens.append(made["token"])
    script = client(base, visits, Authorization=f"Bearer {made['token']}")
    expect(script.get("/due", params={"attention": "true"}), 200)
    found = expect(script.post("/patients/search", json={"external_id": NEW_EXTERNAL_ID}), 200)
    assert found["id"] == pid

    # the demo patient records what a patient reports about their own course
    own = expect(prescriber.post("/patients/search", json={"external_id": DEMO_PATIENT}), 200)
    own_patient = expect(patient.get(f"/patients/{own['id']}"), 200)
    own_course = own_patient["courses"][0]["id"]
    today = READY_DAY.isoformat()
    expect(patient.post(f"/courses/{own_course}/events", json={"events": [
        {"type": "side_effect", "date": today, "kind": "cheilitis", "grade": 1},
        {"type": "phq2", "date": today, "items": [0, 1]},
        {"type": "dose", "date": today, "mg": 40, "taken": True}]}), 201)
    expect(patient.get(f"/courses/{own_course}/events"), 200)
    expect(patient.get("/me/access-log"), 200)

    # everything read back
    for path in (f"/courses/{cid}", f"/courses/{cid}/summary", f"/courses/{cid}/events",
                 f"/courses/{cid}/assessment", f"/courses/{cid}/authorizations",
                 f"/patients/{pid}", f"/patients/{pid}/access-log", "/due", "/courses",
                 "/session", "/tokens"):
        expect(prescriber.get(path), 200)
    expect(prescriber.get("/courses", params={"patient_id": pid}), 200)
    expect(prescriber.post("/patients/search", json={"external_id": NEW_EXTERNAL_ID}), 200)
    expect(admin.get("/audit", params={"per_page": 50}), 200)
    assert expect(admin.get("/audit/verify"), 200)["intact"] is True

    # errors, on purpose
    expect(prescriber.post("/patients", json={                      # invalid input
        "external_id": NEW_EXTERNAL_ID, "birth_date": NEW_BIRTH_DATE[:8] + "31",
        "can_get_pregnant": True}), 422)
    expect(prescriber.post("/patients", json={                      # a duplicate
        "external_id": NEW_EXTERNAL_ID, "birth_date": NEW_BIRTH_DATE,
        "can_get_pregnant": True}), 409)
    expect(prescriber.post(f"/courses/{cid}/events", json={          # a bad record
        "type": "lab", "date": NEW_BIRTH_DATE, "analyte": NEW_EXTERNAL_ID, "value": pid,
        "unit": code}), 422)
    expect(prescriber.post(f"/courses/{cid}/prescriptions", json={   # bad fields
        "daily_mg": NEW_EXTERNAL_ID, "days_supply": -1, "note": NEW_BIRTH_DATE}), 422)
    expect(prescriber.get(f"/courses/{cid}/assessment",              # no rules that day
                          params={"on": NEW_BIRTH_DATE}), 422)
    expect(prescriber.post("/patients/search",                       # not JSON
                           content=f"{{{NEW_EXTERNAL_ID}", headers={
                               "Content-Type": "application/json"}), 400)
    expect(prescriber.get(f"/courses/{uuid.uuid4()}"), 404)          # no such record
    expect(prescriber.post("/patients/search", json={"external_id": "demo-999-none"}), 404)
    expect(prescriber.get(f"/lookup/{NEW_EXTERNAL_ID}",              # no such route
                          params={"born": NEW_BIRTH_DATE, "code": code}), 404)
    expect(pharmacist.get(f"/courses/{cid}"), 403)                   # refused: the role
    expect(patient.get(f"/patients/{pid}"), 404)                     # hidden: not theirs
    expect(patient.post(f"/courses/{own_course}/events", json={      # refused: forbidden
        "type": "lab", "date": today, "analyte": "alt", "value": 20, "unit": "U/L"}), 403)
    expect(prescriber.post(f"/authorizations/{code}/dispense"), 403)  # not a pharmacist
    expect(nobody.get(f"/patients/{pid}"), 401)                      # not signed in
    expect(client(base, visits, Authorization=f"Bearer {made['token'][:-3]}xyz")
           .get("/due"), 401)                                         # a forged token
    expect(script.post("/patients", json={"external_id": "zq-2", "birth_date": "2001-01-01",
                                          "can_get_pregnant": False}), 403)  # read scope
    no_csrf = client(base, visits)
    no_csrf.cookies.set("isocourse_session", secrets.cookies[0])
    expect(no_csrf.post("/patients/search", json={"external_id": NEW_EXTERNAL_ID}), 403)
    expect(nobody.post("/session", json={                            # password as user name
        "username": PASSWORDS["prescriber"], "password": "prescriber"}), 401)
    expect(nobody.post("/session", json={                            # another's password
        "username": "prescriber", "password": PASSWORDS["pharmacist"]}), 401)

    for person in (prescriber, pharmacist, patient, admin, delegate):
        expect(person.delete("/session"), 204)
    return {"patient_id": pid, "course_id": cid, "code": code}


# -- what must not be in the logs ---------------------------------------------------------------

def forbidden_strings(clinic: Clinic, summary: DemoSummary,
                      secrets: Secrets) -> dict[str, set[str]]:
    """Every identifier and secret that must stay out of the logs, by kind."""
    kinds: dict[str, set[str]] = {
        "a demo patient's id in the clinic": set(), "a patient's birth date": set(),
        "an internal patient id": set(), "a course id": set(),
        "an authorization code": set(),
        "the new patient's id in the clinic": {NEW_EXTERNAL_ID},
        "the new patient's birth date": {NEW_BIRTH_DATE, repr(dt.date.fromisoformat(
            NEW_BIRTH_DATE))},
        "a password": set(PASSWORDS.values()), "a session cookie": set(secrets.cookies),
        "a CSRF token": set(secrets.csrf_tokens), "an API token": set(secrets.api_tokens),
    }
    clinic_id = clinic.settings.clinic_id
    externals = [f"demo-{n:03d}" for n in range(1, summary.patients + 1)]
    with clinic.uows() as uow:
        for external in [*externals, NEW_EXTERNAL_ID]:
            patient = uow.patients.by_external_id(clinic_id, external)
            assert patient is not None, external
            if external != NEW_EXTERNAL_ID:
                kinds["a demo patient's id in the clinic"].add(external)
                kinds["a patient's birth date"].update(
                    {patient.birth_date.isoformat(), repr(patient.birth_date)})
            kinds["an internal patient id"].add(patient.id)
            for course in uow.courses.of_patient(patient.id):
                kinds["a course id"].add(course.id)
                kinds["an authorization code"].update(
                    a.code for a in uow.authorizations.of_course(course.id))
    assert len(kinds["an internal patient id"]) == summary.patients + 1
    assert len(kinds["a course id"]) == summary.courses + 1
    assert len(kinds["an authorization code"]) >= summary.authorizations + 1
    return kinds


def leaks(sources: dict[str, list[str]], kinds: dict[str, set[str]]) -> list[str]:
    """One line per (source, kind) found, with a short example."""
    found = []
    for source, texts in sorted(sources.items()):
        for kind, needles in kinds.items():
            hits = [(needle, text) for text in texts for needle in needles if needle in text]
            if hits:
                needle, text = hits[0]
                at = text.index(needle)
                found.append(f"{source}: {kind} ({len(hits)} times), e.g. {needle!r} in "
                             f"...{text[max(0, at - 80):at + 80]!r}...")
    return found


def drive_and_search_the_logs(clinic: Clinic, capfd: pytest.CaptureFixture[str], *,
                              sqlalchemy: bool) -> None:
    clinic.clock.day = READY_DAY  # type: ignore[attr-defined]
    visits, secrets = Visits(), Secrets()
    with all_logs(sqlalchemy=sqlalchemy) as logs:
        summary = seed_like_serve_demo(clinic)
        with served_like_isocourse_serve(clinic, logs) as base:
            try:
                made = drive_a_full_course(base, visits, secrets)
            finally:
                visits.close()
        captured = logs.server_lines()
    out, err = capfd.readouterr()

    # the logs are not empty: one access log line per request, naming the route template
    access = [text.split(": ", 1)[1] for name, text in captured if name == "isocourse.access"]
    assert len(access) == len(visits.requests) > 60
    matches = [ACCESS_LINE.fullmatch(line) for line in access]
    assert all(matches), access
    templates = {"{method} {route} {status}".format(**m.groupdict()) for m in matches if m}
    assert {"POST /patients/{patient_id}/courses 201",
            "POST /authorizations/{code}/dispense 201", "GET /courses/{course_id} 404",
            "GET /patients/{patient_id} 404", "POST /session 401",
            "GET (no such route) 404"} <= templates, templates
    assert "Uvicorn running on" in err  # uvicorn's own log, on its own handler

    kinds = forbidden_strings(clinic, summary, secrets)
    assert made["patient_id"] in kinds["an internal patient id"]
    assert made["code"] in kinds["an authorization code"]
    by_source: dict[str, list[str]] = {}
    for name, text in captured:
        by_source.setdefault(f"logger {name}", []).append(text)
    by_source["stdout"], by_source["stderr"] = out.splitlines(), err.splitlines()
    found = leaks(by_source, kinds)
    assert not found, "patient data or secrets in the logs:\n" + "\n".join(found)


@pytest.mark.slow
def test_no_patient_identifier_or_secret_appears_in_any_log_while_a_full_course_is_driven(
        clinic: Clinic, capfd: pytest.CaptureFixture[str]) -> None:
    """Every logger at DEBUG but SQLAlchemy's, which stay where SQLAlchemy puts them."""
    drive_and_search_the_logs(clinic, capfd, sqlalchemy=False)


@pytest.mark.slow
def test_no_patient_identifier_or_secret_appears_even_with_sqlalchemys_loggers_at_debug(
        clinic: Clinic, capfd: pytest.CaptureFixture[str]) -> None:
    """Every logger at DEBUG, SQLAlchemy's too: its statement log (INFO) shows bound
    parameters unless the engine hides them, and its row log (DEBUG) shows rows."""
    drive_and_search_the_logs(clinic, capfd, sqlalchemy=True)
