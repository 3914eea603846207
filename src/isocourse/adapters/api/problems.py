"""Errors as problem documents (RFC 9457, ``application/problem+json``), in one shape.

Every error the API returns has ``type`` (a stable URI per kind of problem, ending in the
error's code from :mod:`isocourse.domain.errors`), ``title``, ``status`` and ``detail``;
validation problems add ``errors``: ``[{"path": "body.daily_mg", "message": ...}]``, each
naming the field; a refused dispense adds ``reasons``: ``[{"rule_id", "message"}]``.
This module is the only place that maps errors to HTTP statuses. Details never carry patient
data: domain messages are written not to, and unexpected errors say nothing but their id.
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from isocourse.domain.errors import (
    CatalogError,
    Conflict,
    DispenseNotAllowed,
    Forbidden,
    Hidden,
    InvalidInput,
    IsocourseError,
    NotAuthenticated,
    NotFound,
    RecordError,
    RuleDataError,
    SignInLocked,
    StorageUnavailable,
    VersionMismatch,
)

__all__ = [
    "PROBLEM_BASE",
    "ApiProblem",
    "install_problem_handlers",
    "internal_error_response",
    "problem_response",
]

#: Base of the ``type`` URIs; the reference lists every code (docs/reference/api.md).
PROBLEM_BASE = "https://isocourse.dev/problems/"
MEDIA_TYPE = "application/problem+json"

log = logging.getLogger("isocourse.api")


class ApiProblem(Exception):
    """A problem that only exists at the HTTP edge (a missing ``If-Match``, a bad page)."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def problem_response(status: int, code: str, detail: str, *,
                     headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


_STATUS: tuple[tuple[type[IsocourseError], int], ...] = (
    (RecordError, 422),
    (InvalidInput, 422),
    (NotFound, 404),
    (SignInLocked, 429),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (VersionMismatch, 412),
    (DispenseNotAllowed, 409),
    (Conflict, 409),
    (StorageUnavailable, 503),
    (CatalogError, 500),
    (RuleDataError, 500),
)


def _page(request: Request, error: Exception, status: int | None = None) -> Response | None:
    """The web app's answer when the request was for a page (``app.state.web_errors``,
    set by the web face), else None: the API's problem document follows."""
    hook = getattr(request.app.state, "web_errors", None)
    return hook(request, error, status) if hook is not None else None


def _isocourse_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, IsocourseError)
    if (page := _page(request, error)) is not None:
        return page
    if isinstance(error, Hidden | Forbidden | NotAuthenticated):
        access = getattr(request.state, "access", None)
        if access is not None:  # the audit trail records the refusal as "denied"
            access.denied = True
    status = next((s for cls, s in _STATUS if isinstance(error, cls)), 500)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    detail = error.message
    if isinstance(error, RecordError):
        extra["errors"] = [{"path": p.path, "message": p.message} for p in error.problems]
        detail = detail.split("\n", 1)[0]
    elif isinstance(error, InvalidInput) and error.field:
        extra["errors"] = [{"path": error.field, "message": error.message}]
    if isinstance(error, DispenseNotAllowed):
        extra["reasons"] = [{"rule_id": r, "message": m} for r, m in error.reasons]
    if isinstance(error, VersionMismatch):
        headers["ETag"] = etag(error.current_version)
    if isinstance(error, StorageUnavailable):
        headers["Retry-After"] = "5"
    if isinstance(error, SignInLocked):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="isocourse"'
    return problem_response(status, error.code, detail, headers=headers or None, **extra)


def etag(version: int) -> str:
    return f'"{version}"'


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if (page := _page(request, error, 400)) is not None:
        return page
    errors = []
    for item in error.errors():
        path = ".".join(str(part) for part in item.get("loc", ()))
        if item.get("type") == "json_invalid":
            return problem_response(400, "invalid-json",
                                    "the request body is not valid JSON")
        errors.append({"path": path, "message": item.get("msg", "invalid")})
    return problem_response(422, "invalid-input",
                            f"the request has {len(errors)} invalid field(s)", errors=errors)


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if (page := _page(request, error, error.status_code)) is not None:
        return page
    code = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == 404 and detail == "Not Found":
        detail = "no such resource"
    return problem_response(error.status_code, code, detail,
                            headers=dict(error.headers) if error.headers else None)


def _api_problem(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiProblem)
    return problem_response(error.status, error.code, error.detail, **error.extra)


def _unexpected(request: Request, error: Exception) -> Response:
    if (page := _page(request, error)) is not None:
        return page
    return internal_error_response(error)


def internal_error_response(error: BaseException) -> JSONResponse:
    """A bug: logged by its type and an incident id only, answered with that id."""
    incident = uuid.uuid4().hex[:12]
    # The type only: a message or traceback could quote patient data.
    log.error("internal error %s: %s", incident, type(error).__name__)
    return problem_response(500, "internal-error",
                            f"an internal error occurred (incident {incident}); it was logged "
                            "without patient data", incident=incident)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IsocourseError, _isocourse_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(Exception, _unexpected)
