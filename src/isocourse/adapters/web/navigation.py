"""The navigation each role sees: the pages of its job, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HOME", "NavItem", "home_for", "navigation_for"]


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str


#: Where each role lands after signing in.
HOME = {
    "prescriber": "/clinic",
    "delegate": "/clinic",
    "pharmacist": "/pharmacy",
    "patient": "/me",
    "admin": "/admin",
}

_NAV: dict[str, tuple[NavItem, ...]] = {
    "prescriber": (NavItem("Today", "/clinic"), NavItem("New patient", "/patients/new")),
    "delegate": (NavItem("Today", "/clinic"), NavItem("New patient", "/patients/new")),
    "pharmacist": (NavItem("Look up", "/pharmacy"),),
    "patient": (NavItem("My course", "/me"), NavItem("Dose diary", "/me/diary"),
                NavItem("Side effects", "/me/side-effects"),
                NavItem("Mood check", "/me/phq9"), NavItem("Reminders", "/me/reminders")),
    "admin": (NavItem("Accounts", "/admin"), NavItem("Audit trail", "/admin/audit")),
}


def home_for(role: str) -> str:
    return HOME.get(role, "/")


def navigation_for(role: str | None) -> tuple[NavItem, ...]:
    return _NAV.get(role or "", ())
