"""Courses: start, import/export as a course record, events, prescriptions, assessment."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status

from isocourse.adapters.api.deps import IfMatchDep, PagingDep, PortsDep, RequireIfMatchDep
from isocourse.adapters.api.openapi_docs import EVENT_BODY, RECORD_BODY
from isocourse.adapters.api.openapi_problems import IF_MATCH_RESPONSES
from isocourse.adapters.api.problems import ApiProblem, etag
from isocourse.adapters.api.schemas import EndCourseIn, PrescriptionIn, StartCourseIn
from isocourse.adapters.api.views import course_summary as summary_body
from isocourse.adapters.api.views import event_entry, loaded_summary, page_body
from isocourse.domain.errors import InvalidInput
from isocourse.domain.record import Jurisdiction
from isocourse.rules.output import assessment_to_json
from isocourse.services import assessments, courses, prescriptions
from isocourse.services.course_store import record_document
from isocourse.services.stored import CourseListFilter, CourseStatus

router = APIRouter(tags=["courses"])


def _tagged(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


@router.post("/patients/{patient_id}/courses", status_code=status.HTTP_201_CREATED,
             summary="Start a course, planned by the planner")
def start_course(patient_id: str, body: StartCourseIn, response: Response,
                 ports: PortsDep) -> dict[str, Any]:
    course = courses.start_course(courses.StartCourse(
        patient_id=patient_id, jurisdiction=Jurisdiction(body.jurisdiction),
        product=body.product, weight_kg=body.weight_kg, mg_per_kg=body.mg_per_kg,
        start_date=body.start_date, target_mg_per_kg=body.target_mg_per_kg,
        start_mg_per_kg=body.start_mg_per_kg, start_days=body.start_days,
        severe=body.severe, lab_profile=body.lab_profile,
        home_tests_allowed=body.home_tests_allowed), **ports.kw)
    _tagged(response, course.header.version)
    response.headers["Location"] = f"/api/v1/courses/{course.header.id}"
    return loaded_summary(course)


@router.get("/courses", summary="List the clinic's courses")
def list_courses(request: Request, response: Response, ports: PortsDep, paging: PagingDep,
                 course_status: Annotated[CourseStatus | None, Query(alias="status")] = None,
                 jurisdiction: Annotated[Jurisdiction | None, Query()] = None,
                 patient_id: Annotated[str | None, Query(max_length=64)] = None
                 ) -> dict[str, Any]:
    page = courses.list_courses(
        CourseListFilter(status=course_status,
                         jurisdiction=jurisdiction.value if jurisdiction else None,
                         patient_id=patient_id),
        offset=paging.offset, limit=paging.per_page, uows=ports.uows,
        actor=ports.actor)
    items = [summary_body(h, p) for h, p in page.courses]
    return page_body(request, response, items, page.total, paging)


@router.post("/courses", status_code=status.HTTP_201_CREATED, openapi_extra=RECORD_BODY,
             summary="Import a whole course record as a new course")
def import_course(document: Annotated[dict[str, Any], Body()], response: Response,
                  ports: PortsDep) -> dict[str, Any]:
    course = courses.import_course(document, **ports.kw)
    _tagged(response, course.header.version)
    response.headers["Location"] = f"/api/v1/courses/{course.header.id}"
    return loaded_summary(course)


@router.get("/courses/{course_id}", summary="The course as a course record (export)")
def get_course(course_id: str, response: Response, ports: PortsDep) -> dict[str, Any]:
    course = courses.get_course(course_id, uows=ports.uows, actor=ports.actor,
                                rules=ports.clinic.rules)
    _tagged(response, course.header.version)
    return record_document(course.patient, course.header, course.events)


@router.put("/courses/{course_id}", openapi_extra=RECORD_BODY, responses=IF_MATCH_RESPONSES,
            summary="Replace a course with a course record (If-Match required)")
def replace_course(course_id: str, document: Annotated[dict[str, Any], Body()],
                   response: Response, ports: PortsDep,
                   version: RequireIfMatchDep) -> dict[str, Any]:
    course = courses.replace_course(course_id, document, expected_version=version, **ports.kw)
    _tagged(response, course.header.version)
    return record_document(course.patient, course.header, course.events)


@router.get("/courses/{course_id}/summary", summary="The course's settings, status and plan")
def course_summary(course_id: str, response: Response, ports: PortsDep) -> dict[str, Any]:
    course = courses.get_course(course_id, uows=ports.uows, actor=ports.actor,
                                rules=ports.clinic.rules)
    _tagged(response, course.header.version)
    return loaded_summary(course)


@router.get("/courses/{course_id}/events",
            summary="The course's events with who recorded them and when")
def list_events(course_id: str, response: Response, ports: PortsDep) -> dict[str, Any]:
    course = courses.get_course(course_id, uows=ports.uows, actor=ports.actor,
                                rules=ports.clinic.rules)
    _tagged(response, course.header.version)
    return {"items": [event_entry(e) for e in course.events], "version": course.header.version}


@router.post("/courses/{course_id}/events", status_code=status.HTTP_201_CREATED,
             openapi_extra=EVENT_BODY, responses=IF_MATCH_RESPONSES,
             summary="Record one event, or several at once ({\"events\": [...]})")
def record_events(course_id: str, body: Annotated[dict[str, Any], Body()], response: Response,
                  ports: PortsDep, version: IfMatchDep) -> dict[str, Any]:
    if set(body) == {"events"}:
        events = body["events"]
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise InvalidInput("expected a list of event objects", field="events")
    else:
        events = [body]
    course, added = courses.record_events(course_id, events, expected_version=version,
                                          **ports.kw)
    _tagged(response, course.header.version)
    return {"recorded": [event_entry(e) for e in added], "version": course.header.version}


@router.post("/courses/{course_id}/prescriptions", summary=(
    "Write a prescription; the rules' verdict comes back (preview: nothing saved)"),
    responses={201: {"description": "saved"}, 200: {"description": "preview"},
               **IF_MATCH_RESPONSES})
def write_prescription(course_id: str, body: PrescriptionIn, response: Response,
                       ports: PortsDep, version: IfMatchDep) -> dict[str, Any]:
    verdict = prescriptions.write_prescription(prescriptions.WritePrescription(
        course_id=course_id, daily_mg=body.daily_mg, days_supply=body.days_supply,
        refills=body.refills, product=body.product, date=body.date, note=body.note),
        preview=body.preview, expected_version=version, **ports.kw)
    if verdict.refused:
        raise ApiProblem(422, "prescription-refused",
                         "the rules do not allow this prescription: " + "; ".join(
                             f.message for f in verdict.refused),
                         reasons=[{"rule_id": f.rule_id, "message": f.message}
                                  for f in verdict.refused])
    response.status_code = 201 if verdict.saved else 200
    _tagged(response, verdict.course.header.version)
    return {"saved": verdict.saved, "prescription_id": verdict.prescription_id,
            "assessment": assessment_to_json(verdict.assessment)}


@router.post("/courses/{course_id}/end", responses=IF_MATCH_RESPONSES,
             summary="End the course (the last dose was taken)")
def end_course(course_id: str, body: EndCourseIn, response: Response, ports: PortsDep,
               version: IfMatchDep) -> dict[str, Any]:
    course = courses.end_course(course_id, last_dose=body.last_dose, reason=body.reason,
                                expected_version=version, **ports.kw)
    _tagged(response, course.header.version)
    return loaded_summary(course)


@router.get("/courses/{course_id}/assessment",
            summary="What the safety rules say about the course as of a date")
def assess(course_id: str, response: Response, ports: PortsDep,
           on: Annotated[dt.date | None, Query(description="Default: today.")] = None
           ) -> dict[str, Any]:
    course, assessment = assessments.assess_course(course_id, on=on, **ports.kw)
    _tagged(response, course.header.version)
    return assessment_to_json(assessment)


__all__ = ["router"]
