"""The requests of the web pages' permission table (test_web_permissions.py): for each page
route, the request a browser of each role would send about its own records or about
records out of its reach (another clinic's, another patient's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from tests.e2e.security.world import World, add_person, unique

__all__ = ["CALLS", "ROLES", "Rel", "WebCall"]

#: The roles, in the order of the table's columns ("anonymous": no session).
ROLES = ("admin", "prescriber", "delegate", "pharmacist", "patient", "anonymous")


class Rel(Enum):
    OWN = "own"                 # the actor's own clinic and (for a patient) own record
    OTHER_CLINIC = "other clinic"
    OTHER_PATIENT = "other patient"  # the same clinic, another patient's record


@dataclass(frozen=True)
class WebCall:
    method: str
    path: str
    form: dict[str, str] = field(default_factory=dict)


_COURSE = {Rel.OWN: "one", Rel.OTHER_CLINIC: "other", Rel.OTHER_PATIENT: "two"}
Builder = Callable[[World, Rel], WebCall]


def _course(w: World, rel: Rel) -> str:
    return w.course(_COURSE[rel]).course_id


def _patient(w: World, rel: Rel) -> str:
    return w.course(_COURSE[rel]).patient_id


def _event(w: World, rel: Rel, kind: str) -> str:
    """The id of the course's first event of type ``kind`` (a page that shows another
    type answers "not found" for it, like an event out of reach)."""
    document = w.document(_course(w, rel), by="other-prescriber" if rel is Rel.OTHER_CLINIC
                          else "prescriber")
    return next(e["id"] for e in document["events"] if e["type"] == kind)


def get(path: str) -> Builder:
    return lambda w, rel: WebCall("GET", path)


def post(path: str, **form: str) -> Builder:
    return lambda w, rel: WebCall("POST", path, dict(form))


def on_course(method: str, suffix: str = "", **form: str) -> Builder:
    return lambda w, rel: WebCall(method, f"/courses/{_course(w, rel)}{suffix}", dict(form))


def on_patient(method: str, suffix: str = "", **form: str) -> Builder:
    return lambda w, rel: WebCall(method, f"/patients/{_patient(w, rel)}{suffix}", dict(form))


def on_event(path: str, kind: str) -> Builder:
    return lambda w, rel: WebCall("GET", path.format(id=_event(w, rel, kind)))


def _spare_account(w: World, rel: Rel) -> str:
    """A fresh account (of the other clinic for OTHER_CLINIC) that a cell may change."""
    clinic = "other" if rel is Rel.OTHER_CLINIC else "main"
    return add_person(w.clinic, unique("spare"), "pharmacist", "Sam Spare",
                      clinic_id=clinic).username


def on_account(suffix: str, **form: str) -> Builder:
    return lambda w, rel: WebCall("POST" if suffix else "GET",
                                  f"/admin/users/{_spare_account(w, rel)}{suffix}", dict(form))


def on_authorization(method: str, suffix: str = "", **form: str) -> Builder:
    return lambda w, rel: WebCall(
        method, f"/pharmacy/authorizations/{w.course(_COURSE[rel]).code}{suffix}", dict(form))


def look_up(w: World, rel: Rel) -> WebCall:
    return WebCall("POST", "/pharmacy/lookup",
                   {"reference": w.course(_COURSE[rel]).rx or ""})


def authorize(w: World, rel: Rel) -> WebCall:
    course = w.course(_COURSE[rel])
    return WebCall("POST", "/pharmacy/authorize",
                   {"prescription_id": course.rx or "", "course_id": course.course_id})


def search(w: World, rel: Rel) -> WebCall:
    return WebCall("POST", "/clinic/search", {"patient": w.course(_COURSE[rel]).external_id})


CALLS: dict[tuple[str, str], Builder] = {
    ("GET", "/"): get("/"),
    ("GET", "/sign-in"): get("/sign-in"),
    ("POST", "/sign-in"): lambda w, rel: WebCall("POST", "/sign-in", {
        "username": unique("nobody"), "password": "not the password"}),
    ("POST", "/sign-out"): post("/sign-out"),
    # Administration.
    ("GET", "/admin"): get("/admin"),
    ("POST", "/admin/users"): post("/admin/users"),
    ("GET", "/admin/users/{username}"): on_account(""),
    ("POST", "/admin/users/{username}/password"): on_account("/password"),
    ("POST", "/admin/users/{username}/disable"): on_account("/disable"),
    ("GET", "/admin/audit"): get("/admin/audit"),
    # The prescriber's clinic.
    ("GET", "/clinic"): get("/clinic"),
    ("POST", "/clinic/search"): search,
    ("GET", "/patients/new"): get("/patients/new"),
    ("POST", "/patients/new"): post("/patients/new"),
    ("GET", "/patients/{patient_id}"): on_patient("GET"),
    ("GET", "/patients/{patient_id}/courses/new"): on_patient("GET", "/courses/new"),
    ("POST", "/patients/{patient_id}/courses/new"): on_patient("POST", "/courses/new"),
    ("GET", "/courses/{course_id}"): on_course("GET"),
    ("GET", "/courses/{course_id}/summary"): on_course("GET", "/summary"),
    ("GET", "/courses/{course_id}/summary.pdf"): on_course("GET", "/summary.pdf"),
    ("GET", "/courses/{course_id}/record"): on_course("GET", "/record"),
    ("GET", "/courses/{course_id}/record/{event_type}"): on_course("GET", "/record/weight"),
    ("POST", "/courses/{course_id}/record/{event_type}"): on_course("POST", "/record/weight"),
    ("GET", "/courses/{course_id}/prescribe"): on_course("GET", "/prescribe"),
    ("POST", "/courses/{course_id}/prescribe"): on_course("POST", "/prescribe"),
    ("GET", "/courses/{course_id}/prescribe/signed"): on_course("GET", "/prescribe/signed"),
    ("GET", "/courses/{course_id}/end"): on_course("GET", "/end"),
    ("POST", "/courses/{course_id}/end"): on_course("POST", "/end"),
    # The pharmacy.
    ("GET", "/pharmacy"): get("/pharmacy"),
    ("POST", "/pharmacy/lookup"): look_up,
    ("POST", "/pharmacy/authorize"): authorize,
    ("GET", "/pharmacy/authorizations/{code}"): on_authorization("GET"),
    ("POST", "/pharmacy/authorizations/{code}/dispense"): on_authorization("POST", "/dispense"),
    ("POST", "/pharmacy/authorizations/{code}/reverse"): on_authorization("POST", "/reverse"),
    # The patient's own pages.
    ("GET", "/me"): get("/me"),
    ("GET", "/me/summary"): get("/me/summary"),
    ("GET", "/me/summary.pdf"): get("/me/summary.pdf"),
    ("GET", "/me/diary"): get("/me/diary"),
    ("POST", "/me/diary"): post("/me/diary"),
    ("GET", "/me/diary/{event_id}"): on_event("/me/diary/{id}", "pregnancy_test"),
    ("GET", "/me/side-effects"): get("/me/side-effects"),
    ("POST", "/me/side-effects"): post("/me/side-effects"),
    ("GET", "/me/side-effects/{event_id}"): on_event("/me/side-effects/{id}", "pregnancy_test"),
    ("GET", "/me/phq9"): get("/me/phq9"),
    ("POST", "/me/phq9"): post("/me/phq9"),
    ("GET", "/me/phq9/{event_id}"): on_event("/me/phq9/{id}", "pregnancy_test"),
    ("GET", "/me/comprehension"): get("/me/comprehension"),
    ("POST", "/me/comprehension"): post("/me/comprehension"),
    ("GET", "/me/comprehension/{event_id}"): on_event("/me/comprehension/{id}", "pregnancy_test"),
    ("GET", "/me/reminders"): get("/me/reminders"),
    ("GET", "/me/reminders.ics"): get("/me/reminders.ics"),
    ("POST", "/me/reminders/links"): post("/me/reminders/links"),
    ("POST", "/me/reminders/links/{feed_id}/revoke"): post(
        "/me/reminders/links/zzzzzzzzzzzzzzzz/revoke"),
}
