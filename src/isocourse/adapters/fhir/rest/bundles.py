"""A whole course as a FHIR Bundle over the API (routes under ``/api/v1``):

- ``GET /courses/{course_id}/fhir``: the course as a ``collection`` Bundle
  (``application/fhir+json``), with the CarePlan of its plan (when it was planned here) and
  a DetectedIssue per finding of today's assessment; permissions as ``GET /courses/{id}``;
- ``POST /courses/fhir``: a Bundle (``collection`` or ``transaction``) imported as a new
  course, as ``POST /courses`` imports a course record. A Bundle that is not valid FHIR or
  does not hold a course record is refused with 422 and ``errors[{path, message}]``, each
  path a FHIR path (``Bundle.entry[3].resource.valueQuantity.value``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response, status

from isocourse.adapters.api.deps import PortsDep
from isocourse.adapters.api.problems import etag
from isocourse.adapters.api.views import loaded_summary
from isocourse.adapters.fhir.mapping import bundle_to_course, course_to_bundle
from isocourse.adapters.fhir.rest.outcome import FhirJSONResponse
from isocourse.domain.record import record_to_json
from isocourse.services import courses
from isocourse.services.access import Action, require
from isocourse.services.course_outputs import course_outputs

__all__ = ["router"]

router = APIRouter(tags=["courses", "fhir"])

_BUNDLE_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/fhir+json": {"schema": {"type": "object",
                                         "description": "a FHIR R4 Bundle"}}}}}


@router.get("/courses/{course_id}/fhir", response_class=FhirJSONResponse,
            summary="The course as a FHIR R4 Bundle (collection), with plan and findings")
def export_course_bundle(course_id: str, ports: PortsDep) -> FhirJSONResponse:
    outputs = course_outputs(course_id, **ports.kw)
    bundle = course_to_bundle(outputs.course.record, bundle_type="collection",
                              assessment=outputs.assessment, plan=outputs.plan)
    return FhirJSONResponse(bundle, headers={"ETag": etag(outputs.course.header.version)})


@router.post("/courses/fhir", status_code=status.HTTP_201_CREATED,
             openapi_extra=_BUNDLE_BODY,
             summary="Import a FHIR R4 Bundle (collection or transaction) as a new course")
def import_course_bundle(bundle: Annotated[dict[str, Any], Body()], response: Response,
                         ports: PortsDep) -> dict[str, Any]:
    require(ports.actor, Action.CHANGE_COURSE)  # before reading the Bundle at all
    record = bundle_to_course(bundle, known_products=ports.clinic.rules.catalog.products)
    course = courses.import_course(record_to_json(record), **ports.kw)
    response.headers["ETag"] = etag(course.header.version)
    response.headers["Location"] = f"/api/v1/courses/{course.header.id}"
    return loaded_summary(course)
