"""The read-only FHIR R4 server at ``/fhir/R4``.

- ``GET /fhir/R4/metadata``: the CapabilityStatement (public);
- ``GET /fhir/R4/{type}/{id}``: read one resource (ids: :mod:`.resources`);
- ``GET /fhir/R4/{type}?patient=Patient/{id}`` (or ``subject=``; ``_id=`` for Patient): a
  ``searchset`` Bundle of the patient's resources of that type, from all their courses.

Reading needs what reading the course over the API needs (the ``read`` scope, a role of
the care team or the patient themself); every read is audited (``audit_middleware``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from isocourse.adapters.api.deps import PortsDep
from isocourse.adapters.api.problems import ApiProblem
from isocourse.adapters.fhir.rest.capability import capability_statement
from isocourse.adapters.fhir.rest.outcome import OUTCOME_RESPONSES, FhirJSONResponse, FhirRoute
from isocourse.adapters.fhir.rest.resources import (
    RESOURCE_TYPES,
    Served,
    course_resources,
    patient_only,
)
from isocourse.domain.errors import NotFound
from isocourse.services.course_outputs import course_outputs, patient_outputs

__all__ = ["PATH", "PUBLIC_PATHS", "router"]

PATH = "/fhir/R4"
#: Paths of the FHIR server that read no record (not audited).
PUBLIC_PATHS = frozenset({f"{PATH}/metadata"})

router = APIRouter(prefix=PATH, tags=["fhir"], route_class=FhirRoute,
                   default_response_class=FhirJSONResponse, responses=OUTCOME_RESPONSES)


def _version() -> str:
    try:
        return version("isocourse")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0+unknown"


@router.get("/metadata", summary="FHIR: the server's CapabilityStatement")
def metadata() -> FhirJSONResponse:
    return FhirJSONResponse(capability_statement(_version()))


def _known(resource_type: str) -> None:
    if resource_type not in RESOURCE_TYPES:
        raise NotFound("no such resource type on this server")


def _of_patient(patient_id: str, ports: PortsDep) -> list[Served]:
    patient, courses = patient_outputs(patient_id, assessed=False, **ports.kw)
    found = [patient_only(patient)]
    for outputs in courses:
        found += [s for s in course_resources(outputs) if s.type != "Patient"]
    return found


@router.get("/{resource_type}/{resource_id}", summary="FHIR: read a resource")
def read_resource(resource_type: str, resource_id: str, ports: PortsDep) -> FhirJSONResponse:
    _known(resource_type)
    if resource_type == "Patient":
        patient, _ = patient_outputs(resource_id, assessed=False, **ports.kw)
        return FhirJSONResponse(patient_only(patient).resource)
    course_id, dot, _key = resource_id.partition(".")
    if not dot:
        raise NotFound("no such resource")
    for served in course_resources(course_outputs(course_id, assessed=False, **ports.kw)):
        if (served.type, served.id) == (resource_type, resource_id):
            return FhirJSONResponse(served.resource)
    raise NotFound("no such resource")


def _patient_param(resource_type: str, request: Request) -> str:
    params = request.query_params
    unknown = sorted(set(params) - set(RESOURCE_TYPES[resource_type]) - {"_format"})
    if unknown:
        raise ApiProblem(400, "invalid-input", "unsupported search parameter",
                         errors=[{"path": name, "message": "not supported by this server"}
                                 for name in unknown])
    given = [params[name] for name in RESOURCE_TYPES[resource_type] if name in params]
    if not given:
        names = " or ".join(RESOURCE_TYPES[resource_type])
        raise ApiProblem(400, "invalid-input", f"search by {names}: this server lists "
                         "one patient's resources at a time",
                         errors=[{"path": RESOURCE_TYPES[resource_type][0],
                                  "message": "required"}])
    if len(set(given)) > 1:
        raise ApiProblem(400, "invalid-input", "the search names two different patients")
    return given[0].removeprefix("Patient/")


@router.get("/{resource_type}", summary="FHIR: search a patient's resources of a type")
def search(resource_type: str, request: Request, ports: PortsDep,
           _format: Annotated[str | None, Query(include_in_schema=False)] = None
           ) -> FhirJSONResponse:
    _known(resource_type)
    patient_id = _patient_param(resource_type, request)
    found = [s for s in _of_patient(patient_id, ports) if s.type == resource_type]
    base = str(request.base_url).rstrip("/") + PATH
    bundle: dict[str, Any] = {
        "resourceType": "Bundle", "type": "searchset", "total": len(found),
        "link": [{"relation": "self", "url": f"{base}/{resource_type}"}],
        "entry": [{"fullUrl": f"{base}/{s.type}/{s.id}", "resource": s.resource,
                   "search": {"mode": "match"}} for s in found],
    }
    return FhirJSONResponse(bundle)
