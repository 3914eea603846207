"""Who is asking: the session cookie or the API token of a request, and CSRF.

* ``Authorization: Bearer isc_...`` - an API token (a program). No CSRF check: a browser
  never sends it by itself.
* The ``isocourse_session`` cookie - a signed-in person. Every request that changes
  something must echo the session's CSRF token in ``X-CSRF-Token`` (the web app's forms
  send it as a ``csrf_token`` field), so that another site cannot make the browser act.

The resolved actor is written into the request's audit context (``request.state.access``)
with the route, before any use case runs.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Response

from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Forbidden, NotAuthenticated
from isocourse.services.audit import AccessContext, describe_target
from isocourse.services.ports import Actor
from isocourse.services.security.sessions import SignedIn, resolve_session
from isocourse.services.security.tokens import resolve_token

__all__ = ["SESSION_COOKIE", "ActorDep", "authenticate", "clear_session_cookie",
           "set_session_cookie"]

SESSION_COOKIE = "isocourse_session"
CSRF_HEADER = "x-csrf-token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def access_of(request: Request) -> AccessContext | None:
    access = getattr(request.state, "access", None)
    return access if isinstance(access, AccessContext) else None


def note_route(request: Request) -> None:
    """Name the request in its audit context: the route and its identifiers."""
    access = access_of(request)
    route = request.scope.get("route")
    if access is not None and route is not None:
        access.action = str(getattr(route, "name", "unknown"))
        access.target = describe_target(str(getattr(route, "path", "")),
                                        {k: str(v) for k, v in request.path_params.items()})


def authenticate(request: Request) -> Actor:
    clinic: Clinic = request.app.state.clinic
    note_route(request)
    access = access_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise NotAuthenticated("send 'Authorization: Bearer <API token>'")
        actor = resolve_token(credentials.strip(), uows=clinic.uows, clock=clinic.clock)
        via = "token"
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            raise NotAuthenticated("sign in first, or send an API token")
        actor, session = resolve_session(secret, uows=clinic.uows, clock=clinic.clock,
                                         policy=clinic.security)
        via = "session"
        request.state.csrf_token = session.csrf_token
    if access is not None:
        access.via, access.actor_id, access.role = via, actor.id, actor.role
        access.clinic_id = actor.clinic_id
        access.on_behalf_of = actor.on_behalf_of
    if via == "session" and request.method not in _SAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), str(request.state.csrf_token).encode()):
            raise Forbidden("this change needs the session's CSRF token in X-CSRF-Token "
                            "(GET /api/v1/session gives it)")
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(authenticate)]


def _secure(request: Request, clinic: Clinic) -> bool:
    mode = clinic.settings.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def set_session_cookie(response: Response, request: Request, signed_in: SignedIn) -> None:
    clinic: Clinic = request.app.state.clinic
    response.set_cookie(
        SESSION_COOKIE, signed_in.secret, httponly=True, samesite="lax", path="/",
        secure=_secure(request, clinic),
        max_age=int(clinic.security.session_max.total_seconds()))


def clear_session_cookie(response: Response, request: Request) -> None:
    clinic: Clinic = request.app.state.clinic
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=_secure(request, clinic))
