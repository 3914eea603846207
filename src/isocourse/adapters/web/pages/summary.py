"""The printable course summary: one template (``shared/summary.html``) shown as a page to
print from the browser and made into a PDF by WeasyPrint.

* ``GET /courses/{course_id}/summary`` and ``/summary.pdf``: any course the signed-in
  person may read (the services check it).
* ``GET /me/summary`` and ``/me/summary.pdf``: a patient's own course (the active one, else
  the latest), to bring to the dermatologist.

The PDF's file name holds the course number and the date, never the patient's id.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import Response

from isocourse.adapters.reports.pdf import html_to_pdf
from isocourse.adapters.web.course_view import CourseView, course_view
from isocourse.adapters.web.pages.course import CourseId, page_context
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render, render_text
from isocourse.domain.errors import NotFound
from isocourse.services.course_outputs import CourseOutputs, course_outputs, patient_outputs

__all__ = ["router", "summary_pdf"]

router = APIRouter(include_in_schema=False)

TEMPLATE = "shared/summary.html"


@cache
def _stylesheet() -> str:
    return (files("isocourse.adapters.web") / "static" / "isocourse.css").read_text("utf-8")


def _view(outputs: CourseOutputs, ports: WebPorts) -> CourseView:
    if outputs.assessment is None:  # pragma: no cover - asked for (assessed=True)
        raise NotFound("no such course")
    return course_view(outputs.course, outputs.assessment, ports.clinic.rules)


def _own_course(ports: WebPorts) -> CourseOutputs:
    """The signed-in patient's active course, else their latest."""
    patient_id = ports.actor.patient_id
    if patient_id is None:
        raise NotFound("you have no course of your own")
    _, outputs = patient_outputs(patient_id, **ports.kw)
    if not outputs:
        raise NotFound("you have no course yet")
    active = [o for o in outputs if o.course.header.ended_on is None]
    return (active or outputs)[-1]


def _context(view: CourseView, *, for_pdf: bool, back: str, pdf: str) -> dict[str, object]:
    return {**page_context(view), "for_pdf": for_pdf, "generated": view.today,
            "layout": "shared/summary_document.html" if for_pdf else "layout/base.html",
            "back_href": back, "pdf_href": pdf}


def file_name(view: CourseView, today: dt.date) -> str:
    return f"course-summary-{view.number}-{today.isoformat()}.pdf"


def summary_pdf(view: CourseView) -> bytes:
    """The summary of ``view`` as PDF bytes."""
    html = render_text(TEMPLATE, _context(view, for_pdf=True, back="", pdf=""))
    return html_to_pdf(html, stylesheets=[_stylesheet()])


def _pdf_response(view: CourseView) -> Response:
    name = file_name(view, view.today)
    return Response(summary_pdf(view), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/courses/{course_id}/summary")
def course_summary(course_id: CourseId, request: Request, ports: WebPorts) -> Response:
    view = _view(course_outputs(course_id, **ports.kw), ports)
    return render(request, TEMPLATE, _context(
        view, for_pdf=False, back=f"/courses/{view.course_id}",
        pdf=f"/courses/{view.course_id}/summary.pdf"))


@router.get("/courses/{course_id}/summary.pdf")
def course_summary_pdf(course_id: CourseId, ports: WebPorts) -> Response:
    return _pdf_response(_view(course_outputs(course_id, **ports.kw), ports))


@router.get("/me/summary")
def my_summary(request: Request, ports: WebPorts) -> Response:
    view = _view(_own_course(ports), ports)
    return render(request, TEMPLATE, _context(view, for_pdf=False, back="/me",
                                              pdf="/me/summary.pdf"))


@router.get("/me/summary.pdf")
def my_summary_pdf(ports: WebPorts) -> Response:
    return _pdf_response(_view(_own_course(ports), ports))
