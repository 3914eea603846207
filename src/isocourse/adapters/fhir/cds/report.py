"""``GET /api/v1/cds/override-report``: how often each kind of card, and each rule behind
the cards, is accepted or overridden (admins and prescribers; a normal API session or
token). No patient data: counts and coded reasons."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from isocourse.adapters.api.deps import PortsDep
from isocourse.services.cds.feedback import CardStats, override_report

__all__ = ["router"]

router = APIRouter(tags=["cds-hooks"])


def _row(stats: CardStats) -> dict[str, Any]:
    rate = stats.override_rate
    row: dict[str, Any] = {"kind": stats.kind} if stats.kind is not None else \
        {"rule_id": stats.rule_id}
    row.update({
        "shown": stats.shown, "accepted": stats.accepted, "overridden": stats.overridden,
        "ignored": stats.shown - stats.accepted - stats.overridden,
        "override_rate": None if rate is None else float(rate),
        "reasons": [{"code": r.code, "display": r.display, "count": r.count}
                    for r in stats.reasons],
    })
    return row


@router.get("/cds/override-report",
            summary="How often CDS cards are overridden, by card kind and by rule")
def cds_override_report(
        ports: PortsDep,
        since: Annotated[dt.date | None, Query(description="Count cards shown on or after "
                                                           "this date (UTC)")] = None,
) -> dict[str, Any]:
    report = override_report(since=since, **ports.read)
    return {"since": None if report.since is None else report.since.isoformat(),
            "by_kind": [_row(s) for s in report.by_kind],
            "by_rule": [_row(s) for s in report.by_rule]}
