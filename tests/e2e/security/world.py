"""A small two-clinic world for the security tests, made through the services and served
over real HTTP.

Clinic ``main``: an admin, a prescriber, a delegate of that prescriber, a pharmacist and two
patients with accounts (``patient`` and ``patient-two``); each patient has a US course ready
to dispense, with a prescription and a granted authorization (courses ``one`` and ``two``).
Clinic ``other`` (same database): ``other-prescriber``, ``other-pharmacist`` and
``other-patient`` with course ``other``. Every person has a display name of their own (the
access log shows them) and an API token with every scope their role may have.

An account costs one argon2 hash (a quarter of a second here), so people and courses are
made on first use, and one world serves every test of a process (per backend); what a test
changes for good (a dispense, a disabled account) it takes from :meth:`World.fresh_course` or
:func:`add_person`, never from the shared people and courses.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import pytest

from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.domain.record import Jurisdiction
from isocourse.services import courses, dispensing, prescriptions
from isocourse.services.audit import AuditEntry
from isocourse.services.course_store import record_document
from isocourse.services.ports import Actor, FixedClock
from isocourse.services.security.accounts import NewUser, add_user
from isocourse.services.security.sessions import actor_of, sign_in
from isocourse.services.security.tokens import create_token
from isocourse.services.stored_accounts import UserRow
from tests.support.accounts import PASSWORD
from tests.support.courses import READY_DAY, ready_history
from tests.support.db_fixtures import fresh_database
from tests.support.live_server import live_server

__all__ = ["MAIN", "NOON", "OTHER", "PASSWORD", "READY_DAY", "SESSION_COOKIE", "Course",
           "Person", "World", "add_person", "cookie", "make_course", "no_cookies",
           "security_clinic", "serve_world", "unique"]

MAIN, OTHER = "main", "other"
SESSION_COOKIE = "isocourse_session"
#: The worlds' "now" (a FixedClock's default instant on READY_DAY).
NOON = dt.datetime.combine(READY_DAY, dt.time(12), tzinfo=dt.UTC)

#: The scopes each role's token gets: everything the role may use.
ROLE_SCOPES = {
    "admin": ("read", "write"),
    "prescriber": ("read", "write", "dispense"),
    "delegate": ("read", "write"),
    "pharmacist": ("read", "dispense"),
    "patient": ("read", "write"),
}

#: key: (role, display name, clinic, course of a patient, prescriber of a delegate)
PEOPLE: dict[str, tuple[str, str, str, str | None, str | None]] = {
    "admin": ("admin", "Ada Admin", MAIN, None, None),
    "prescriber": ("prescriber", "Dr Priya Prescriber", MAIN, None, None),
    "delegate": ("delegate", "Dan Delegate", MAIN, None, "prescriber"),
    "pharmacist": ("pharmacist", "Phil Pharmacist", MAIN, None, None),
    "patient": ("patient", "Pat One", MAIN, "one", None),
    "patient-two": ("patient", "Pam Two", MAIN, "two", None),
    "other-prescriber": ("prescriber", "Dr Olga Otherclinic", OTHER, None, None),
    "other-pharmacist": ("pharmacist", "Oscar Otherpharmacy", OTHER, None, None),
    "other-patient": ("patient", "Otto Otherpatient", OTHER, "other", None),
}
#: course: (the prescriber and pharmacist who made it ready)
COURSES = {"one": ("prescriber", "pharmacist"), "two": ("prescriber", "pharmacist"),
           "other": ("other-prescriber", "other-pharmacist")}

_serial = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other call returns (user names, the clinic's patient ids)."""
    return f"{prefix}-{next(_serial)}-{secrets.token_hex(3)}"


@contextmanager
def security_clinic(request: pytest.FixtureRequest, backend: str, folder: Path,
                    **settings: Any) -> Iterator[Clinic]:
    """A clinic on a fresh database of ``backend`` with extra ``settings``, its clock fixed
    at noon of READY_DAY (a FixedClock: move ``clinic.clock.instant``)."""
    with contextmanager(fresh_database)(request, backend, folder / "data") as url:
        clinic = build(Settings(data_dir=folder / "data", database_url=url, **settings),
                       clock=FixedClock(READY_DAY))
        try:
            yield clinic
        finally:
            clinic.close()


@dataclass(frozen=True)
class Person:
    key: str
    user: UserRow
    token: str       # an API token with every scope of the role
    token_id: str

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def actor(self) -> Actor:
        return actor_of(self.user)

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Course:
    patient_id: str
    external_id: str
    course_id: str
    rx: str | None = None
    code: str | None = None


def add_person(clinic: Clinic, key: str, role: str, display_name: str, *,
               clinic_id: str = MAIN, patient_external_id: str | None = None,
               on_behalf_of: str | None = None, username: str | None = None,
               scopes: Sequence[str] | None = None) -> Person:
    """A new account (as ``isocourse users add`` makes it) and an API token of it."""
    user = add_user(NewUser(
        username=username or unique(key), display_name=display_name, role=role,
        password=PASSWORD, clinic_id=clinic_id, patient_external_id=patient_external_id,
        on_behalf_of=on_behalf_of), uows=clinic.uows, clock=clinic.clock,
        actor=Actor(id="operator", role="admin", clinic_id=clinic_id),
        policy=clinic.security)
    made = create_token("security tests", scopes or ROLE_SCOPES[role], expires_in_days=365,
                        uows=clinic.uows, clock=clinic.clock, actor=actor_of(user),
                        policy=clinic.security)
    return Person(key, user, made.secret, made.row.id)


def make_course(clinic: Clinic, prescriber: Person, pharmacist: Person, stage: str,
                external_id: str) -> Course:
    """A new patient with a course at ``stage``: ``patient`` (no course yet), ``started``,
    ``history`` (everything on file for a first dispense on READY_DAY), ``prescribed`` (and
    a prescription) or ``granted`` (and a granted authorization)."""
    kw: dict[str, Any] = {"uows": clinic.uows, "clock": clinic.clock,
                          "actor": prescriber.actor}
    patient = courses.register_patient(courses.RegisterPatient(
        external_id=external_id, birth_date=dt.date(2004, 4, 2), can_get_pregnant=True), **kw)
    if stage == "patient":
        return Course(patient.id, external_id, "")
    kw["rules"] = clinic.rules
    course = courses.start_course(courses.StartCourse(
        patient_id=patient.id, jurisdiction=Jurisdiction.US_IPLEDGE,
        product="us-conventional", weight_kg=Decimal(60), mg_per_kg=Decimal("0.5"),
        start_date=dt.date(2026, 10, 3)), **kw)
    cid = course.header.id
    if stage == "started":
        return Course(patient.id, external_id, cid)
    courses.record_events(cid, ready_history(), expected_version=None, **kw)
    if stage == "history":
        return Course(patient.id, external_id, cid)
    verdict = prescriptions.write_prescription(prescriptions.WritePrescription(
        course_id=cid, daily_mg=30, days_supply=30), preview=False, expected_version=None,
        **kw)
    assert verdict.saved and verdict.prescription_id is not None, verdict
    rx = verdict.prescription_id
    if stage == "prescribed":
        return Course(patient.id, external_id, cid, rx)
    assert stage == "granted", stage
    row, _ = dispensing.request_authorization(dispensing.AuthorizationRequest(
        prescription_id=rx, course_id=cid), **{**kw, "actor": pharmacist.actor})
    return Course(patient.id, external_id, cid, rx, row.code)


def cookie(secret: str, csrf: str | None = None) -> dict[str, str]:
    """Headers of a browser with the session cookie (and the CSRF header when given)."""
    headers = {"Cookie": f"{SESSION_COOKIE}={secret}"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return headers


@dataclass
class World:
    """``http`` is a client of ``root + "/api/v1"`` that sends no credentials by itself
    (it keeps no cookies)."""

    clinic: Clinic
    root: str
    http: httpx.Client
    _people: dict[str, Person] = field(default_factory=dict)
    _courses: dict[str, Course] = field(default_factory=dict)
    _sessions: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        if key not in self._people:
            role, name, clinic_id, course, prescriber = PEOPLE[key]
            self._people[key] = add_person(
                self.clinic, key, role, name, clinic_id=clinic_id,
                patient_external_id=self.course(course).external_id if course else None,
                on_behalf_of=self[prescriber].username if prescriber else None)
        return self._people[key]

    def course(self, name: str) -> Course:
        if name not in self._courses:
            prescriber, pharmacist = COURSES[name]
            self._courses[name] = make_course(self.clinic, self[prescriber],
                                              self[pharmacist], "granted", unique(name))
        return self._courses[name]

    def made(self) -> dict[str, Person]:
        """The people made so far."""
        return dict(self._people)

    def fresh_course(self, stage: str = "granted", *, prescriber: str = "prescriber",
                     pharmacist: str = "pharmacist") -> Course:
        """A new patient of the prescriber's clinic with a course at ``stage`` (see
        :func:`make_course`)."""
        return make_course(self.clinic, self[prescriber], self[pharmacist], stage,
                           unique("ext"))

    def spare_token(self, key: str, scopes: Sequence[str] = ("read",),
                    days: int = 30) -> tuple[str, str]:
        """Another API token of person ``key``: (token, id)."""
        made = create_token("spare", scopes, expires_in_days=days, uows=self.clinic.uows,
                            clock=self.clinic.clock, actor=self[key].actor,
                            policy=self.clinic.security)
        return made.secret, made.row.id

    def document(self, course_id: str, by: str = "prescriber") -> dict[str, Any]:
        """The course record of a course, as GET /courses/{id} gives it to ``by``."""
        loaded = courses.get_course(course_id, uows=self.clinic.uows, actor=self[by].actor,
                                    rules=self.clinic.rules)
        return record_document(loaded.patient, loaded.header, loaded.events)

    def version(self, course_id: str) -> int:
        with self.clinic.uows() as uow:
            header = uow.courses.get(course_id)
        assert header is not None
        return header.version

    # -- sessions ----------------------------------------------------------------------------

    def new_session(self, key: str) -> tuple[str, str]:
        """Sign ``key`` in through the service: (cookie secret, CSRF token)."""
        signed = sign_in(self[key].username, PASSWORD, address=None, uows=self.clinic.uows,
                         clock=self.clinic.clock, policy=self.clinic.security)
        return signed.secret, signed.session.csrf_token

    def session(self, key: str) -> tuple[str, str]:
        """A signed-in session of ``key``, kept for reuse until :meth:`forget_session`."""
        if key not in self._sessions:
            self._sessions[key] = self.new_session(key)
        return self._sessions[key]

    def forget_session(self, key: str) -> None:
        self._sessions.pop(key, None)

    # -- the audit trail ---------------------------------------------------------------------

    def head(self) -> int:
        with self.clinic.uows() as uow:
            head = uow.audit.head()
        return head[0] if head else 0

    def entries_after(self, seq: int) -> list[AuditEntry]:
        with self.clinic.uows() as uow:
            return list(uow.audit.entries(offset=seq))


@contextmanager
def serve_world(request: pytest.FixtureRequest, backend: str, folder: Path,
                **settings: Any) -> Iterator[World]:
    """A :class:`World` on a fresh clinic of ``backend``, served by a live server."""
    with security_clinic(request, backend, folder, **settings) as clinic, \
            live_server(clinic) as root, \
            httpx.Client(base_url=root + "/api/v1", timeout=30, cookies=no_cookies()) as http:
        yield World(clinic, root, http)


def no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing: each test sends the cookies it means to send."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@contextmanager
def clock_at_noon(world: World) -> Iterator[FixedClock]:
    """The world's clock at NOON of READY_DAY, put back to its default afterwards."""
    clock = world.clinic.clock
    assert isinstance(clock, FixedClock)
    clock.instant = NOON
    try:
        yield clock
    finally:
        clock.instant = None
