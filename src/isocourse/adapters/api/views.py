"""JSON bodies of the API's answers, built from the services' results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request, Response

from isocourse.adapters.api.deps import Paging
from isocourse.rules.output import assessment_to_json
from isocourse.services.course_store import LoadedCourse
from isocourse.services.due import DueEntry
from isocourse.services.stored import CourseHeader, PatientRow, StoredEvent

__all__ = ["course_summary", "due_entry", "event_entry", "page_body", "patient_body"]

API = "/api/v1"


def patient_body(patient: PatientRow, courses: Sequence[CourseHeader] = ()) -> dict[str, Any]:
    return {
        "id": patient.id,
        "external_id": patient.external_id,
        "birth_date": patient.birth_date.isoformat(),
        "can_get_pregnant": patient.can_get_pregnant,
        "courses": [{"id": c.id, "number": c.number, "status": c.status.value,
                     "href": f"{API}/courses/{c.id}"} for c in courses],
        "href": f"{API}/patients/{patient.id}",
    }


def course_summary(header: CourseHeader, patient: PatientRow) -> dict[str, Any]:
    info = header.info
    return {
        "id": header.id,
        "patient": {"id": patient.id, "external_id": patient.external_id},
        "number": header.number,
        "status": header.status.value,
        "jurisdiction": info.jurisdiction.value,
        "product": info.product,
        "start_date": info.start_date.isoformat() if info.start_date else None,
        "ended_on": header.ended_on.isoformat() if header.ended_on else None,
        "previous_course_end": (info.previous_course_end.isoformat()
                                if info.previous_course_end else None),
        "version": header.version,
        "plan": header.plan,
        "links": {
            "self": f"{API}/courses/{header.id}/summary",
            "record": f"{API}/courses/{header.id}",
            "events": f"{API}/courses/{header.id}/events",
            "assessment": f"{API}/courses/{header.id}/assessment",
        },
    }


def loaded_summary(course: LoadedCourse) -> dict[str, Any]:
    return course_summary(course.header, course.patient)


def event_entry(event: StoredEvent) -> dict[str, Any]:
    """An event with its provenance: who recorded it and when (not part of the record)."""
    entry = {"event": dict(event.body), "recorded_at": event.recorded_at.isoformat(),
             "recorded_by": event.recorded_by}
    if event.recorded_for is not None:
        entry["recorded_for"] = event.recorded_for
    return entry


def due_entry(entry: DueEntry) -> dict[str, Any]:
    assessment = assessment_to_json(entry.assessment)
    return {
        "course": course_summary(entry.course.header, entry.course.patient) | {"plan": None},
        "next_due": entry.next_due.isoformat() if entry.next_due else None,
        "due": [d for d in assessment["due"]
                if any(d["item"] == x.item and d["due_date"] == x.due_date.isoformat()
                       for x in entry.due)],
        "attention": [{"rule_id": f.rule_id, "severity": f.severity.value,
                       "message": f.message} for f in entry.attention],
        "dispense_allowed": entry.assessment.dispense_allowed,
        "window": assessment["window"],
    }


def page_body(request: Request, response: Response, items: list[Any], total: int,
              paging: Paging, **extra: Any) -> dict[str, Any]:
    """A page of a listing, with RFC 8288 ``Link`` headers to the neighbouring pages."""
    links = []
    last = max(1, -(-total // paging.per_page))
    for rel, page in (("first", 1), ("prev", paging.page - 1), ("next", paging.page + 1),
                      ("last", last)):
        if 1 <= page <= last and (rel in ("first", "last") or page != paging.page):
            url = request.url.include_query_params(page=page, per_page=paging.per_page)
            links.append(f'<{url.path}?{url.query}>; rel="{rel}"')
    if links:
        response.headers["Link"] = ", ".join(links)
    response.headers["X-Total-Count"] = str(total)
    return {"items": items, "page": paging.page, "per_page": paging.per_page, "total": total,
            **extra}
