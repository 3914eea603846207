"""Cards as CDS Hooks 2.0 JSON.

Optional fields without a value are left out, never sent empty (CDS Hooks: "JSON elements
SHALL NOT be null or empty"). A card with suggestions has ``selectionBehavior``
``at-most-one``. A suggestion is one ``update`` action per draft order it changes, holding
the whole updated MedicationRequest. Every card about a course links to the course's page
in isocourse as a SMART launch (``type: smart``) whose ``appContext`` names the course.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from isocourse.adapters.fhir.codes import local_system, tables
from isocourse.services.cds.advice import Advice, IssuedCard
from isocourse.services.cds.cards import OrderChange, Suggestion

__all__ = ["OVERRIDE_REASON_SYSTEM", "TOPIC_SYSTEM", "advice_json", "updated_order"]

#: isocourse's own code systems for card topics (the card kinds) and override reasons.
TOPIC_SYSTEM = local_system("cds-card-kind")
OVERRIDE_REASON_SYSTEM = local_system("cds-override-reason")


def advice_json(advice: Advice, *, app_base: str,
                orders: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The service response: ``{"cards": [...]}``. ``orders``: the draft resources by
    order id (the suggestions update copies of them)."""
    return {"cards": [_card(item, advice.course_id, app_base, orders)
                      for item in advice.cards]}


def _card(item: IssuedCard, course_id: str | None, app_base: str,
          orders: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    card = item.card
    body: dict[str, Any] = {
        "uuid": item.uuid,
        "summary": card.summary,
        "indicator": card.indicator.value,
        "source": {"label": card.source,
                   "topic": {"system": TOPIC_SYSTEM, "code": card.kind.value,
                             "display": card.kind.heading}},
    }
    if card.detail:
        body["detail"] = card.detail
    suggestions = [s for s in (_suggestion(s, orders) for s in card.suggestions)
                   if s is not None]
    if suggestions:
        body["suggestions"] = suggestions
        body["selectionBehavior"] = "at-most-one"
    if card.reasons:
        body["overrideReasons"] = [{"system": OVERRIDE_REASON_SYSTEM, "code": r.code,
                                    "display": r.display} for r in card.reasons]
    if course_id is not None:
        context = {"course_id": course_id}
        if card.order_id is not None:
            context["order"] = card.order_id
        body["links"] = [{"label": "Open the course in isocourse",
                          "url": f"{app_base}/courses/{course_id}", "type": "smart",
                          "appContext": json.dumps(context, separators=(",", ":"))}]
    return body


def _suggestion(suggestion: Suggestion,
                orders: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    actions = []
    for change in suggestion.changes:
        resource = orders.get(change.order_id)
        if resource is None:
            return None
        actions.append({"type": "update", "description": _describe(change),
                        "resource": updated_order(resource, change)})
    return {"label": suggestion.label, "uuid": str(uuid.uuid4()),
            "isRecommended": suggestion.recommended, "actions": actions}


def _describe(change: OrderChange) -> str:
    parts = []
    if change.days_supply is not None:
        parts.append(f"expected supply duration {change.days_supply} days")
    if change.refills is not None:
        parts.append(f"{change.refills} repeats allowed")
    return f"Set the isotretinoin order's {' and '.join(parts)}"


def updated_order(resource: Mapping[str, Any], change: OrderChange) -> dict[str, Any]:
    """A copy of the draft with the change made. A dispensed ``quantity`` given for another
    supply length is scaled to the new one when that gives a whole number, else removed
    (the pharmacy system recomputes it) - never left contradicting the new duration."""
    updated = copy.deepcopy(dict(resource))
    supply = updated.get("dispenseRequest")
    supply = dict(supply) if isinstance(supply, dict) else {}
    if change.days_supply is not None:
        old = supply.get("expectedSupplyDuration")
        old_days = _whole_days(old)
        supply["expectedSupplyDuration"] = {
            "value": change.days_supply, "unit": "days",
            "system": tables().systems["ucum"], "code": "d"}
        quantity = supply.get("quantity")
        if isinstance(quantity, dict) and "value" in quantity:
            scaled = _scaled(quantity.get("value"), old_days, change.days_supply)
            if scaled is None:
                del supply["quantity"]
            else:
                supply["quantity"] = {**quantity, "value": scaled}
    if change.refills is not None:
        supply["numberOfRepeatsAllowed"] = change.refills
    updated["dispenseRequest"] = supply
    return updated


def _whole_days(duration: object) -> int | None:
    if not isinstance(duration, dict):
        return None
    value, code = duration.get("value"), duration.get("code") or duration.get("unit")
    if isinstance(value, int) and not isinstance(value, bool) and code in ("d", "day", "days"):
        return value
    return None


def _scaled(value: object, old_days: int | None, new_days: int) -> int | None:
    if old_days is None or old_days <= 0 or isinstance(value, bool) \
            or not isinstance(value, int | float):
        return None
    scaled = Fraction(str(value)) * new_days / old_days
    return int(scaled) if scaled.denominator == 1 else None
