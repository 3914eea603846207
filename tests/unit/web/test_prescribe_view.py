"""What the prescription page works out on its own: the planned dose for the next supply,
the capsules in words, the cumulative dose with the new supply, the values it signs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from isocourse.adapters.web.pages.prescribe import (
    RxValues,
    capsule_words,
    planned_daily_mg,
    projection,
    shown,
)
from isocourse.catalog import load_catalog
from isocourse.domain.dosing import table_for
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import PlanRequest, plan_course
from isocourse.rules.model import Assessment, Cumulative

CATALOG = load_catalog()
DAY = dt.date(2026, 11, 21)


def _plan() -> dict[str, Any]:
    plan = plan_course(PlanRequest(product_id="us-conventional", weight=Decimal(60),
                                   mg_per_kg=Decimal("1.0"), start_date=DAY,
                                   start_mg_per_kg=Decimal("0.5"), start_days=28), CATALOG)
    return plan_to_json(plan)


def test_the_planned_dose_is_the_phase_of_the_first_day_not_yet_supplied() -> None:
    plan = _plan()
    first, second = plan["phases"]
    assert planned_daily_mg(plan, 0) == first["daily_mg"]
    assert planned_daily_mg(plan, first["days"] - 1) == first["daily_mg"]
    assert planned_daily_mg(plan, first["days"]) == second["daily_mg"]
    assert planned_daily_mg(plan, 10_000) == second["daily_mg"]
    assert first["daily_mg"] != second["daily_mg"]


def test_without_a_stored_plan_there_is_no_planned_dose() -> None:
    assert planned_daily_mg(None, 0) is None
    assert planned_daily_mg({"phases": []}, 30) is None


def test_capsules_are_named_by_time_of_day_and_an_empty_time_is_left_out() -> None:
    table = table_for(CATALOG.get("us-conventional"))
    twice = table.dose(60)
    once = table.dose(10)
    assert twice is not None and once is not None
    words = dict(capsule_words(twice))
    assert set(words) == {"Morning", "Evening"}
    assert all("mg" in w for w in words.values())
    assert len(capsule_words(once)) == 1


def _assessment(mg: Decimal, per_kg: Decimal, basis: str) -> Assessment:
    return Assessment(as_of=DAY, jurisdiction="us-ipledge", rule_set="x", rule_sets=("x",),
                      dispense_allowed=True, window=None,
                      cumulative=Cumulative(mg=mg, mg_per_kg=per_kg, basis=basis),
                      findings=(), due=())


@given(daily=st.integers(1, 200), days=st.integers(1, 90), refills=st.integers(0, 3),
       weight=st.integers(40, 150))
def test_the_projection_adds_the_whole_supply_at_the_latest_weight(
        daily: int, days: int, refills: int, weight: int) -> None:
    rx = RxValues(daily, days, refills, "us-conventional", DAY, None)
    result = projection(_assessment(Decimal(900), Decimal(15), "raw"), rx, Decimal(weight),
                        CATALOG.get("us-conventional"), Decimal(120))
    supply = daily * days * (1 + refills)
    assert result["supply_mg"] == supply
    assert result["after"] * weight == 15 * weight + supply
    assert result["percent"] == result["after"] / 120 * 100
    assert shown(result["after"]) == round(Decimal(15) + Decimal(supply) / weight, 1)


def test_a_micronized_supply_counts_as_conventional_equivalent_mg() -> None:
    product = CATALOG.get("us-absorica-ld")
    rx = RxValues(32, 30, 0, product.id, DAY, None)
    result = projection(_assessment(Decimal(0), Decimal(0), "equivalent"), rx, Decimal(60),
                        product, None)
    assert result["equivalent"] and result["percent"] is None
    assert result["added"] == Fraction(32 * 30) / Fraction(product.equivalence_factor) / 60


def test_the_fingerprint_changes_with_every_value_the_prescription_carries() -> None:
    base = RxValues(40, 30, 0, "us-conventional", DAY, None)
    changed = [RxValues(50, 30, 0, "us-conventional", DAY, None),
               RxValues(40, 29, 0, "us-conventional", DAY, None),
               RxValues(40, 30, 1, "us-conventional", DAY, None),
               RxValues(40, 30, 0, "us-absorica", DAY, None),
               RxValues(40, 30, 0, "us-conventional", DAY - dt.timedelta(days=1), None),
               RxValues(40, 30, 0, "us-conventional", DAY, "a note")]
    assert len({base.fingerprint(), *(c.fingerprint() for c in changed)}) == 7
    assert base.fingerprint() == RxValues(40, 30, 0, "us-conventional", DAY, "").fingerprint()
