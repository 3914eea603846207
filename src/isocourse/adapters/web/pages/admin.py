"""The administrator's pages: the clinic's accounts and the audit trail.

An admin manages accounts (add, disable, set a new password) and reads the audit trail of
their own clinic; no clinical data. The use cases are the API's (services.security.accounts,
services.access_log), so the same rules hold: another clinic's account is "not found".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.domain.errors import Conflict, InvalidInput
from isocourse.services import access_log
from isocourse.services.access import Action, Role, require
from isocourse.services.security import accounts

router = APIRouter(include_in_schema=False)

ROLE_NAMES = [(Role.PRESCRIBER.value, "Prescriber"),
              (Role.DELEGATE.value, "Delegate (acts for a prescriber)"),
              (Role.PHARMACIST.value, "Pharmacist"),
              (Role.PATIENT.value, "Patient"),
              (Role.ADMIN.value, "Administrator")]
_AUDIT_PAGE = 50
_FIELDS = {"username": "username", "display_name": "display_name", "role": "role",
           "password": "password", "new_password": "password",
           "patient_external_id": "patient_external_id", "on_behalf_of": "on_behalf_of"}
_NOTICES = {"added": "The account was added.", "disabled": "The account was disabled; its "
            "sessions and tokens ended.", "password": "The new password is set; the "
            "account's sessions ended."}


def _accounts_page(request: Request, ports: WebPorts, form: Form, *, status: int = 200,
                   notice: str | None = None) -> Response:
    users = accounts.list_users(**ports.read)
    flash = {"kind": "ok", "text": _NOTICES[notice]} if notice in _NOTICES else None
    return render(request, "admin/accounts.html",
                  {"users": users, "form": form, "roles": ROLE_NAMES, "flash": flash},
                  status_code=status)


@router.get("/admin")
def accounts_page(request: Request, ports: WebPorts,
                  done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    require(ports.actor, Action.MANAGE_USERS)
    return _accounts_page(request, ports, empty_form(role=Role.PRESCRIBER.value), notice=done)


@router.post("/admin/users")
async def add_account(request: Request, ports: WebPorts) -> Response:
    require(ports.actor, Action.MANAGE_USERS)
    form = await read_form(request)
    username = form.text("username", max_length=64)
    name = form.text("display_name", max_length=200)
    role = form.choice("role", [r for r, _ in ROLE_NAMES], message="Choose a role.")
    password = form.value("password")
    if not password:
        form.error("password", "Enter a password for the account.")
    patient = form.text("patient_external_id", required=role == Role.PATIENT.value,
                        max_length=64)
    prescriber = form.text("on_behalf_of", required=role == Role.DELEGATE.value,
                           max_length=64)
    if form.ok and username and name and role:
        try:
            accounts.add_user(accounts.NewUser(
                username=username, display_name=name, role=role, password=password,
                patient_external_id=patient if role == Role.PATIENT.value else None,
                on_behalf_of=prescriber if role == Role.DELEGATE.value else None),
                policy=ports.clinic.security, **ports.kw_no_rules)
        except (InvalidInput, Conflict) as error:
            form.absorb(error, _FIELDS, default="username" if isinstance(error, Conflict)
                        else None)
        else:
            return RedirectResponse("/admin?done=added", status_code=303)
    form.values.pop("password", None)
    return _accounts_page(request, ports, form, status=422)


def _account_page(request: Request, ports: WebPorts, username: str, form: Form, *,
                  status: int = 200, notice: str | None = None) -> Response:
    user = accounts.user_by_name(username, **ports.read)
    flash = {"kind": "ok", "text": _NOTICES[notice]} if notice in _NOTICES else None
    return render(request, "admin/account.html", {"account": user, "form": form,
                                                  "flash": flash}, status_code=status)


@router.get("/admin/users/{username}")
def account_page(username: str, request: Request, ports: WebPorts,
                 done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    require(ports.actor, Action.MANAGE_USERS)
    return _account_page(request, ports, username, empty_form(), notice=done)


@router.post("/admin/users/{username}/password")
async def set_password(username: str, request: Request, ports: WebPorts) -> Response:
    require(ports.actor, Action.MANAGE_USERS)
    form = await read_form(request)
    password = form.value("password")
    if not password:
        form.error("password", "Enter the new password.")
    else:
        try:
            accounts.reset_password(username, password, policy=ports.clinic.security,
                                    **ports.kw_no_rules)
        except InvalidInput as error:
            form.absorb(error, _FIELDS, default="password")
        else:
            return RedirectResponse(f"/admin/users/{username}?done=password", status_code=303)
    form.values.pop("password", None)
    return _account_page(request, ports, username, form, status=422)


@router.post("/admin/users/{username}/disable")
def disable(username: str, ports: WebPorts) -> Response:
    require(ports.actor, Action.MANAGE_USERS)
    accounts.disable_user(username, **ports.kw_no_rules)
    return RedirectResponse(f"/admin/users/{username}?done=disabled", status_code=303)


@router.get("/admin/audit")
def audit_trail(request: Request, ports: WebPorts,
                page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    entries, total = access_log.audit_page(offset=(page - 1) * _AUDIT_PAGE,
                                           limit=_AUDIT_PAGE, **ports.read)
    report = access_log.verify_audit(**ports.read)
    pages = max(1, -(-total // _AUDIT_PAGE))
    return render(request, "admin/audit.html", {
        "entries": entries, "total": total, "page": page, "pages": pages, "report": report})
