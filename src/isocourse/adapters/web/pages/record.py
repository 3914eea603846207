"""Recording a course's events from forms, and ending the course.

* ``GET /courses/{id}/record``: the event types this course records (derived from the
  patient's risk category and the programme's rules in force), each with a line on what it
  is; after a recording (``?recorded=<type>``) it says so, and always shows what the rules
  say about the course today (findings and what is due).
* ``GET/POST /courses/{id}/record/{type}``: the form of one event type
  (:mod:`isocourse.adapters.web.event_forms`); a good submission is recorded through
  ``services.courses.record_events`` and answered 303 to the list above.
* ``GET/POST /courses/{id}/end``: the course's last dose and why, with a confirmation.

Prescriptions have their own page (``/courses/{id}/prescribe``) and dispenses are recorded
by the pharmacy.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web.event_forms import (
    EVENT_FORMS,
    EventForm,
    offered_forms,
    place_errors,
    programme_event_types,
    read_event,
    read_text,
)
from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUser, WebUserDep
from isocourse.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, RecordError
from isocourse.domain.record import EventType, Jurisdiction
from isocourse.rules.engine import MONITORING
from isocourse.rules.model import Assessment
from isocourse.services import assessments, courses
from isocourse.services.access import Action, may
from isocourse.services.course_store import LoadedCourse

__all__ = ["course_facts", "require_care_team", "router"]

router = APIRouter(include_in_schema=False)

PROGRAMMES = {Jurisdiction.US_IPLEDGE: "US iPLEDGE",
              Jurisdiction.EU_PPP: "EU Pregnancy Prevention Programme",
              Jurisdiction.UK_MHRA: "UK MHRA measures"}
SEVERITY_WORDS = {"urgent": "Urgent", "block": "Stops dispensing", "warning": "Warning",
                  "info": "Information"}
_DUE_WORDS = {"lab": "Lab tests", "visit": "Visit", "phq9": "PHQ-9"}
_ELSEWHERE = {EventType.PRESCRIPTION: "prescribe", EventType.COURSE_END: "end"}


def require_care_team(user: WebUser) -> None:
    """These pages are the prescriber's and their delegate's."""
    if not may(user.actor, Action.CHANGE_COURSE):
        raise Forbidden("these pages are for the prescriber and their delegate")


def course_facts(course: LoadedCourse, ports: Ports) -> dict[str, Any]:
    """What every page of a course shows at its top."""
    info = course.record.course
    try:
        product = ports.clinic.rules.catalog.get(info.product).name
    except InvalidInput:
        product = info.product
    return {"course_id": course.header.id, "patient_ref": course.patient.external_id,
            "programme": PROGRAMMES.get(info.jurisdiction, info.jurisdiction.value),
            "course_number": course.header.number, "product_name": product,
            "ended_on": course.header.ended_on,
            "can_get_pregnant": course.patient.can_get_pregnant}


def due_words(item: str, analytes: tuple[str, ...]) -> str:
    form = EVENT_FORMS.get(EventType(item)) if item in EventType.__members__.values() \
        else None
    words = form.title if form is not None else _DUE_WORDS.get(
        item, item.replace("_", " ").capitalize())
    return f"{words} ({', '.join(analytes)})" if analytes else words


def assessment_context(assessment: Assessment) -> dict[str, Any]:
    return {"assessment": assessment, "severity_words": SEVERITY_WORDS,
            "due": [(due_words(d.item, d.analytes), d) for d in assessment.due]}


def _offered(course: LoadedCourse, ports: Ports) -> tuple[EventForm, ...]:
    library = ports.clinic.rules.library
    today = ports.clinic.clock.today()
    packs = [library.in_force(course.record.course.jurisdiction.value, today)]
    if library.versions(MONITORING):
        packs.append(library.in_force(MONITORING, today))
    can = course.patient.can_get_pregnant
    return offered_forms(can, programme_event_types(packs, can))


@router.get("/courses/{course_id}/record")
def record_index(request: Request, course_id: str, user: WebUserDep, ports: WebPorts,
                 recorded: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    require_care_team(user)
    course, assessment = assessments.assess_course(course_id, on=None, **ports.kw)
    titles = {t.value: f.title for t, f in EVENT_FORMS.items()}
    titles[EventType.COURSE_END.value] = "the course's end"
    flash = None
    if recorded is not None and recorded in titles:
        flash = {"kind": "ok", "text": f"Recorded: {titles[recorded]}."}
    forms = _offered(course, ports)
    groups = [(g, [f for f in forms if f.group == g]) for g in dict.fromkeys(
        f.group for f in forms)]
    return render(request, "prescriber/record.html", {
        **course_facts(course, ports), **assessment_context(assessment), "groups": groups,
        "recorded": flash is not None, "flash": flash,
        "may_prescribe": course.header.ended_on is None})


def _event_form(course: LoadedCourse, event_type: str, ports: Ports) -> EventForm:
    spec = next((f for f in _offered(course, ports) if f.type.value == event_type), None)
    if spec is None:
        raise NotFound("this course does not record that event type here")
    return spec


def _form_page(request: Request, course: LoadedCourse, spec: EventForm, form: Form,
               ports: Ports, status: int = 200) -> Response:
    return render(request, "prescriber/record_form.html", {
        **course_facts(course, ports), "spec": spec, "form": form,
        "max_date": ports.clinic.clock.today().isoformat()}, status_code=status)


def _elsewhere(course_id: str, event_type: str) -> Response | None:
    for kind, page in _ELSEWHERE.items():
        if event_type == kind.value:
            return RedirectResponse(f"/courses/{course_id}/{page}", status_code=303)
    return None


@router.get("/courses/{course_id}/record/{event_type}")
def event_form_page(request: Request, course_id: str, event_type: str, user: WebUserDep,
                    ports: WebPorts) -> Response:
    require_care_team(user)
    course = courses.get_course(course_id, **ports.read, rules=ports.clinic.rules)
    moved = _elsewhere(course_id, event_type)
    if moved is not None:
        return moved
    spec = _event_form(course, event_type, ports)
    return _form_page(request, course, spec,
                      empty_form(date=ports.clinic.clock.today().isoformat()), ports)


@router.post("/courses/{course_id}/record/{event_type}")
async def record_event(request: Request, course_id: str, event_type: str, user: WebUserDep,
                       ports: WebPorts) -> Response:
    require_care_team(user)
    course = courses.get_course(course_id, **ports.read, rules=ports.clinic.rules)
    spec = _event_form(course, event_type, ports)
    form = await read_form(request)
    body = read_event(spec, form, ports.clinic.clock.today())
    if body is None:
        return _form_page(request, course, spec, form, ports, 422)
    try:
        courses.record_events(course_id, [body], expected_version=None, **ports.kw)
    except (InvalidInput, RecordError, Conflict) as error:
        place_errors(spec, form, error)
        return _form_page(request, course, spec, form, ports,
                          409 if isinstance(error, Conflict) else 422)
    return RedirectResponse(f"/courses/{course_id}/record?recorded={spec.type.value}",
                            status_code=303)


# -- the course's end -------------------------------------------------------------------------

def _end_page(request: Request, course: LoadedCourse, form: Form, ports: Ports,
              status: int = 200) -> Response:
    return render(request, "prescriber/end_course.html", {
        **course_facts(course, ports), "form": form,
        "max_date": ports.clinic.clock.today().isoformat()}, status_code=status)


@router.get("/courses/{course_id}/end")
def end_course_page(request: Request, course_id: str, user: WebUserDep,
                    ports: WebPorts) -> Response:
    require_care_team(user)
    course = courses.get_course(course_id, **ports.read, rules=ports.clinic.rules)
    return _end_page(request, course,
                     empty_form(last_dose=ports.clinic.clock.today().isoformat()), ports)


def _read_end(form: Form, today: dt.date) -> tuple[dt.date | None, str | None]:
    last_dose = form.date("last_dose", not_after=today)
    reason = read_text(form, "reason", required=False, max_length=200)
    if not form.checkbox("confirm"):
        form.error("confirm", "Tick this box to confirm that the course has ended.")
    return last_dose, reason


@router.post("/courses/{course_id}/end")
async def end_course(request: Request, course_id: str, user: WebUserDep,
                     ports: WebPorts) -> Response:
    require_care_team(user)
    course = courses.get_course(course_id, **ports.read, rules=ports.clinic.rules)
    form = await read_form(request)
    last_dose, reason = _read_end(form, ports.clinic.clock.today())
    if not form.ok or last_dose is None:
        return _end_page(request, course, form, ports, 422)
    try:
        courses.end_course(course_id, last_dose=last_dose, reason=reason,
                           expected_version=None, **ports.kw)
    except (InvalidInput, RecordError, Conflict) as error:
        form.absorb(error, {"last_dose": "last_dose", "date": "last_dose",
                            "reason": "reason"})
        return _end_page(request, course, form, ports,
                         409 if isinstance(error, Conflict) else 422)
    return RedirectResponse(f"/courses/{course_id}/record?recorded=course_end",
                            status_code=303)
