"""The audit trail: who looked at or changed a record."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from isocourse.adapters.api.deps import PagingDep, PortsDep
from isocourse.adapters.api.views import page_body
from isocourse.services import access_log
from isocourse.services.audit import AuditEntry

router = APIRouter(tags=["audit"])


def _line(line: access_log.AccessLine) -> dict[str, Any]:
    return {"at": line.at.isoformat(), "who": line.who, "role": line.role,
            "on_behalf_of": line.on_behalf_of, "action": line.action,
            "outcome": line.outcome}


@router.get("/me/access-log",
            summary="Who looked at or changed my record (the signed-in patient)")
def my_access_log(request: Request, response: Response, ports: PortsDep,
                  paging: PagingDep) -> dict[str, Any]:
    page = access_log.patient_access_log(None, offset=paging.offset, limit=paging.per_page,
                                         **ports.read)
    return page_body(request, response, [_line(x) for x in page.lines], page.total, paging)


@router.get("/patients/{patient_id}/access-log",
            summary="Who looked at or changed a patient's record (care team)")
def patient_access_log(patient_id: str, request: Request, response: Response,
                       ports: PortsDep, paging: PagingDep) -> dict[str, Any]:
    page = access_log.patient_access_log(patient_id, offset=paging.offset,
                                         limit=paging.per_page, **ports.read)
    return page_body(request, response, [_line(x) for x in page.lines], page.total, paging)


def _entry(entry: AuditEntry) -> dict[str, Any]:
    return {"seq": entry.seq, "at": entry.at.isoformat(), "actor_id": entry.actor_id,
            "role": entry.role, "on_behalf_of": entry.on_behalf_of, "via": entry.via,
            "action": entry.action, "target": entry.target, "subjects": list(entry.subjects),
            "address": entry.address, "outcome": entry.outcome, "status": entry.status,
            "hash": entry.hash}


@router.get("/audit", summary="The whole audit trail, newest first (admin)")
def audit_trail(request: Request, response: Response, ports: PortsDep,
                paging: PagingDep) -> dict[str, Any]:
    entries, total = access_log.audit_page(offset=paging.offset, limit=paging.per_page,
                                           **ports.read)
    return page_body(request, response, [_entry(e) for e in entries], total, paging)


@router.get("/audit/verify", summary="Check the audit trail's hash chain (admin)")
def verify(ports: PortsDep) -> dict[str, Any]:
    report = access_log.verify_audit(**ports.read)
    return {"intact": report.intact, "entries": report.entries, "head_seq": report.head_seq,
            "head_hash": report.head_hash, "problems": list(report.problems)}


__all__ = ["router"]
