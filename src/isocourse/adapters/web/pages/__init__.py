"""The pages, one module per part of the job. Each module that defines ``router`` (an
``APIRouter``) is mounted, in module-name order; routes are hidden from the OpenAPI
document (they answer HTML, not the API's JSON)."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

__all__ = ["routers"]


def routers() -> tuple[APIRouter, ...]:
    """Imported when the app is built, not when this package is: a page module may import
    a sibling without a circular import."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return tuple(found)

