"""The FastAPI application: routes under ``/api/v1``, problem+json errors, OpenAPI.

``create_app(clinic)`` takes a built :class:`~isocourse.bootstrap.Clinic`; it opens no
connection itself. An unexpected exception is answered by :class:`_CatchAll` with a
problem document and logged by type only, so no traceback (which could quote patient data)
reaches the logs.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from isocourse.adapters.api.audit_middleware import AuditRequests
from isocourse.adapters.api.openapi_docs import publish_record_schema
from isocourse.adapters.api.openapi_problems import publish_problem_responses
from isocourse.adapters.api.problems import install_problem_handlers, internal_error_response
from isocourse.adapters.api.routes import (
    audit,
    bulk,
    courses,
    dispensing,
    due,
    health,
    patients,
    session,
    tokens,
    users,
)
from isocourse.adapters.fhir.cds import report as cds_report
from isocourse.adapters.fhir.cds.router import PATH as CDS_PATH
from isocourse.adapters.fhir.cds.router import cds_router
from isocourse.adapters.fhir.rest import PATH as FHIR_PATH
from isocourse.adapters.fhir.rest import PUBLIC_PATHS as FHIR_PUBLIC
from isocourse.adapters.fhir.rest import bundle_router, fhir_router
from isocourse.adapters.web import install_web
from isocourse.adapters.web.app import AUDITED_PREFIXES as WEB_AUDITED
from isocourse.bootstrap import Clinic

__all__ = ["create_app"]

PREFIX = "/api/v1"


def _version() -> str:
    try:
        return version("isocourse")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0+unknown"


class _CatchAll:
    """Last line: any exception that escaped the handlers becomes a 500 problem document."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # the point of this class
            response = internal_error_response(error)
            if not started:
                await response(scope, receive, send)


def create_app(clinic: Clinic) -> FastAPI:
    app = FastAPI(
        title="isocourse clinic API",
        version=_version(),
        description="Isotretinoin courses: patients, course records, the safety rules' "
                    "verdicts, the due list and pharmacy dispense authorizations. Errors "
                    "are RFC 9457 problem documents.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.clinic = clinic
    install_problem_handlers(app)
    for module in (health, session, tokens, users, patients, courses, dispensing, due, audit):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(cds_report.router, prefix=PREFIX)
    app.include_router(bundle_router, prefix=PREFIX)  # a course as a FHIR Bundle
    app.include_router(cds_router(clinic))  # CDS Hooks: /cds-services, outside /api/v1
    # Bulk export first: /fhir/R4/$export and /fhir/R4/bulkstatus/{job} would otherwise
    # be taken for a resource type and a read.
    app.include_router(bulk.router)
    app.include_router(fhir_router)  # the read-only FHIR server: /fhir/R4
    install_web(app)  # the pages for people: /, /sign-in, /clinic, /pharmacy, /me ...
    app.add_middleware(AuditRequests, clinic=clinic, prefix=PREFIX,
                       also=(CDS_PATH + "/", FHIR_PATH + "/", *WEB_AUDITED),
                       not_also=FHIR_PUBLIC)
    app.add_middleware(_CatchAll)

    @app.get(PREFIX, include_in_schema=False)
    def root() -> dict[str, str]:
        return {"service": "isocourse clinic server", "api": PREFIX,
                "docs": f"{PREFIX}/docs", "openapi": f"{PREFIX}/openapi.json"}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            app.openapi_schema = publish_problem_responses(publish_record_schema(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
