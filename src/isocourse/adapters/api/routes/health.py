"""Health: ``/health`` answers while the process runs; ``/health/ready`` also reaches the
database (503 when it cannot)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from isocourse.adapters.db.health import database_ready

router = APIRouter(tags=["health"])


@router.get("/health", summary="The server is running")
def health() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/health/ready", summary="The server can reach its database")
def ready(request: Request) -> dict[str, Any]:
    engine = request.app.state.clinic.engine
    revision = database_ready(engine)
    return {"status": "ok", "database": engine.dialect.name,
            "schema_revision": revision}


__all__ = ["router"]
