"""One Jinja2 environment for the pages and the PDF summaries (the same templates).

Autoescaping is on for every template. The page context always carries the signed-in user
(or None), the CSRF token for forms, the clinic's today and the navigation for the role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from isocourse.adapters.web.navigation import navigation_for

__all__ = ["environment", "render", "render_text"]


def _date(value: dt.date | None, style: str = "long") -> str:
    """``2026-11-22`` as ``22 Nov 2026`` (long) or ``Sun 22 Nov`` (short): unambiguous in
    every locale, unlike 11/22."""
    if value is None:
        return "—"
    if style == "short":
        return f"{value:%a} {value.day} {value:%b}"
    if style == "iso":
        return value.isoformat()
    return f"{value.day} {value:%b %Y}"


def _number(value: Decimal | float | int | None, places: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(str(value)):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("isocourse.adapters.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    env.filters["number"] = _number
    env.filters["plural"] = _plural
    return env


def render_text(template: str, context: Mapping[str, Any]) -> str:
    """Render a template to a string (the PDF summaries use this)."""
    return environment().get_template(template).render(**context)


def render(request: Request, template: str, context: Mapping[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    """A page: ``template`` with ``context`` and what every page needs."""
    clinic = request.app.state.clinic
    user = getattr(request.state, "web_user", None)
    page: dict[str, Any] = {
        "user": user,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "today": clinic.clock.today(),
        "nav": navigation_for(user.role if user is not None else None),
        "path": request.url.path,
        "flash": None,
    }
    page.update(context or {})
    html = render_text(template, page)
    return HTMLResponse(html, status_code=status_code)
