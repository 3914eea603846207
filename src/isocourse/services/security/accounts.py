"""Managing accounts: add, list, disable, reset a password, change one's own.

Only an admin (or the server's operator through ``isocourse users``, who acts as an admin)
manages accounts. A patient account is linked to the patient's record in the clinic; a
delegate account names the prescriber it records for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from isocourse.domain.errors import Conflict, Forbidden, Hidden, InvalidInput, NotFound
from isocourse.services import ids
from isocourse.services.access import Action, Role, require
from isocourse.services.ports import Actor, Clock, UnitOfWork, UnitOfWorkFactory
from isocourse.services.security.passwords import check_password, hash_password, verify_password
from isocourse.services.security.policy import SecurityPolicy
from isocourse.services.stored_accounts import UserRow

__all__ = [
    "NewUser",
    "add_user",
    "change_own_password",
    "disable_user",
    "list_users",
    "reset_password",
    "user_by_name",
]

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewUser:
    username: str
    display_name: str
    role: str
    password: str
    clinic_id: str | None = None          # default: the admin's clinic
    patient_external_id: str | None = None  # a patient account: the clinic's patient id
    on_behalf_of: str | None = None       # a delegate account: the prescriber's user name
    user_id: str | None = None            # default: a new random id


def normalize_username(name: str) -> str:
    username = name.strip().lower()
    if not USERNAME.fullmatch(username):
        raise InvalidInput("a user name is 3 to 64 characters: lower-case letters, digits, "
                           "'.', '_' or '-', starting with a letter or digit", field="username")
    return username


def add_user(cmd: NewUser, *, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
             policy: SecurityPolicy) -> UserRow:
    require(actor, Action.MANAGE_USERS)
    username = normalize_username(cmd.username)
    try:
        role = Role(cmd.role)
    except ValueError:
        raise InvalidInput("the role must be one of: " + ", ".join(r.value for r in Role),
                           field="role") from None
    display = cmd.display_name.strip()
    if not 1 <= len(display) <= 128 or not display.isprintable():
        raise InvalidInput("a display name is 1 to 128 printable characters",
                           field="display_name")
    check_password(cmd.password, username=username, policy=policy)
    clinic = cmd.clinic_id or actor.clinic_id
    now = clock.now()
    with uows(write=True) as uow:
        if uow.users.by_username(username) is not None:
            raise Conflict("this user name is taken")
        patient_id = _patient_link(uow, role, clinic, cmd.patient_external_id)
        on_behalf_of = _delegation(uow, role, clinic, cmd.on_behalf_of)
        user = UserRow(id=cmd.user_id or ids.new_uuid(), username=username,
                       display_name=display, role=role.value, clinic_id=clinic,
                       password_hash=hash_password(cmd.password), created_at=now,
                       password_changed_at=now, patient_id=patient_id,
                       on_behalf_of=on_behalf_of)
        uow.users.add(user)
        uow.commit()
    return user


def _patient_link(uow: UnitOfWork, role: Role, clinic: str, external_id: str | None) -> str | None:
    if role is not Role.PATIENT:
        if external_id is not None:
            raise InvalidInput("only a patient account is linked to a patient",
                               field="patient_external_id")
        return None
    if not external_id:
        raise InvalidInput("a patient account needs the clinic's patient id",
                           field="patient_external_id")
    patient = uow.patients.by_external_id(clinic, external_id)
    if patient is None:
        raise NotFound("no such patient in this clinic")
    return patient.id


def _delegation(uow: UnitOfWork, role: Role, clinic: str, prescriber: str | None) -> str | None:
    if role is not Role.DELEGATE:
        if prescriber is not None:
            raise InvalidInput("only a delegate account records for a prescriber",
                               field="on_behalf_of")
        return None
    if not prescriber:
        raise InvalidInput("a delegate account needs the prescriber it records for",
                           field="on_behalf_of")
    found = uow.users.by_username(prescriber.strip().lower())
    if found is None or found.role != Role.PRESCRIBER or found.clinic_id != clinic \
            or not found.active:
        raise NotFound("no such active prescriber in this clinic")
    return found.id


def list_users(*, uows: UnitOfWorkFactory, actor: Actor) -> Sequence[UserRow]:
    require(actor, Action.MANAGE_USERS)
    with uows() as uow:
        return [u for u in uow.users.listing() if u.clinic_id == actor.clinic_id]


def user_by_name(username: str, *, uows: UnitOfWorkFactory, actor: Actor) -> UserRow:
    require(actor, Action.MANAGE_USERS)
    with uows() as uow:
        return _managed(uow, username, actor)


def _managed(uow: UnitOfWork, username: str, actor: Actor) -> UserRow:
    user = uow.users.by_username(username.strip().lower())
    if user is None:
        raise NotFound("no such user")
    if user.clinic_id != actor.clinic_id:  # another clinic's: audited as denied
        raise Hidden("no such user")
    return user


def disable_user(username: str, *, uows: UnitOfWorkFactory, clock: Clock,
                 actor: Actor) -> UserRow:
    """Disable an account: it can no longer sign in, and its sessions and API tokens end
    at once. Nothing it recorded is changed."""
    require(actor, Action.MANAGE_USERS)
    now = clock.now()
    with uows(write=True) as uow:
        user = _managed(uow, username, actor)
        if user.id == actor.id:
            raise Conflict("you cannot disable your own account")
        if user.active:
            user = replace(user, disabled_at=now)
            uow.users.update(user)
        uow.sessions.revoke_all(user.id, now)
        uow.tokens.revoke_all(user.id, now)
        uow.commit()
    return user


def reset_password(username: str, new_password: str, *, uows: UnitOfWorkFactory,
                   clock: Clock, actor: Actor, policy: SecurityPolicy) -> UserRow:
    """Set a new password (an admin, for a user who lost theirs). Every session and API
    token of the account ends, so that whoever knew the old password is out."""
    require(actor, Action.MANAGE_USERS)
    now = clock.now()
    with uows(write=True) as uow:
        user = _managed(uow, username, actor)
        check_password(new_password, username=user.username, policy=policy)
        user = replace(user, password_hash=hash_password(new_password),
                       password_changed_at=now)
        uow.users.update(user)
        uow.sessions.revoke_all(user.id, now)
        uow.tokens.revoke_all(user.id, now)
        uow.commit()
    return user


def change_own_password(current: str, new_password: str, *, uows: UnitOfWorkFactory,
                        clock: Clock, actor: Actor, policy: SecurityPolicy) -> None:
    """A signed-in person changes their password; their other sessions and tokens end."""
    if actor.scopes is not None:
        raise Forbidden("a password is changed by the person, not with an API token")
    now = clock.now()
    with uows(write=True) as uow:
        user = uow.users.get(actor.id)
        if user is None or not user.active:
            raise NotFound("no such user")
        if not verify_password(user.password_hash, current):
            raise InvalidInput("the current password is wrong", field="current_password")
        check_password(new_password, username=user.username, policy=policy)
        uow.users.update(replace(user, password_hash=hash_password(new_password),
                                 password_changed_at=now))
        uow.sessions.revoke_all(user.id, now)
        uow.tokens.revoke_all(user.id, now)
        uow.commit()
