"""Reading the audit trail: a patient's own access log, the care team's view of a
patient's log, the admin's view, and the chain check.

A patient sees who looked at or changed their record: the person's name and role, when,
what they did and whether it was allowed. Addresses and other patients are not shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from isocourse.domain.errors import InvalidInput, NotFound
from isocourse.services.access import Action, require
from isocourse.services.audit import AuditEntry, ChainReport, verify_chain
from isocourse.services.course_store import load_patient
from isocourse.services.ports import Actor, UnitOfWork, UnitOfWorkFactory

__all__ = ["AccessLine", "AccessPage", "audit_page", "patient_access_log", "verify_audit"]


@dataclass(frozen=True, slots=True)
class AccessLine:
    """One access to a record, as its patient or care team sees it."""

    at: dt.datetime
    who: str
    role: str | None
    on_behalf_of: str | None
    action: str
    outcome: str


@dataclass(frozen=True, slots=True)
class AccessPage:
    lines: list[AccessLine]
    total: int


def _lines(uow: UnitOfWork, entries: Sequence[AuditEntry]) -> list[AccessLine]:
    ids = sorted({i for e in entries for i in (e.actor_id, e.on_behalf_of) if i})
    names = uow.users.names(ids)

    def name(user_id: str | None) -> str:
        if user_id is None:
            return "someone not signed in"
        return names.get(user_id, (user_id, ""))[0]

    return [AccessLine(at=e.at, who=name(e.actor_id), role=e.role,
                       on_behalf_of=name(e.on_behalf_of) if e.on_behalf_of else None,
                       action=e.action, outcome=e.outcome) for e in entries]


def patient_access_log(patient_id: str | None, *, offset: int, limit: int,
                       uows: UnitOfWorkFactory, actor: Actor) -> AccessPage:
    """Who read or changed a patient's record, newest first. ``patient_id=None`` is the
    signed-in patient's own log."""
    if patient_id is None:
        require(actor, Action.READ_OWN_ACCESS_LOG)
        patient_id = actor.patient_id
        if patient_id is None:  # pragma: no cover - a patient account always has one
            raise NotFound("no patient record is linked to this account")
    else:
        require(actor, Action.READ_PATIENT_ACCESS_LOG)
    with uows() as uow:
        load_patient(uow, patient_id, actor)
        entries = uow.audit.entries(subject=patient_id, offset=offset, limit=limit,
                                    newest_first=True)
        total = uow.audit.count(subject=patient_id)
        return AccessPage(_lines(uow, entries), total)


def audit_page(*, offset: int, limit: int, uows: UnitOfWorkFactory,
               actor: Actor) -> tuple[list[AuditEntry], int]:
    """The trail of the admin's own clinic (entries made by its accounts), newest first."""
    require(actor, Action.READ_AUDIT)
    if offset < 0 or limit < 1:
        raise InvalidInput("bad page", field="page")
    with uows() as uow:
        return (list(uow.audit.entries(clinic=actor.clinic_id, offset=offset, limit=limit,
                                       newest_first=True)),
                uow.audit.count(clinic=actor.clinic_id))


def verify_audit(*, uows: UnitOfWorkFactory, actor: Actor) -> ChainReport:
    require(actor, Action.READ_AUDIT)
    with uows() as uow:
        report = verify_chain(uow.audit.walk(), head=uow.audit.head())
        mismatched = uow.audit.index_mismatches()
    if mismatched:
        shown = ", ".join(str(s) for s in mismatched[:20])
        report = replace(report, problems=(*report.problems, (
            f"the patient index of entries {shown} differs from the entries")))
    return report
