"""Mount the web app onto the clinic server's ASGI application."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from isocourse.adapters.web.errors import is_web_path, web_error
from isocourse.adapters.web.headers import PageHeaders
from isocourse.adapters.web.pages import routers

__all__ = ["AUDITED_PREFIXES", "install_web"]

#: Web paths whose requests may touch a patient's record (audited like the API's).
AUDITED_PREFIXES = ("/sign-in", "/sign-out", "/clinic", "/patients/", "/courses/",
                    "/pharmacy", "/me", "/admin", "/calendar/")


def _is_page(path: str) -> bool:
    return is_web_path(path) or path.startswith("/static/")


def install_web(app: FastAPI) -> None:
    """Pages, static files, error pages and security headers."""
    static = files("isocourse.adapters.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in routers():
        app.include_router(router)
    app.state.web_errors = web_error
    app.add_middleware(PageHeaders, is_page=_is_page)
