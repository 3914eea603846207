"""The monthly comprehension questions (``/me/comprehension``), where the programme has them.

Whether the patient's programme asks for them is read from the rule packs the assessment
applied (the iPLEDGE pack's ``comprehension`` step, for patients who can get pregnant); the
questions are isocourse's own (:mod:`isocourse.adapters.web.comprehension`). A set is
recorded as a ``comprehension`` event, ``passed`` when every answer is right; the result page
shows each wrong answer with the right one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web import comprehension as quiz
from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.pages.patient import (
    Mine,
    absorb,
    find_event,
    load_mine,
    packs,
    record_one,
    see_other,
)
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.domain.errors import Conflict, InvalidInput, RecordError
from isocourse.domain.record import Comprehension

router = APIRouter(include_in_schema=False)


def _applies(mine: Mine, ports: Ports) -> bool:
    return mine.current is not None and mine.ended is None and \
        quiz.programme_has_comprehension(packs(mine, ports),
                                         mine.record.patient.can_get_pregnant)


def _page(request: Request, mine: Mine, ports: Ports, form: Form,
          status: int = 200) -> HTMLResponse:
    applies = _applies(mine, ports)
    due = applies and any(d.item == "comprehension" for d in mine.assessment.due)
    earlier: list[dict[str, Any]] = []
    if mine.current is not None:
        earlier = [{"id": e.id, "date": e.date, "passed": e.passed}
                   for e in sorted(mine.record.events_of(Comprehension),
                                   key=lambda e: e.date, reverse=True)[:12]]
    return render(request, "patient/comprehension.html", {
        "mine": mine, "form": form, "applies": applies, "due": due,
        "questions": quiz.QUESTIONS, "earlier": earlier,
    }, status_code=status)


@router.get("/me/comprehension")
def questions(request: Request, user: WebUserDep, ports: WebPorts) -> HTMLResponse:
    return _page(request, load_mine(ports), ports, empty_form())


@router.post("/me/comprehension")
async def answers(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    form = await read_form(request)
    mine = load_mine(ports)
    given = {q.id: form.choice(q.id, [v for v, _ in q.options],
                               message="Choose an answer to this question.")
             for q in quiz.QUESTIONS}
    if not _applies(mine, ports):
        form.summary = "Your programme does not ask you these questions."
    if not form.ok:
        return _page(request, mine, ports, form, 422)
    event = quiz.comprehension_event(mine.today, quiz.mark(given))
    try:
        stored = record_one(mine, ports, event)
    except (InvalidInput, RecordError, Conflict) as error:
        absorb(form, error, {})
        return _page(request, mine, ports, form, 422)
    return see_other(f"/me/comprehension/{stored.event_id}")


@router.get("/me/comprehension/{event_id}")
def result(event_id: str, request: Request, user: WebUserDep, ports: WebPorts) -> HTMLResponse:
    mine = load_mine(ports)
    event, _ = find_event(mine, event_id, Comprehension)
    assert isinstance(event, Comprehension)
    stored = quiz.stored_answers(event.extensions)
    marked = quiz.mark(stored) if stored is not None else None
    return render(request, "patient/comprehension_result.html", {
        "mine": mine, "report": event, "marked": marked,
        "right": sum(1 for m in marked if m.correct) if marked else 0,
    })
