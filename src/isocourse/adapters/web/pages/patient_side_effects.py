"""Side effects (``/me/side-effects``): log one, then read the rule packs' practical advice
for it, and "contact your clinic now" when the safety engine raises a red flag.

The advice is the ``side-effect-advice`` rule's ``advice_<kind>`` text of the packs the
assessment applied, shown with its source; red flags are the engine's urgent findings of
``red-flag`` rules, read from the assessment made after the report was recorded. Nothing
clinical is written here.
"""

from __future__ import annotations

import datetime as dt
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
from isocourse.domain.record import SideEffect

router = APIRouter(include_in_schema=False)

#: How far back a report may be dated (the packaged advice counts reports of 30 days).
_REPORT_DAYS = 30
_NOTE_MAX = 500


def _kinds() -> list[tuple[str, str]]:
    return [(kind.value, name) for kind, name in view.SIDE_EFFECT_NAMES.items()]


def _grades() -> list[tuple[str, str]]:
    return [(str(g), f"{word}: {what}") for g, (word, what) in view.GRADES.items()]


def _recent(mine: Mine) -> list[dict[str, Any]]:
    if mine.current is None:
        return []
    reports = sorted(mine.record.events_of(SideEffect), key=lambda e: e.date, reverse=True)
    return [{"id": r.id, "date": r.date, "name": view.SIDE_EFFECT_NAMES[r.kind],
             "grade": view.GRADES[r.grade][0]} for r in reports[:20]]


def _page(request: Request, mine: Mine, ports: Ports, form: Form,
          status: int = 200) -> HTMLResponse:
    urgent = view.red_flags(mine.assessment, packs(mine, ports)) if mine.current else ()
    return render(request, "patient/side_effects.html", {
        "mine": mine, "form": form, "kinds": _kinds(), "grades": _grades(),
        "reports": _recent(mine), "urgent": urgent,
        "earliest": mine.today - dt.timedelta(days=_REPORT_DAYS - 1),
    }, status_code=status)


@router.get("/me/side-effects")
def side_effects(request: Request, user: WebUserDep, ports: WebPorts) -> HTMLResponse:
    mine = load_mine(ports)
    return _page(request, mine, ports, empty_form(day=mine.today.isoformat()))


@router.post("/me/side-effects")
async def report_side_effect(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    form = await read_form(request)
    mine = load_mine(ports)
    kind = form.choice("kind", [k for k, _ in _kinds()],
                       message="Choose the side effect you have.")
    grade = form.choice("grade", [g for g, _ in _grades()],
                        message="Choose how bad it is.")
    day = form.date("day", not_after=mine.today)
    if day is not None and day < mine.today - dt.timedelta(days=_REPORT_DAYS - 1):
        form.error("day", f"Choose a day in the last {_REPORT_DAYS} days.")
    note = form.text("note", required=False, max_length=_NOTE_MAX)
    if mine.current is None or mine.ended is not None:
        form.summary = ("You do not have a course running, so there is nowhere to record "
                        "this. Please tell your clinic directly.")
    if not form.ok or kind is None or grade is None or day is None:
        return _page(request, mine, ports, form, 422)
    event: dict[str, Any] = {"type": "side_effect", "date": day.isoformat(), "kind": kind,
                             "grade": int(grade)}
    if note:
        event["note"] = " ".join(note.split())  # one line: no control characters in a record
    try:
        stored = record_one(mine, ports, event)
    except (InvalidInput, RecordError, Conflict) as error:
        absorb(form, error, {"kind": "kind", "grade": "grade", "date": "day", "note": "note"})
        return _page(request, mine, ports, form, 422)
    return see_other(f"/me/side-effects/{stored.event_id}")


@router.get("/me/side-effects/{event_id}")
def side_effect_report(event_id: str, request: Request, user: WebUserDep,
                       ports: WebPorts) -> HTMLResponse:
    """One report: its practical advice, and any red flag the engine raises now."""
    mine = load_mine(ports)
    event, _ = find_event(mine, event_id, SideEffect)
    assert isinstance(event, SideEffect)
    applied = packs(mine, ports) if mine.current is not None else ()
    advice = view.advice_for(applied, event.kind)
    review = view.review_grade(applied)
    urgent = view.red_flags(mine.assessment, applied) if mine.current is not None else ()
    return render(request, "patient/side_effect.html", {
        "mine": mine, "report": event, "name": view.SIDE_EFFECT_NAMES[event.kind],
        "grade": view.GRADES[event.grade], "advice": advice,
        "reviewed": review is not None and event.grade >= review, "urgent": urgent,
    })
