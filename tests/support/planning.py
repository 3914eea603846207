"""Helpers for planner tests: the packaged catalog and a compact way to ask for a plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from isocourse.catalog import load_catalog
from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.planner import Plan, PlanRequest, plan_course

CATALOG = load_catalog()
START = dt.date(2026, 1, 5)


def plan(product: str, weight: str | int, mg_per_kg: str, **options: Any) -> Plan:
    for key in ("start_mg_per_kg", "target_mg_per_kg"):
        if key in options:
            options[key] = Decimal(str(options[key]))
    if "basis" in options:
        options["basis"] = CumulativeBasis(options["basis"])
    return plan_course(
        PlanRequest(product_id=product, weight=Decimal(str(weight)),
                    mg_per_kg=Decimal(mg_per_kg), start_date=options.pop("start_date", START),
                    **options),
        CATALOG,
    )


def capsules(counts: Any) -> list[tuple[int, int]]:
    return [(c.strength_mg, c.count) for c in counts]
