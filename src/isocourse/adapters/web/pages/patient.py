"""The patient's own pages: My course (``/me``), and what every patient page shares.

A patient account reaches only its own record (:func:`load_mine` asks the services, which
check it) and records only what a patient reports. The pages of the dose diary, side
effects, the PHQ-9 and the comprehension questions are in the ``patient_*`` modules beside
this one; the reminders and the PDF summary belong to other modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web import patient_view as view
from isocourse.adapters.web.comprehension import programme_has_comprehension
from isocourse.adapters.web.forms import Form
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.domain.errors import Forbidden, IsocourseError, NotFound
from isocourse.domain.record import CourseRecord, Event
from isocourse.rules.model import Assessment, RulePack
from isocourse.services import courses
from isocourse.services.access import Role
from isocourse.services.course_outputs import CourseOutputs, patient_outputs
from isocourse.services.stored import PatientRow, StoredEvent

__all__ = ["Mine", "absorb", "find_event", "load_mine", "packs", "page_links", "record_one",
           "router", "see_other"]

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Mine:
    """The signed-in patient, their courses (oldest first) and the current one: the course
    that has not ended, else the latest."""

    patient: PatientRow | None
    courses: tuple[CourseOutputs, ...]
    current: CourseOutputs | None
    today: dt.date

    @property
    def record(self) -> CourseRecord:
        assert self.current is not None
        return self.current.course.record

    @property
    def assessment(self) -> Assessment:
        assert self.current is not None and self.current.assessment is not None
        return self.current.assessment

    @property
    def plan(self) -> Mapping[str, Any] | None:
        assert self.current is not None
        return self.current.course.header.plan

    @property
    def course_id(self) -> str:
        assert self.current is not None
        return self.current.course.header.id

    @property
    def ended(self) -> dt.date | None:
        return None if self.current is None else self.current.course.header.ended_on


def load_mine(ports: Ports) -> Mine:
    """The patient's own courses, assessed today. Only a patient account has these pages."""
    actor = ports.actor
    if actor.role != Role.PATIENT:
        raise Forbidden("these pages are for patients; your start page is elsewhere")
    today = ports.clinic.clock.today()
    if actor.patient_id is None:
        return Mine(None, (), None, today)
    patient, outputs = patient_outputs(actor.patient_id, **ports.kw)
    active = [o for o in outputs if o.course.header.ended_on is None]
    current = active[-1] if active else (outputs[-1] if outputs else None)
    return Mine(patient, tuple(outputs), current, today)


def packs(mine: Mine, ports: Ports) -> tuple[RulePack, ...]:
    return view.packs_of(mine.assessment, ports.clinic.rules.library)


def find_event(mine: Mine, event_id: str, kind: type[Event]) -> tuple[Event, StoredEvent]:
    """An event of the patient's courses by its id (the page of one report), or NotFound."""
    for outputs in mine.courses:
        for event in outputs.course.record.events:
            if isinstance(event, kind) and event.id == event_id:
                stored = next(s for s in outputs.course.events if s.event_id == event_id)
                return event, stored
    raise NotFound("no such entry")


def record_one(mine: Mine, ports: Ports, event: Mapping[str, Any]) -> StoredEvent:
    """Record one patient-reported event in the current course; the event as stored."""
    _, added = courses.record_events(mine.course_id, [event], expected_version=None,
                                     **ports.kw)
    return added[0]


def see_other(path: str) -> Response:
    """Post/Redirect/Get: after a change, the page that shows it."""
    return RedirectResponse(path, status_code=303)


def absorb(form: Form, error: IsocourseError, fields: Mapping[str, str],
           default: str | None = None) -> None:
    """Put a service's refusal of the event next to the form field it is about (a problem's
    path ends with the event's field name: ``events[12].grade``)."""
    form.absorb(error, fields, default=default)


def _state(mine: Mine, progress: view.Progress | None) -> str:
    if mine.current is None:
        return "none"
    if mine.ended is not None:
        return "ended"
    return "active" if progress is not None and progress.started else "not-started"


@router.get("/me")
def my_course(request: Request, user: WebUserDep, ports: WebPorts) -> HTMLResponse:
    mine = load_mine(ports)
    context: dict[str, Any] = {"mine": mine, "state": "none", "regimen": None,
                               "progress": None, "due": [], "window": None, "alerts": None,
                               "comprehension": False, "comprehension_due": False,
                               "product": None, "links": page_links()}
    if mine.current is not None:
        catalog = ports.clinic.rules.catalog
        regimen = view.regimen_on(mine.record, mine.plan, mine.today, catalog)
        progress = view.progress_of(mine.record, mine.plan, mine.today, catalog,
                                    regimen.daily_mg if regimen is not None else None)
        due = view.due_lines(mine.assessment, mine.today)
        context.update(
            state=_state(mine, progress), regimen=regimen, progress=progress, due=due,
            window=view.pick_up(mine.assessment, mine.today) if mine.ended is None else None,
            alerts=view.alerts(mine.assessment, ended=mine.ended is not None,
                               today=mine.today),
            comprehension=mine.ended is None and programme_has_comprehension(
                packs(mine, ports), mine.record.patient.can_get_pregnant),
            comprehension_due=any(d.item == "comprehension" for d in due),
            product=view.product_of(catalog, mine.record.course.product))
    return render(request, "patient/home.html", context)


def page_links() -> Sequence[tuple[str, str, str]]:
    """The patient's pages, for the links on My course: (address, name, what it is for)."""
    return (
        ("/me/diary", "Dose diary", "Record each dose: taken or missed."),
        ("/me/side-effects", "Side effects", "Tell your clinic how you are, and get advice."),
        ("/me/phq9", "Mood check", "The PHQ-9 questionnaire about the last 2 weeks."),
        ("/me/reminders", "Reminders", "Tests, visits and pick-up dates in your calendar."),
        ("/me/summary.pdf", "Summary (PDF)", "To bring to your dermatologist."),
    )
