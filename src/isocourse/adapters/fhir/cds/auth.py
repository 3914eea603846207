"""Who is calling a CDS service: the CDS client whose signed JWT the request carries.

The client registry (the allow-list) is built once, when the app is made, from the
settings ``cds_clients`` and ``cds_clients_file``. The token is checked by
``services/cds/clients.py``; here it is only taken from the header, and the request's
audit context is filled in: ``via`` ``cds-jwt``, the actor is the client's issuer, the role
``cds-client``. The token itself goes nowhere else: not in logs, errors or the audit trail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request

from isocourse.adapters.api.auth import access_of, note_route
from isocourse.bootstrap import Clinic
from isocourse.config import Settings
from isocourse.domain.errors import InvalidInput, NotAuthenticated
from isocourse.services.cds.clients import ClientRegistry, authenticate_client
from isocourse.services.ports import Actor

__all__ = ["VIA", "app_base", "authenticate_cds_client", "registry_from_settings"]

#: The audit trail's ``via`` for CDS calls.
VIA = "cds-jwt"


def registry_from_settings(settings: Settings) -> ClientRegistry:
    entries: list[Any] = list(settings.cds_clients)
    path: Path | None = settings.cds_clients_file
    if path is not None:
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InvalidInput("cds_clients_file: cannot be read as JSON",
                               field="cds_clients_file") from None
        if isinstance(loaded, dict):
            loaded = loaded.get("clients")
        if not isinstance(loaded, list):
            raise InvalidInput('cds_clients_file: expected a list of clients or '
                               '{"clients": [...]}', field="cds_clients_file")
        entries.extend(loaded)
    return ClientRegistry.from_settings(entries, algorithms=settings.cds_jwt_algorithms,
                                        max_lifetime_seconds=settings.cds_jwt_max_lifetime_seconds)


def app_base(request: Request) -> str:
    """The public base URL: the ``cds_base_url`` setting, else the request's own."""
    clinic: Clinic = request.app.state.clinic
    configured = clinic.settings.cds_base_url
    return (configured or str(request.base_url)).rstrip("/")


def authenticate_cds_client(request: Request, registry: ClientRegistry, *,
                            endpoints: list[str]) -> Actor:
    """The calling client, or :class:`NotAuthenticated` (401). ``endpoints``: the paths
    (below the base URL) a token's ``aud`` may name for this endpoint."""
    clinic: Clinic = request.app.state.clinic
    note_route(request)
    access = access_of(request)
    if access is not None:
        access.via = VIA
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send 'Authorization: Bearer <JWT>' signed by an allow-listed "
                               "CDS client")
    base = app_base(request)
    audiences = [f"{base}{path}{slash}" for path in endpoints for slash in ("", "/")]
    actor = authenticate_client(token.strip(), audiences=audiences, registry=registry,
                                uows=clinic.uows, clock=clinic.clock)
    if access is not None:
        access.actor_id, access.role = actor.id, actor.role
        access.clinic_id = actor.clinic_id
    return actor
