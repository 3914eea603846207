"""API tokens: a signed-in person makes scoped tokens for their programs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from isocourse.adapters.api.auth import ActorDep
from isocourse.adapters.api.schemas import TokenIn
from isocourse.bootstrap import Clinic
from isocourse.services.security import tokens
from isocourse.services.stored_accounts import TokenRow

router = APIRouter(tags=["accounts"])


def _token_body(row: TokenRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "scopes": list(row.scopes),
            "created_at": row.created_at.isoformat(), "expires_at": row.expires_at.isoformat(),
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None}


@router.post("/tokens", status_code=status.HTTP_201_CREATED,
             summary="Make an API token (the token is in this answer only)")
def create_token(body: TokenIn, request: Request, response: Response,
                 actor: ActorDep) -> dict[str, Any]:
    clinic: Clinic = request.app.state.clinic
    made = tokens.create_token(body.name, body.scopes, expires_in_days=body.expires_in_days,
                               uows=clinic.uows, clock=clinic.clock, actor=actor,
                               policy=clinic.security)
    response.headers["Cache-Control"] = "no-store"
    return {**_token_body(made.row), "token": made.secret}


@router.get("/tokens", summary="One's own API tokens (never the tokens themselves)")
def list_tokens(request: Request, actor: ActorDep) -> dict[str, Any]:
    clinic: Clinic = request.app.state.clinic
    return {"items": [_token_body(t) for t in tokens.list_tokens(uows=clinic.uows,
                                                                 actor=actor)]}


@router.delete("/tokens/{token_id}", summary="Revoke one of one's own API tokens")
def revoke_token(token_id: str, request: Request, actor: ActorDep) -> dict[str, Any]:
    clinic: Clinic = request.app.state.clinic
    return _token_body(tokens.revoke_token(token_id, uows=clinic.uows, clock=clinic.clock,
                                           actor=actor))


__all__ = ["router"]
