"""Accounts for tests: a user of each role with an API token, made through the services
exactly as ``isocourse users add`` and ``POST /tokens`` make them."""

from __future__ import annotations

from collections.abc import Sequence

from isocourse.bootstrap import Clinic
from isocourse.services.access import Role
from isocourse.services.security.accounts import NewUser, add_user
from isocourse.services.security.sessions import actor_of
from isocourse.services.security.tokens import create_token
from isocourse.services.stored_accounts import UserRow

__all__ = ["PASSWORD", "add_account", "bearer", "token_for"]

#: Every test account's password (meets the password policy).
PASSWORD = "correct horse battery staple 7"

#: The scopes a role's test token gets: everything the role may use.
_SCOPES = {
    Role.ADMIN: ("read", "write"),
    Role.PRESCRIBER: ("read", "write", "dispense"),
    Role.DELEGATE: ("read", "write"),
    Role.PHARMACIST: ("read", "dispense"),
    Role.PATIENT: ("read", "write"),
}


def add_account(clinic: Clinic, role: Role | str, username: str | None = None, *,
                clinic_id: str | None = None, patient_external_id: str | None = None,
                on_behalf_of: str | None = None, user_id: str | None = None) -> UserRow:
    role = Role(role)
    return add_user(NewUser(
        username=username or f"test-{role.value}", display_name=f"Test {role.value}",
        role=role.value, password=PASSWORD, clinic_id=clinic_id,
        patient_external_id=patient_external_id, on_behalf_of=on_behalf_of,
        user_id=user_id), uows=clinic.uows, clock=clinic.clock, actor=clinic.operator,
        policy=clinic.security)


def token_for(clinic: Clinic, user: UserRow, scopes: Sequence[str] | None = None) -> str:
    chosen = scopes if scopes is not None else _SCOPES[Role(user.role)]
    return create_token("tests", chosen, expires_in_days=365, uows=clinic.uows,
                        clock=clinic.clock, actor=actor_of(user),
                        policy=clinic.security).secret


def bearer(clinic: Clinic, role: Role | str, username: str | None = None,
           **account: str) -> dict[str, str]:
    """Headers that authenticate as a new account of ``role`` (all its scopes)."""
    user = add_account(clinic, role, username, **account)
    return {"Authorization": f"Bearer {token_for(clinic, user)}"}
