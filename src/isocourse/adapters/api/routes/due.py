"""The clinic's due list: the prescriber's morning view."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from isocourse.adapters.api.deps import PagingDep, PortsDep
from isocourse.adapters.api.views import due_entry, page_body
from isocourse.domain.record import Jurisdiction
from isocourse.services import due

router = APIRouter(tags=["due list"])

DueItemName = Annotated[str | None, Query(
    pattern="^[a-z_]{1,40}$",
    description="Only courses with this due item: pregnancy_test, lab, phq9, comprehension, "
                "counseling, visit, mental_health_check, sexual_function_check ...")]


@router.get("/due", summary="Every course that needs something, most urgent first")
def due_list(request: Request, response: Response, ports: PortsDep, paging: PagingDep,
             within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
             item: DueItemName = None,
             jurisdiction: Annotated[Jurisdiction | None, Query()] = None,
             attention: Annotated[bool, Query(
                 description="Only courses with an urgent or dispense-blocking finding")] = False,
             on: Annotated[dt.date | None, Query(description="Default: today.")] = None
             ) -> dict[str, Any]:
    clinic = ports.clinic
    page = due.due_list(
        due.DueFilter(within_days=within_days, item=item,
                      jurisdiction=jurisdiction.value if jurisdiction else None,
                      attention=attention),
        offset=paging.offset, limit=paging.per_page,
        follow_up_days=clinic.settings.follow_up_days, on=on, **ports.kw)
    return page_body(request, response, [due_entry(e) for e in page.entries], page.total,
                     paging, as_of=page.as_of.isoformat())


__all__ = ["router"]
