"""Cards about one draft isotretinoin order (order-select, order-sign).

The order is written, as a prescription dated on the hook's date, into a copy of the
course record, and the engine assesses the copy - the way a prescription preview does -
so the days' supply and refill limits, the pregnancy-test window and every other condition
of dispensing are the rule packs' own verdicts. The dose, family and cumulative cards read
the product catalog and the course's plan. No number in a card is written here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from isocourse.domain.cumulative import counted_mg
from isocourse.domain.errors import RecordError
from isocourse.domain.products import Product
from isocourse.domain.record import parse_record
from isocourse.domain.record.ordering import Head, order_events
from isocourse.rules.engine import assess
from isocourse.rules.facts import Phase
from isocourse.rules.model import Assessment, Finding, RuleSpec
from isocourse.services.cds.cards import Card, CardKind, Indicator, OrderChange, Suggestion, fit
from isocourse.services.cds.course_cards import findings_list
from isocourse.services.cds.hooks import DraftOrder
from isocourse.services.cds.view import (
    LIMITS_KIND,
    POSITIVE_TEST_KIND,
    TEST_KINDS,
    WINDOW_KINDS,
    CourseView,
    one_decimal,
)
from isocourse.services.course_store import record_document
from isocourse.services.ports import Rulebook
from isocourse.services.stored import StoredEvent

__all__ = ["order_cards"]

#: The course-record format's bounds on a prescription (course.schema.json): a draft
#: outside them is checked against the rule's parameters directly instead of by the engine.
_MAX_DAILY_MG, _MAX_DAYS, _MAX_REFILLS = 1000, 366, 12


@dataclass(frozen=True, slots=True)
class _Order:
    draft: DraftOrder
    product: Product | None      # the order's own product, if it names one
    family: str | None
    after: Assessment | None     # the course assessed with the order in it

    @property
    def id(self) -> str:
        return self.draft.order_id


def order_cards(view: CourseView, draft: DraftOrder, rules: Rulebook, *,
                signing: bool = True) -> list[Card]:
    """The cards of one draft order. ``signing``: the order is complete (order-sign), so a
    days' supply not given is a fault; at order-select it may simply not be filled in yet."""
    product = rules.catalog.products.get(draft.product) if draft.product else None
    family = product.family.value if product is not None else draft.family
    order = _Order(draft, product, family, _assess_with(view, draft, product, rules))
    cards = [_limits(view, order, signing), *_blocked(view, order), _dose_range(view, order),
             _family_change(view, order), _projection(view, order)]
    return [c for c in cards if c is not None]


def _assess_with(view: CourseView, draft: DraftOrder, product: Product | None,
                 rules: Rulebook) -> Assessment | None:
    """The engine's verdict on the course with this order in it, or None when the order
    cannot be written as a prescription (its dose or supply is unreadable, or outside what a
    course record holds)."""
    if draft.daily_mg is None or draft.days_supply is None:
        return None
    if not (0 < draft.daily_mg <= _MAX_DAILY_MG and 0 < draft.days_supply <= _MAX_DAYS
            and 0 <= draft.refills <= _MAX_REFILLS):
        return None
    body: dict[str, Any] = {"type": "prescription", "date": view.on.isoformat(),
                            "daily_mg": draft.daily_mg, "days_supply": draft.days_supply,
                            "refills": draft.refills}
    if product is not None:
        body["product"] = product.id
    course = view.course
    draft_event = StoredEvent(
        course_id=course.header.id, seq=max((e.seq for e in course.events), default=-1) + 1,
        type="prescription", date=view.on, body=body,
        recorded_at=dt.datetime.combine(view.on, dt.time(), tzinfo=dt.UTC),
        recorded_by="cds-draft")
    recorded = sorted(course.events, key=lambda e: e.seq)
    ordered = order_events([*recorded, draft_event],
                           lambda e: Head(e.date, e.event_id, e.supersedes))
    try:
        record = parse_record(record_document(course.patient, course.header, ordered),
                              known_products=rules.catalog.products)
    except RecordError:
        return None
    return assess(record, on=view.on, library=rules.library, catalog=rules.catalog)


def _limit_specs(view: CourseView) -> list[RuleSpec]:
    can = view.course.record.patient.can_get_pregnant
    return [s for s in view.specs.values()
            if s.kind == LIMITS_KIND and s.applies_to.applies(can)]


def _limits(view: CourseView, order: _Order, signing: bool) -> Card | None:
    """Days' supply and refills above the programme's limits: the dispense would be
    refused, so a warning, with a suggestion that sets them to the limits."""
    draft = order.draft
    missing = draft.days_supply is None and signing
    if order.after is not None:
        found = [f for f in view.blocking(order.after) if view.kind(f) == LIMITS_KIND]
        specs = [view.specs[f.rule_id] for f in found]
    else:  # the engine could not take the order: the same rule, its parameters directly
        if view.facts().phase is Phase.AFTER:
            return None
        specs = [s for s in _limit_specs(view)
                 if missing or (draft.days_supply or 0) > s.days("max_days_supply")
                 or draft.refills > s.days("max_refills")]
        found = []
    if not specs:
        return None
    spec = specs[0]
    max_days, max_refills = spec.days("max_days_supply"), spec.days("max_refills")
    too_long = missing or (draft.days_supply or 0) > max_days
    too_many = draft.refills > max_refills
    allowed = f"at most {max_days} days' supply and {_refills(max_refills)}"
    given = ("no days' supply" if draft.days_supply is None
             else f"{draft.days_supply} days' supply")
    summary = fit(f"Isotretinoin order for {given} with {_refills(draft.refills)}: "
                  f"{allowed} can be dispensed")
    change = OrderChange(draft.order_id, days_supply=max_days if too_long else None,
                         refills=max_refills if too_many else None)
    fixes = [f"{max_days} days' supply"] if too_long else []
    if too_many:
        fixes.append(_refills(max_refills))
    detail = (findings_list(found) if found else
              f"- {spec.title} (rule `{spec.id}`; {spec.citation})")
    detail += (f"\n\nThe suggestion sets the draft's `dispenseRequest` to {' and '.join(fixes)}"
               " (a quantity given for the longer supply is scaled to match, or dropped "
               "when it does not divide evenly).")
    return Card(kind=CardKind.ORDER_LIMITS, indicator=Indicator.WARNING, summary=summary,
                detail=detail, source=view.source, rule_ids=(spec.id,),
                suggestions=(Suggestion(f"Change to {' and '.join(fixes)}", (change,)),),
                order_id=draft.order_id)


def _refills(count: int) -> str:
    return "no refills" if count == 0 else f"{count} refill{'s' if count > 1 else ''}"


def _blocked(view: CourseView, order: _Order) -> list[Card]:
    """What else would stop the pharmacy dispensing this order today: no negative test
    that opens a window (one card), anything else (another)."""
    found = [f for f in view.blocking(order.after)
             if view.kind(f) not in (LIMITS_KIND, POSITIVE_TEST_KIND)]
    tests = [f for f in found if view.kind(f) in WINDOW_KINDS | TEST_KINDS]
    others = [f for f in found if f not in tests]
    cards = []
    if tests:
        due = next((d for d in (order.after or view.assessment).due
                    if d.item == "pregnancy_test" and d.rule_id in {f.rule_id for f in tests}),
                   None)
        when = f"; one is due from {due.due_date.isoformat()}" if due is not None else ""
        cards.append(Card(
            kind=CardKind.NO_VALID_TEST, indicator=Indicator.WARNING,
            summary=fit("No negative pregnancy test opens a pick-up window: this order "
                        f"cannot be dispensed yet{when}"),
            detail=findings_list(tests), source=view.source, rule_ids=_ids(tests),
            order_id=order.id))
    if others:
        first = others[0].message
        more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
        cards.append(Card(
            kind=CardKind.DISPENSE_BLOCKED, indicator=Indicator.WARNING,
            summary=fit(f"Not dispensable yet: {first}", more), detail=findings_list(others),
            source=view.source, rule_ids=_ids(others), order_id=order.id))
    return cards


def _ids(findings: list[Finding]) -> tuple[str, ...]:
    return tuple(sorted({f.rule_id for f in findings}))


def _catalog_product(view: CourseView, order: _Order) -> Product | None:
    """The product whose label applies: the order's own, else the course's (unless the
    order names another family)."""
    if order.product is not None:
        return order.product
    course = view.product
    if course is None or (order.family is not None and order.family != course.family.value):
        return None
    return course


def _dose_range(view: CourseView, order: _Order) -> Card | None:
    """A daily dose outside the product's usual mg/kg/day range (info). A dose the plan
    itself uses is not flagged again: the planner warned when it was chosen."""
    daily = order.draft.daily_mg
    product = _catalog_product(view, order)
    if daily is None or product is None or daily in view.planned_daily_mg():
        return None
    weight = view.facts().weight_kg
    per_kg = Fraction(daily) / Fraction(weight)
    low, high, ceiling = (product.usual_min_mg_per_kg, product.usual_max_mg_per_kg,
                          product.ceiling_mg_per_kg)
    shown = f"{daily} mg/day is {one_decimal(per_kg)} mg/kg/day"
    if per_kg > ceiling:
        summary = f"{shown}, above the label maximum of {ceiling} mg/kg/day"
    elif per_kg > high:
        summary = (f"{shown}, above the usual {low}-{high}; the label allows up to {ceiling} "
                   "for severe disease")
    elif per_kg < low:
        summary = f"{shown}, below the usual {low}-{high} mg/kg/day (an off-label low dose)"
    else:
        return None
    usual, top = product.provenance["usual_mg_per_kg"], product.provenance["ceiling_mg_per_kg"]
    detail = (f"At {weight} kg (the latest weight on record), {shown}. {product.name}: "
              f"usual {low}-{high} mg/kg/day ({usual.text}; {usual.status.value}), label "
              f"maximum {ceiling} mg/kg/day ({top.text}; {top.status.value}). The course's "
              "plan does not use this daily dose.")
    return Card(kind=CardKind.DOSE_RANGE, indicator=Indicator.INFO, summary=fit(summary),
                detail=detail, source=f"isocourse product catalog · {product.id}",
                order_id=order.id)


def _family_change(view: CourseView, order: _Order) -> Card | None:
    course = view.product
    if course is None or order.family is None or order.family == course.family.value:
        return None
    summary = (f"This order is {order.family} isotretinoin but the course uses "
               f"{course.family.value}: not interchangeable mg for mg")
    detail = (f"The course was planned for {course.name} ({course.family.value}); its "
              "capsule counts, dose range and cumulative counting basis are for that "
              "family. Formulation families are never mixed in one plan and are not "
              "substitutable mg for mg (isocourse product catalog); a change of "
              "formulation needs a new plan.")
    return Card(kind=CardKind.FAMILY_CHANGE, indicator=Indicator.INFO, summary=fit(summary),
                detail=detail, source="isocourse product catalog", order_id=order.id)


def _projection(view: CourseView, order: _Order) -> Card | None:
    """The plan's cumulative target reached by the end of this supply (info)."""
    target = view.target_mg_per_kg()
    daily, days = order.draft.daily_mg, order.draft.days_supply
    if target is None or daily is None or days is None or daily <= 0 or days <= 0:
        return None
    facts = view.facts()
    ledger = facts.ledger
    through = max([view.on, *(p.last_day for p in ledger.periods)])
    committed = ledger.totals(through).mg_per_kg
    product = _catalog_product(view, order) or view.product
    factor = product.equivalence_factor if product is not None else Decimal(1)
    weight = Fraction(facts.weight_kg)
    per_day = Fraction(counted_mg(daily, view.basis, factor)) / weight
    projected = committed + per_day * days
    if projected < target:
        return None
    if committed >= target:
        summary = (f"The plan's {target} mg/kg target is already reached "
                   f"({one_decimal(committed)} mg/kg given or dispensed)")
        reached = "before this supply starts"
    else:
        day = math.ceil((Fraction(target) - committed) / per_day)
        summary = (f"This supply takes the cumulative dose to {one_decimal(projected)} mg/kg, "
                   f"past the plan's {target} mg/kg target")
        reached = f"on about day {day} of this {days}-day supply"
    detail = (f"Given or already dispensed: {one_decimal(committed)} mg/kg; this order adds "
              f"{one_decimal(per_day * days)} mg/kg at {facts.weight_kg} kg "
              f"({daily} mg a day for {days} days, counted as "
              f"{'conventional-equivalent' if view.basis.value == 'equivalent' else 'raw'} "
              f"mg). The plan's target of {target} mg/kg is reached {reached}. Figures "
              "assume every dispensed dose is taken.")
    return Card(kind=CardKind.CUMULATIVE_PROJECTION, indicator=Indicator.INFO,
                summary=fit(summary), detail=detail, source="isocourse course plan",
                order_id=order.id)
