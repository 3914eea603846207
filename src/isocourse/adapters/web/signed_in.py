"""Who is using the web app: the session cookie, and the CSRF token of its forms.

A page needs a signed-in person; without one the browser is sent to the sign-in page
(303), which brings them back afterwards. API tokens are not accepted here: a browser
never holds one. Every form that changes something carries the session's CSRF token in
a hidden ``csrf_token`` field, compared in constant time, so that another site cannot
make the browser act.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from isocourse.adapters.api.auth import SESSION_COOKIE, access_of, note_route
from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Forbidden, NotAuthenticated
from isocourse.services.ports import Actor
from isocourse.services.security.sessions import resolve_session

__all__ = ["SignInRequired", "WebUser", "WebUserDep", "check_csrf", "sign_in_url",
           "web_user"]

_SAFE = frozenset({"GET", "HEAD"})


class SignInRequired(NotAuthenticated):
    """No valid session: the browser goes to the sign-in page, then back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


def sign_in_url(next_path: str | None) -> str:
    if not next_path or not next_path.startswith("/") or next_path.startswith("//"):
        return "/sign-in"
    return "/sign-in?next=" + quote(next_path, safe="/")


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in person as the pages show them."""

    actor: Actor
    username: str
    display_name: str

    @property
    def role(self) -> str:
        return self.actor.role

    @property
    def id(self) -> str:
        return self.actor.id


async def check_csrf(request: Request) -> None:
    """A change made from a page must carry the session's CSRF token (form field or
    header)."""
    expected = str(getattr(request.state, "csrf_token", ""))
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("this form is out of date (its security token does not match your "
                        "session); go back, reload the page and try again")


async def web_user(request: Request) -> WebUser:
    clinic: Clinic = request.app.state.clinic
    note_route(request)
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise SignInRequired(request.url.path if request.method in _SAFE else "")
    try:
        actor, session = resolve_session(secret, uows=clinic.uows, clock=clinic.clock,
                                         policy=clinic.security)
    except NotAuthenticated:
        raise SignInRequired(request.url.path if request.method in _SAFE else "") from None
    request.state.csrf_token = session.csrf_token
    access = access_of(request)
    if access is not None:
        access.via, access.actor_id, access.role = "session", actor.id, actor.role
        access.clinic_id = actor.clinic_id
        access.on_behalf_of = actor.on_behalf_of
    with clinic.uows() as uow:
        row = uow.users.get(actor.id)
    user = WebUser(actor, row.username if row else actor.id,
                   row.display_name if row else actor.id)
    request.state.web_user = user
    request.state.actor = actor
    if request.method not in _SAFE:
        await check_csrf(request)
    return user


WebUserDep = Annotated[WebUser, Depends(web_user)]
