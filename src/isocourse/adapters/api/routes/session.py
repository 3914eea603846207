"""Signing in and out (a session cookie for browsers) and one's own password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from isocourse.adapters.api.auth import (
    SESSION_COOKIE,
    ActorDep,
    access_of,
    clear_session_cookie,
    note_route,
    set_session_cookie,
)
from isocourse.adapters.api.schemas import PasswordChangeIn, SignInIn
from isocourse.bootstrap import Clinic
from isocourse.services.security import accounts, sessions

router = APIRouter(tags=["accounts"])


def _client(request: Request) -> str | None:
    return request.client.host if request.client is not None else None


@router.post("/session", summary="Sign in: sets the session cookie, returns the CSRF token",
             responses={401: {"description": "wrong user name or password (never says "
                                             "which)"},
                        429: {"description": "too many failures: wait Retry-After seconds"}})
def sign_in(body: SignInIn, request: Request, response: Response) -> dict[str, Any]:
    clinic: Clinic = request.app.state.clinic
    note_route(request)
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # a session id planted before sign-in is never reused (session fixation)
        sessions.sign_out(old, uows=clinic.uows, clock=clinic.clock)
    signed_in = sessions.sign_in(body.username, body.password, address=_client(request),
                                 uows=clinic.uows, clock=clinic.clock, policy=clinic.security)
    access = access_of(request)
    if access is not None:
        user = signed_in.user
        access.via, access.actor_id, access.role = "session", user.id, user.role
        access.clinic_id = user.clinic_id
        access.on_behalf_of = user.on_behalf_of
    set_session_cookie(response, request, signed_in)
    return _me(signed_in.user.id, signed_in.user.username, signed_in.user.display_name,
               signed_in.user.role, signed_in.session.csrf_token,
               signed_in.session.expires_at.isoformat())


def _me(user_id: str, username: str, name: str, role: str, csrf: str | None,
        expires: str | None) -> dict[str, Any]:
    return {"user": {"id": user_id, "username": username, "display_name": name,
                     "role": role}, "csrf_token": csrf, "expires_at": expires}


@router.get("/session", summary="Who is signed in, and the session's CSRF token")
def whoami(request: Request, actor: ActorDep) -> dict[str, Any]:
    clinic: Clinic = request.app.state.clinic
    with clinic.uows() as uow:
        user = uow.users.get(actor.id)
    assert user is not None
    body = _me(user.id, user.username, user.display_name, user.role,
               getattr(request.state, "csrf_token", None), None)
    body["scopes"] = sorted(actor.scopes) if actor.scopes is not None else None
    return body


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out")
def sign_out(request: Request, actor: ActorDep) -> Response:
    clinic: Clinic = request.app.state.clinic
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        sessions.sign_out(secret, uows=clinic.uows, clock=clinic.clock)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, request)
    return response


@router.post("/session/password", status_code=status.HTTP_204_NO_CONTENT,
             summary="Change one's own password (every session and token then ends)")
def change_password(body: PasswordChangeIn, request: Request, actor: ActorDep) -> Response:
    clinic: Clinic = request.app.state.clinic
    accounts.change_own_password(body.current_password, body.new_password, uows=clinic.uows,
                                 clock=clinic.clock, actor=actor, policy=clinic.security)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, request)
    return response


__all__ = ["router"]
