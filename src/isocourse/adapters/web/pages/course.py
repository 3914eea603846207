"""The course page (``GET /courses/{course_id}``): the plan and where the patient is on it,
the cumulative-dose and lab charts, the engine's assessment with each finding's rule and
source, what is due, the window, the authorizations and the timeline of every event.

A thin face: the services load the course (and check that the signed-in person may see it:
another clinic's course, or one a patient or pharmacist may not reach, is answered as not
found or forbidden by them), :mod:`~isocourse.adapters.web.course_view` shapes it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from isocourse.adapters.web.course_plan import basis_words
from isocourse.adapters.web.course_view import (
    CUMULATIVE_REFERENCES_MG_PER_KG,
    CourseView,
    course_view,
)
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.domain.errors import IsocourseError
from isocourse.services import dispensing
from isocourse.services.access import Action, may
from isocourse.services.course_outputs import course_outputs

__all__ = ["CourseId", "page_context", "router"]

router = APIRouter(include_in_schema=False)

CourseId = Annotated[str, Path(max_length=100)]


def page_context(view: CourseView) -> dict[str, object]:
    """What the course templates need besides the view."""
    return {"course": view, "basis_words": basis_words,
            "references": [str(r) for r in CUMULATIVE_REFERENCES_MG_PER_KG]}


@router.get("/courses/{course_id}")
def course_page(course_id: CourseId, request: Request, ports: WebPorts) -> Response:
    outputs = course_outputs(course_id, **ports.kw)
    if outputs.assessment is None:  # pragma: no cover - asked for (assessed=True)
        raise IsocourseError("the course was not assessed")
    authorizations = dispensing.course_authorizations(
        course_id, uows=ports.uows, actor=ports.actor, rules=ports.clinic.rules)
    view = course_view(outputs.course, outputs.assessment, ports.clinic.rules,
                       authorizations=authorizations)
    actor = ports.actor
    actions = {
        "record": may(actor, Action.CHANGE_COURSE),
        "prescribe": view.active and may(actor, Action.PREVIEW_PRESCRIPTION),
        "end": view.active and may(actor, Action.CHANGE_COURSE),
    }
    return render(request, "prescriber/course.html", {**page_context(view), "actions": actions})
