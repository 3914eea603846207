"""FHIR Bulk Data export (``$export``, asynchronous request pattern) of the clinic's data.

* ``GET /fhir/R4/$export`` with ``Prefer: respond-async`` - starts a job: 202 and
  ``Content-Location: /fhir/R4/bulkstatus/{job}``.
* ``GET /fhir/R4/bulkstatus/{job}`` - 202 with ``X-Progress`` and ``Retry-After`` while it
  runs; 200 and the manifest when done (``transactionTime``, ``request``,
  ``requiresAccessToken``, ``output: [{type, url, count}]``, ``error: []``).
* ``GET /fhir/R4/bulkfiles/{job}/{Type}.ndjson`` - one file (``application/fhir+ndjson``).
* ``DELETE /fhir/R4/bulkstatus/{job}`` - cancels the job and deletes its files: 202.

Authentication is the API's (session cookie, or a bearer token with the ``read`` scope);
only prescribers export, and a job is its starter's alone (404 to anyone else). Errors are
the API's problem documents. The jobs are :mod:`isocourse.adapters.fhir.bulk.jobs`'s.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from isocourse.adapters.api.auth import ActorDep, access_of
from isocourse.adapters.api.problems import ApiProblem
from isocourse.adapters.fhir.bulk.jobs import ExportJobs, JobState
from isocourse.bootstrap import Clinic
from isocourse.services.audit import AccessContext
from isocourse.services.bulk_export import authorize_export

__all__ = ["router"]

BASE = "/fhir/R4"
NDJSON = "application/fhir+ndjson"
_FORMATS = frozenset({NDJSON, "application/ndjson", "ndjson"})
_ACCEPTED = frozenset({"application/fhir+json", "application/json", "*/*"})
#: Seconds a client is asked to wait between polls.
RETRY_AFTER = 2

router = APIRouter(tags=["FHIR bulk export"])
_registry_lock = threading.Lock()

JobId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]


def jobs_of(request: Request) -> ExportJobs:
    """The app's job registry, made on first use."""
    state = request.app.state
    with _registry_lock:
        registry = getattr(state, "bulk_jobs", None)
        if registry is None:
            clinic: Clinic = state.clinic
            registry = state.bulk_jobs = ExportJobs(clinic)
    return registry


@router.get(BASE + "/$export", status_code=202, summary="Start a bulk export of the clinic",
            response_class=Response)
def bulk_export(
    request: Request, actor: ActorDep,
    prefer: Annotated[str | None, Header(description="Must be respond-async.")] = None,
    accept: Annotated[str | None, Header()] = None,
    output_format: Annotated[str | None, Query(alias="_outputFormat")] = None,
) -> Response:
    jobs = jobs_of(request)
    authorize_export(actor)
    if prefer is None or "respond-async" not in [p.strip() for p in prefer.split(",")]:
        raise ApiProblem(400, "respond-async-required",
                         "a bulk export runs asynchronously: send 'Prefer: respond-async'")
    if accept is not None and not {a.split(";")[0].strip() for a in accept.split(",")} \
            & _ACCEPTED:
        raise ApiProblem(400, "unsupported-accept", "Accept must be application/fhir+json")
    if output_format is not None and output_format not in _FORMATS:
        raise ApiProblem(400, "unsupported-output-format",
                         "the only output format is application/fhir+ndjson")
    unsupported = sorted(set(request.query_params) - {"_outputFormat"})
    if unsupported:
        raise ApiProblem(400, "unsupported-parameter",
                         "parameters not supported: " + ", ".join(unsupported))
    access = access_of(request) or AccessContext(action="bulk_export", target=BASE)
    job = jobs.start(actor, request=str(request.url), access=access)
    return Response(status_code=202,
                    headers={"Content-Location": f"{BASE}/bulkstatus/{job.id}"})


@router.get(BASE + "/bulkstatus/{job_id}", summary="The state of a bulk export",
            responses={202: {"description": "still running"}})
def bulk_status(request: Request, actor: ActorDep, job_id: JobId) -> Any:
    jobs = jobs_of(request)
    job = jobs.get(job_id, actor)
    if job.state is JobState.RUNNING:
        return Response(status_code=202, headers={
            "X-Progress": f"{job.courses} courses exported",
            "Retry-After": str(RETRY_AFTER)})
    if job.state is not JobState.DONE:
        raise ApiProblem(500, "export-failed",
                         "the export failed; delete it and start another")
    base = str(request.base_url).rstrip("/")
    expires = job.expires_at(jobs.keep)
    headers = {"Expires": expires.strftime("%a, %d %b %Y %H:%M:%S GMT")} if expires else {}
    manifest = {
        "transactionTime": job.transaction_time.isoformat(),
        "request": job.request,
        "requiresAccessToken": True,
        "output": [{"type": kind, "url": f"{base}{BASE}/bulkfiles/{job.id}/{kind}.ndjson",
                    "count": count} for kind, count in job.counts.items()],
        "error": [],
    }
    return JSONResponse(manifest, headers=headers)


@router.delete(BASE + "/bulkstatus/{job_id}", status_code=202,
               summary="Cancel a bulk export and delete its files", response_class=Response)
def delete_bulk_export(request: Request, actor: ActorDep, job_id: JobId) -> Response:
    jobs = jobs_of(request)
    jobs.delete(jobs.get(job_id, actor))
    return Response(status_code=202)


@router.get(BASE + "/bulkfiles/{job_id}/{file_name}", summary="One file of a bulk export",
            response_class=FileResponse)
def bulk_file(request: Request, actor: ActorDep, job_id: JobId,
              file_name: Annotated[str, Path(pattern="^[A-Za-z]{1,64}\\.ndjson$")]) -> Any:
    jobs = jobs_of(request)
    job = jobs.get(job_id, actor)
    path = job.file(file_name)
    if path is None or not path.is_file():
        raise ApiProblem(404, "not-found", "no such file in this export")
    access = access_of(request)
    if access is not None:
        for patient_id in job.patients:
            access.saw(patient_id)
    return FileResponse(path, media_type=NDJSON)
