"""Cards as CDS Hooks JSON (adapters/fhir/cds/render.py): the specification's card shape,
no empty optional fields, suggestions that update the draft, the SMART link."""

from __future__ import annotations

import json
from typing import Any

from isocourse.adapters.fhir.cds.render import (
    OVERRIDE_REASON_SYSTEM,
    TOPIC_SYSTEM,
    advice_json,
    updated_order,
)
from isocourse.services.cds.advice import Advice, IssuedCard
from isocourse.services.cds.cards import Card, CardKind, Indicator, OrderChange, Suggestion

ORDER = "MedicationRequest/mr-1"
DRAFT: dict[str, Any] = {
    "resourceType": "MedicationRequest", "id": "mr-1", "status": "draft",
    "dispenseRequest": {"numberOfRepeatsAllowed": 2,
                        "quantity": {"value": 180, "unit": "capsule"},
                        "expectedSupplyDuration": {"value": 90, "unit": "days", "code": "d"}}}

CARD_FIELDS = {"uuid", "summary", "detail", "indicator", "source", "suggestions",
               "selectionBehavior", "overrideReasons", "links"}


def limits_card() -> Card:
    return Card(kind=CardKind.ORDER_LIMITS, indicator=Indicator.WARNING,
                summary="Too long", detail="- why", source="isocourse · us-ipledge@x",
                rule_ids=("us-ipledge.prescription-limits",), order_id=ORDER,
                suggestions=(Suggestion("Change to 30 days' supply and no refills",
                                        (OrderChange(ORDER, 30, 0),)),))


def render(card: Card, course_id: str | None = "c-1") -> dict[str, Any]:
    body = advice_json(Advice(course_id, (IssuedCard("u-1", card),)),
                       app_base="https://iso.example.org", orders={ORDER: DRAFT})
    (rendered,) = body["cards"]
    return rendered


def test_a_card_has_the_specifications_fields_and_no_empty_ones() -> None:
    card = render(limits_card())
    assert set(card) <= CARD_FIELDS
    assert {"uuid", "summary", "indicator", "source"} <= set(card)
    assert all(value not in (None, "", [], {}) for value in card.values())
    assert card["source"] == {"label": "isocourse · us-ipledge@x",
                              "topic": {"system": TOPIC_SYSTEM, "code": "order-limits",
                                        "display": CardKind.ORDER_LIMITS.heading}}


def test_suggestions_come_with_their_selection_behaviour_and_update_the_draft() -> None:
    card = render(limits_card())
    assert card["selectionBehavior"] == "at-most-one"
    (suggestion,) = card["suggestions"]
    assert suggestion["isRecommended"] is True and suggestion["uuid"]
    (action,) = suggestion["actions"]
    assert action["type"] == "update" and action["description"]
    supply = action["resource"]["dispenseRequest"]
    assert supply["expectedSupplyDuration"] == {"value": 30, "unit": "days",
                                                "system": "http://unitsofmeasure.org",
                                                "code": "d"}
    assert supply["numberOfRepeatsAllowed"] == 0
    assert supply["quantity"] == {"value": 60, "unit": "capsule"}  # 180 for 90 days
    assert action["resource"]["id"] == "mr-1"
    assert DRAFT["dispenseRequest"]["numberOfRepeatsAllowed"] == 2  # the draft is untouched


def test_a_quantity_that_does_not_scale_to_whole_units_is_dropped() -> None:
    draft = {**DRAFT, "dispenseRequest": {**DRAFT["dispenseRequest"],
                                          "quantity": {"value": 100, "unit": "capsule"}}}
    updated = updated_order(draft, OrderChange(ORDER, days_supply=30))
    assert "quantity" not in updated["dispenseRequest"]
    assert updated["dispenseRequest"]["numberOfRepeatsAllowed"] == 2  # refills left alone


def test_override_reasons_are_codings_with_a_display() -> None:
    reasons = render(limits_card())["overrideReasons"]
    assert reasons and all(set(r) == {"system", "code", "display"} and r["display"]
                           and r["system"] == OVERRIDE_REASON_SYSTEM for r in reasons)


def test_a_card_links_to_the_course_page_as_a_smart_launch() -> None:
    (link,) = render(limits_card())["links"]
    assert link["type"] == "smart"
    assert link["url"] == "https://iso.example.org/courses/c-1"
    assert json.loads(link["appContext"]) == {"course_id": "c-1", "order": ORDER}


def test_a_card_without_a_course_or_suggestions_leaves_them_out() -> None:
    card = Card(kind=CardKind.NO_COURSE, indicator=Indicator.WARNING, summary="No course",
                detail="", source="isocourse")
    rendered = render(card, course_id=None)
    assert {"links", "suggestions", "selectionBehavior", "detail"}.isdisjoint(rendered)


def test_the_status_card_offers_no_override_reasons() -> None:
    card = Card(kind=CardKind.COURSE_STATUS, indicator=Indicator.INFO, summary="Status",
                detail="d", source="isocourse")
    assert "overrideReasons" not in render(card)
