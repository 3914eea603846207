"""Signing in and out in the browser, and the front door (``/``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.api.auth import (
    SESSION_COOKIE,
    access_of,
    clear_session_cookie,
    note_route,
    set_session_cookie,
)
from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.navigation import home_for
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.bootstrap import Clinic
from isocourse.domain.errors import NotAuthenticated, SignInFailed, SignInLocked
from isocourse.services.security import sessions

router = APIRouter(include_in_schema=False)


def _safe_next(next_path: str | None) -> str | None:
    """Only a path on this server (never ``//other.site`` or a full address)."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") \
            and "\\" not in next_path:
        return next_path
    return None


@router.get("/")
def front_door(request: Request) -> Response:
    """Signed in: your own home page. Otherwise: the sign-in page."""
    clinic: Clinic = request.app.state.clinic
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        try:
            actor, _ = sessions.resolve_session(secret, uows=clinic.uows, clock=clinic.clock,
                                                policy=clinic.security)
            return RedirectResponse(home_for(actor.role), status_code=303)
        except NotAuthenticated:  # an ended session: sign in again
            pass
    return RedirectResponse("/sign-in", status_code=303)


def _page(request: Request, form: Form, next_path: str | None, status: int = 200
          ) -> Response:
    return render(request, "shared/sign_in.html", {"form": form, "next": next_path or ""},
                  status_code=status)


@router.get("/sign-in")
def sign_in_page(request: Request,
                 next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    return _page(request, empty_form(), _safe_next(next))


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    clinic: Clinic = request.app.state.clinic
    note_route(request)
    form = await read_form(request)
    next_path = _safe_next(form.value("next"))
    username = form.text("username", max_length=200)
    password = form.value("password")
    if not password:
        form.error("password", "Enter your password.")
    if not form.ok or username is None:
        return _page(request, form, next_path, 422)
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # a session id planted before sign-in is never reused (session fixation)
        sessions.sign_out(old, uows=clinic.uows, clock=clinic.clock)
    client = request.client.host if request.client is not None else None
    try:
        signed_in = sessions.sign_in(username, password, address=client, uows=clinic.uows,
                                     clock=clinic.clock, policy=clinic.security)
    except SignInLocked as locked:
        minutes = max(1, round(locked.retry_after / 60))
        form.summary = (f"Too many attempts. Try again in about {minutes} minute"
                        f"{'s' if minutes != 1 else ''}.")
        form.values.pop("password", None)
        return _page(request, form, next_path, 429)
    except SignInFailed:
        form.summary = "The user name or password is wrong."
        form.values.pop("password", None)
        access = access_of(request)
        if access is not None:
            access.denied = True
        return _page(request, form, next_path, 401)
    user = signed_in.user
    access = access_of(request)
    if access is not None:
        access.via, access.actor_id, access.role = "session", user.id, user.role
        access.clinic_id = user.clinic_id
        access.on_behalf_of = user.on_behalf_of
    response = RedirectResponse(next_path or home_for(user.role), status_code=303)
    set_session_cookie(response, request, signed_in)
    return response


@router.post("/sign-out")
def sign_out(request: Request, user: WebUserDep) -> Response:
    clinic: Clinic = request.app.state.clinic
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        sessions.sign_out(secret, uows=clinic.uows, clock=clinic.clock)
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session_cookie(response, request)
    return response
