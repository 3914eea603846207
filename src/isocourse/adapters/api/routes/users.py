"""Accounts, for admins: add, list, disable, reset a password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from isocourse.adapters.api.deps import PortsDep
from isocourse.adapters.api.schemas import PasswordResetIn, UserIn
from isocourse.services.security import accounts
from isocourse.services.stored_accounts import UserRow

router = APIRouter(tags=["accounts"])


def user_body(user: UserRow) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "clinic_id": user.clinic_id, "patient_id": user.patient_id,
            "on_behalf_of": user.on_behalf_of, "active": user.active,
            "created_at": user.created_at.isoformat()}


@router.get("/users", summary="The clinic's accounts (admin)")
def list_users(ports: PortsDep) -> dict[str, Any]:
    return {"items": [user_body(u) for u in accounts.list_users(**ports.read)]}


@router.post("/users", status_code=status.HTTP_201_CREATED, summary="Add an account (admin)")
def add_user(body: UserIn, request: Request, response: Response,
             ports: PortsDep) -> dict[str, Any]:
    user = accounts.add_user(accounts.NewUser(
        username=body.username, display_name=body.display_name, role=body.role,
        password=body.password, patient_external_id=body.patient_external_id,
        on_behalf_of=body.on_behalf_of), policy=request.app.state.clinic.security,
        **ports.kw_no_rules)
    response.headers["Location"] = f"/api/v1/users/{user.username}"
    return user_body(user)


@router.post("/users/{username}/disable",
             summary="Disable an account: its sessions and tokens end at once (admin)")
def disable_user(username: str, ports: PortsDep) -> dict[str, Any]:
    return user_body(accounts.disable_user(username, **ports.kw_no_rules))


@router.post("/users/{username}/password", summary="Set a new password (admin)")
def reset_password(username: str, body: PasswordResetIn, request: Request,
                   ports: PortsDep) -> dict[str, Any]:
    return user_body(accounts.reset_password(username, body.new_password,
                                             policy=request.app.state.clinic.security,
                                             **ports.kw_no_rules))


__all__ = ["router"]
