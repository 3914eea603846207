"""One account per role for the demo clinic (``isocourse serve --demo``), listed in the
README. Their passwords are public: the demo clinic is for trying isocourse, never for
patients."""

from __future__ import annotations

from dataclasses import dataclass

from isocourse.services.access import Role
from isocourse.services.ports import Actor, Clock, UnitOfWorkFactory
from isocourse.services.security.accounts import NewUser, add_user
from isocourse.services.security.policy import SecurityPolicy

__all__ = ["DEMO_ACCOUNTS", "DEMO_PATIENT", "DemoAccount", "add_demo_accounts"]

#: The demo patient whose account signs in as ``patient`` (an active course with a
#: pregnancy-prevention programme, so every patient page has something to show).
DEMO_PATIENT = "demo-001"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "demo clinic alpha", Role.ADMIN, "Alex Admin"),
    DemoAccount("prescriber", "demo clinic bravo", Role.PRESCRIBER,
                "Dr Priya Prescriber"),
    DemoAccount("delegate", "demo clinic charlie", Role.DELEGATE, "Dana Delegate"),
    DemoAccount("pharmacist", "demo clinic delta", Role.PHARMACIST,
                "Pat Pharmacist"),
    DemoAccount("patient", "demo clinic echo", Role.PATIENT, "Demo Patient"),
)


def add_demo_accounts(*, uows: UnitOfWorkFactory, clock: Clock, clinic_id: str,
                      policy: SecurityPolicy) -> None:
    """Add the demo accounts (the prescriber and pharmacist keep the ids the demo's records
    were made under: ``demo-prescriber``, ``demo-pharmacist``)."""
    operator = Actor(id="operator", role=Role.ADMIN.value, clinic_id=clinic_id)
    for account in DEMO_ACCOUNTS:
        add_user(NewUser(
            username=account.username, display_name=account.display_name,
            role=account.role.value, password=account.password, clinic_id=clinic_id,
            user_id=f"demo-{account.role.value}",
            patient_external_id=DEMO_PATIENT if account.role is Role.PATIENT else None,
            on_behalf_of="prescriber" if account.role is Role.DELEGATE else None),
            uows=uows, clock=clock, actor=operator, policy=policy)
