"""Accounts for the service tests, made through ``add_user`` as an admin would."""

from __future__ import annotations

import datetime as dt

from isocourse.services.access import Role
from isocourse.services.ports import Actor, Clock
from isocourse.services.security.accounts import NewUser, add_user
from isocourse.services.security.policy import SecurityPolicy
from isocourse.services.stored import PatientRow
from isocourse.services.stored_accounts import UserRow
from tests.unit.security.fakes import FakeUnitOfWorks

__all__ = ["ADMIN", "CLINIC", "PASSWORD", "add_person"]

CLINIC = "main"
ADMIN = Actor(id="operator", role=Role.ADMIN.value, clinic_id=CLINIC)
#: Every test account's password (meets the password policy).
PASSWORD = "correct horse battery staple 7"


def add_person(uows: FakeUnitOfWorks, clock: Clock, username: str,
               role: Role = Role.PRESCRIBER, *, password: str = PASSWORD,
               policy: SecurityPolicy | None = None) -> UserRow:
    external_id = None
    if role is Role.PATIENT:
        external_id = f"ext-{username}"
        patient = PatientRow(id=f"pid-{username}", clinic_id=CLINIC, external_id=external_id,
                             birth_date=dt.date(2004, 4, 2), can_get_pregnant=False,
                             created_at=clock.now(), created_by="operator")
        uows.store.patients[patient.id] = patient
    on_behalf_of = None
    if role is Role.DELEGATE:
        on_behalf_of = f"{username}-boss"
        add_person(uows, clock, on_behalf_of, Role.PRESCRIBER, policy=policy)
    return add_user(NewUser(username=username, display_name=username.title(),
                            role=role.value, password=password,
                            patient_external_id=external_id, on_behalf_of=on_behalf_of),
                    uows=uows, clock=clock, actor=ADMIN, policy=policy or SecurityPolicy())
