"""Errors on pages: an HTML error page in plain words, never a traceback.

The API's exception handlers ask :func:`web_error` first; for a web path it answers with a
page (or, for a missing sign-in, a redirect to the sign-in page), for any other path it
returns None and the API answers with its problem document.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import SignInRequired, sign_in_url
from isocourse.domain.errors import (
    Conflict,
    Forbidden,
    Hidden,
    InvalidInput,
    IsocourseError,
    NotAuthenticated,
    NotFound,
    RecordError,
    SignInLocked,
    StorageUnavailable,
)

__all__ = ["is_web_path", "web_error"]

log = logging.getLogger("isocourse.web")

#: Paths served by other faces: never answered with a page.
_NOT_WEB = ("/api/", "/fhir/", "/cds-services", "/health", "/docs/", "/static/",
            "/calendar/")

_TITLES = {
    400: "The request was not understood",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "That could not be done",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "The clinic server is busy",
}


def is_web_path(path: str) -> bool:
    return not path.startswith(_NOT_WEB)


def _status(error: BaseException) -> int:
    for cls, status in ((SignInLocked, 429), (NotAuthenticated, 401), (Forbidden, 403),
                        (NotFound, 404), (RecordError, 422), (InvalidInput, 422),
                        (Conflict, 409), (StorageUnavailable, 503)):
        if isinstance(error, cls):
            return status
    return 500


def _page(request: Request, status: int, detail: str, incident: str | None = None
          ) -> Response:
    return render(request, "shared/error.html",
                  {"status": status, "title": _TITLES.get(status, "Something went wrong"),
                   "detail": detail, "incident": incident}, status_code=status)


def web_error(request: Request, error: BaseException, status: int | None = None
              ) -> Response | None:
    """The page for ``error`` on a web path, or None on another face's path."""
    if not is_web_path(request.url.path):
        return None
    if isinstance(error, SignInRequired):
        return RedirectResponse(sign_in_url(error.next_path), status_code=303)
    if isinstance(error, Hidden | Forbidden | NotAuthenticated):
        access = getattr(request.state, "access", None)
        if access is not None:
            access.denied = True
    if isinstance(error, IsocourseError):
        code = _status(error)
        if code == 500:  # bad rule or catalog data: the operator's problem, said plainly
            return _page(request, 500, "the clinic's configuration has a problem; tell "
                         "your administrator (the server log says which file)")
        message = "no such page, or it is not yours to see" if isinstance(error, NotFound) \
            else error.message
        return _page(request, code, message)
    if status is not None:
        detail = {404: "no such page", 405: "this page cannot be used that way"}.get(
            status, "the request could not be handled")
        return _page(request, status, detail)
    incident = uuid.uuid4().hex[:12]
    log.error("internal error %s: %s", incident, type(error).__name__)
    return _page(request, 500, "an unexpected error happened; it was logged without "
                 "patient data", incident)
