"""The PHQ-9 mood self-check (``/me/phq9``): nine questions about the last two weeks.

The result page gives the total (0-27) and its band from the monitoring pack's cut-points
(5/10/15/20, clinical.md §7.2). Any answer but "not at all" to question 9 (thoughts of
self-harm) shows urgent help at once, whatever the total; the recorded ``phq9`` event makes
the safety engine's ``phq9-self-harm`` rule flag the course as urgent for the clinic.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web import patient_view as view
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
from isocourse.domain.record import Phq9
from isocourse.rules.model import Severity

router = APIRouter(include_in_schema=False)

_ANSWER_VALUES = [str(v) for v, _ in view.PHQ9_ANSWERS]


def _questions() -> list[tuple[str, int, str]]:
    return [(f"item{n}", n, text) for n, text in enumerate(view.PHQ9_QUESTIONS, start=1)]


def _earlier(mine: Mine, ports: Ports) -> list[dict[str, Any]]:
    if mine.current is None:
        return []
    cuts = view.phq9_bands(packs(mine, ports))
    found = sorted(mine.record.events_of(Phq9), key=lambda e: e.date, reverse=True)[:12]
    return [{"id": e.id, "date": e.date, "result": view.phq9_result(e.items, cuts)}
            for e in found]


def _page(request: Request, mine: Mine, ports: Ports, form: Form,
          status: int = 200) -> HTMLResponse:
    return render(request, "patient/phq9.html", {
        "mine": mine, "form": form, "stem": view.PHQ9_STEM, "questions": _questions(),
        "answers": [(str(v), text) for v, text in view.PHQ9_ANSWERS],
        "earlier": _earlier(mine, ports),
    }, status_code=status)


@router.get("/me/phq9")
def phq9_form(request: Request, user: WebUserDep, ports: WebPorts) -> HTMLResponse:
    return _page(request, load_mine(ports), ports, empty_form())


@router.post("/me/phq9")
async def phq9_answers(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    form = await read_form(request)
    mine = load_mine(ports)
    items = [form.choice(name, _ANSWER_VALUES, message="Choose an answer to this question.")
             for name, _, _ in _questions()]
    if mine.current is None:
        form.summary = ("You do not have a course on record, so there is nowhere to save "
                        "your answers. If you are struggling, contact your clinic.")
    answers = [int(i) for i in items if i is not None]
    if not form.ok or len(answers) != len(view.PHQ9_QUESTIONS):
        return _page(request, mine, ports, form, 422)
    event = {"type": "phq9", "date": mine.today.isoformat(), "items": answers}
    try:
        stored = record_one(mine, ports, event)
    except (InvalidInput, RecordError, Conflict) as error:
        absorb(form, error, {"items": "item1"})
        return _page(request, mine, ports, form, 422)
    return see_other(f"/me/phq9/{stored.event_id}")


@router.get("/me/phq9/{event_id}")
def phq9_result(event_id: str, request: Request, user: WebUserDep,
                ports: WebPorts) -> HTMLResponse:
    mine = load_mine(ports)
    event, _ = find_event(mine, event_id, Phq9)
    assert isinstance(event, Phq9)
    applied = packs(mine, ports) if mine.current is not None else ()
    result = view.phq9_result(event.items, view.phq9_bands(applied))
    findings = mine.assessment.findings if mine.current is not None else ()

    def raised(kind: str, severity: Severity) -> bool:
        ids = {spec.id for pack in applied for spec in pack.rules if spec.kind == kind}
        return any(f.severity is severity and f.rule_id in ids for f in findings)

    return render(request, "patient/phq9_result.html", {
        "mine": mine, "report": event, "result": result,
        "flagged": raised("phq9-self-harm", Severity.URGENT),
        "reviewed": raised("phq9", Severity.WARNING),
        "questions": view.PHQ9_QUESTIONS,
        "answer_words": dict(view.PHQ9_ANSWERS),
    })
