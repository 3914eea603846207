"""The course plan (:class:`~isocourse.domain.planner.Plan`) as a CarePlan: export only.

A plan is derived (the planner computes it from the product, weight and chosen dose), so
it is written for other systems to read and never imported: an import skips CarePlans and
a clinic recomputes the plan.

- ``period`` = start and planned end date; ``addresses`` = the acne Condition;
- one ``activity`` per phase: a scheduled isotretinoin MedicationRequest activity over the
  phase's dates, with ``dailyAmount`` (mg) for a single daily total (an alternating phase
  says its two totals in ``description`` only);
- ``goal`` = a contained Goal whose targets are the cumulative dose in mg (due on the end
  date) and in mg/kg, on the plan's counting basis (raw or conventional-equivalent mg);
- extension ``product`` = the catalog product id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from isocourse.adapters.fhir.mapping.common import Links, extension, quantity
from isocourse.adapters.fhir.mapping.medication import isotretinoin
from isocourse.domain.planner import Phase, Plan
from isocourse.domain.units import to_json_number

__all__ = ["careplan_resource"]

_GOAL = "cumulative-target"


def careplan_resource(plan: Plan, links: Links) -> dict[str, Any]:
    target_mg = to_json_number(plan.target_mg, places=1)
    per_kg = to_json_number(plan.target_mg_per_kg)
    goal = {
        "resourceType": "Goal",
        "id": _GOAL,
        "lifecycleStatus": "active",
        "description": {
            "text": f"cumulative isotretinoin dose of {per_kg} mg/kg "
            f"({target_mg} mg, {plan.basis.value} mg)"
        },
        "subject": {"reference": links.patient},
        "target": [
            {"detailQuantity": quantity(target_mg, "mg"), "dueDate": plan.end_date.isoformat()},
            {"detailQuantity": quantity(per_kg, "mg/kg")},
        ],
    }
    return {
        "resourceType": "CarePlan",
        "contained": [goal],
        "extension": [extension("product", "valueString", plan.product.id)],
        "status": "active",
        "intent": "plan",
        "title": "Isotretinoin course plan",
        "subject": {"reference": links.patient},
        "period": {"start": plan.start_date.isoformat(), "end": plan.end_date.isoformat()},
        "addresses": [{"reference": links.acne}],
        "goal": [{"reference": f"#{_GOAL}"}],
        "activity": [{"detail": _activity(phase, plan.start_date)} for phase in plan.phases],
    }


def _activity(phase: Phase, start: dt.date) -> dict[str, Any]:
    first = start + dt.timedelta(days=phase.start_day - 1)
    detail: dict[str, Any] = {
        "kind": "MedicationRequest",
        "status": "scheduled",
        "scheduledPeriod": {
            "start": first.isoformat(),
            "end": (first + dt.timedelta(days=phase.days - 1)).isoformat(),
        },
        "productCodeableConcept": isotretinoin(),
    }
    if phase.alternate_dose is None:
        detail["dailyAmount"] = quantity(phase.dose.total_mg, "mg")
        detail["description"] = f"{phase.dose.total_mg} mg a day"
    else:
        detail["description"] = (
            f"{phase.dose.total_mg} mg and {phase.alternate_dose.total_mg} mg on alternate days"
        )
    return detail
