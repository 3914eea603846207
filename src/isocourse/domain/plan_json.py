"""A plan as the JSON document of shared/spec/plan-cli.md (a contract: keep its fields).

Fields beyond the contract's minimum: ``family``, ``food``, ``regimen``,
``target_raw_mg`` (raw mg to give; differs from ``target_mg`` on the equivalent basis),
``milestones``, ``chosen_pattern``, ``alternative`` and, on an alternating phase,
``alternate_day`` and ``average_daily_mg``. On an alternating phase ``daily_mg``/``am``/``pm``
describe the odd days (the lower total) and ``alternate_day`` the even days.
"""

from __future__ import annotations

from typing import Any

from isocourse.domain.capsules import CapsuleCount, DailyDose
from isocourse.domain.planner import Phase, Plan
from isocourse.domain.units import to_json_float, to_json_number

__all__ = ["plan_to_json"]


def _capsules(counts: tuple[CapsuleCount, ...]) -> list[dict[str, int]]:
    return [{"strength_mg": c.strength_mg, "count": c.count} for c in counts]


def _dose(dose: DailyDose) -> dict[str, Any]:
    return {"daily_mg": dose.total_mg, "am": _capsules(dose.am), "pm": _capsules(dose.pm)}


def _phase(phase: Phase) -> dict[str, Any]:
    body: dict[str, Any] = {
        "start_day": phase.start_day,
        "days": phase.days,
        "daily_mg": phase.dose.total_mg,
        "mg_per_kg": to_json_float(phase.mg_per_kg),
        "am": _capsules(phase.dose.am),
        "pm": _capsules(phase.dose.pm),
    }
    if phase.alternate_dose is not None:
        body["alternate_day"] = _dose(phase.alternate_dose)
        body["average_daily_mg"] = to_json_number(phase.average_daily_mg)
    return body


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready primitives, in the contract's field order."""
    alternative = None
    if plan.alternative is not None:
        alt = plan.alternative
        alternative = {
            "pattern": "alternating",
            "days": [_dose(alt.low), _dose(alt.high)],
            "average_mg_per_kg": to_json_float(alt.average_mg_per_kg),
            "days_to_target": alt.days_to_target,
            "end_date": alt.end_date.isoformat(),
        }
    return {
        "product": plan.product.id,
        "family": plan.product.family.value,
        "food": plan.product.food.value,
        "weight_kg": to_json_float(plan.weight_kg),
        "regimen": plan.regimen.value,
        "phases": [_phase(p) for p in plan.phases],
        "target_mg_per_kg": to_json_number(plan.target_mg_per_kg),
        "target_mg": to_json_number(plan.target_mg, places=1),
        "target_raw_mg": to_json_number(plan.raw_target_mg, places=1),
        "cumulative_basis": plan.basis.value,
        "days_to_target": plan.days_to_target,
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat(),
        "milestones": [
            {"percent": m.percent, "day": m.day, "date": m.date.isoformat()}
            for m in plan.milestones
        ],
        "chosen_pattern": plan.chosen_pattern,
        "alternative": alternative,
        "warnings": [{"code": w.code, "message": w.message} for w in plan.warnings],
    }
