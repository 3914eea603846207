"""The course's cumulative target and planned end, read from its plan.

A page has the plan either as the planner's :class:`~isocourse.domain.planner.Plan` or as
the plan JSON the server stores with the course (``CourseHeader.plan``, the contract of
docs/reference/plan-json.md); a course imported without a plan has none. The target is the
plan's ``target_mg_per_kg`` on the plan's counting basis; without a (readable) plan it is the
planner's default target (:data:`~isocourse.domain.planner.DEFAULT_TARGET_MG_PER_KG`) on the
product's default basis, and the chart says so. No number is written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.errors import InvalidInput
from isocourse.domain.planner import DEFAULT_TARGET_MG_PER_KG, Plan, default_basis
from isocourse.domain.products import Product
from isocourse.domain.units import parse_decimal

__all__ = ["Goal", "PlanInput", "goal_of"]

PlanInput = Plan | Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class Goal:
    target_mg_per_kg: Decimal
    basis: CumulativeBasis
    from_plan: bool
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    @property
    def source(self) -> str:
        return "the course plan" if self.from_plan else "the planner's default; no plan stored"


def goal_of(plan: PlanInput, product: Product | None) -> Goal:
    """The goal of ``plan`` (a Plan, the stored plan JSON, or None)."""
    if isinstance(plan, Plan):
        return Goal(plan.target_mg_per_kg, plan.basis, True, plan.start_date, plan.end_date)
    if plan is not None:
        stored = _from_json(plan)
        if stored is not None:
            return stored
    basis = default_basis(product) if product is not None else CumulativeBasis.RAW
    return Goal(DEFAULT_TARGET_MG_PER_KG, basis, False)


def _from_json(plan: Mapping[str, Any]) -> Goal | None:
    """The goal in a stored plan document, or None when it lacks a readable target."""
    try:
        target = parse_decimal(plan["target_mg_per_kg"], field="target_mg_per_kg")
        basis = CumulativeBasis(plan.get("cumulative_basis", CumulativeBasis.RAW.value))
        start, end = _date(plan.get("start_date")), _date(plan.get("end_date"))
    except (KeyError, TypeError, ValueError, InvalidInput):
        return None
    if target <= 0:
        return None
    if start is None or end is None or end < start:
        start = end = None
    return Goal(target, basis, True, start, end)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None
