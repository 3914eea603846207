"""Planner invariants, checked with hypothesis over every catalog product."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from isocourse.domain.cumulative import CumulativeBasis, DoseSchedule, Segment, counted_mg
from isocourse.domain.dosing import table_for
from isocourse.domain.errors import DoseRefused
from tests.support.planning import CATALOG, plan

PRODUCTS = sorted(CATALOG.products)
weights = st.decimals(min_value=20, max_value=250, places=1)
doses = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("2.0"), places=3)


def _plan_or_none(product: str, weight: Decimal, mg_per_kg: Decimal, **kw: object):  # type: ignore[no-untyped-def]
    try:
        return plan(product, str(weight), str(mg_per_kg), severe=True, **kw)
    except DoseRefused:
        return None


@given(st.sampled_from(PRODUCTS), weights, doses)
def test_morning_plus_evening_is_the_daily_total_with_only_catalog_strengths(
    product: str, weight: Decimal, mg_per_kg: Decimal
) -> None:
    p = _plan_or_none(product, weight, mg_per_kg)
    assume(p is not None)
    assert p is not None
    strengths = set(CATALOG.get(product).strengths_mg)
    for phase in p.phases:
        dose = phase.dose
        assert dose.am_mg + dose.pm_mg == dose.total_mg
        assert {c.strength_mg for c in (*dose.am, *dose.pm)} <= strengths
        assert all(c.count > 0 for c in (*dose.am, *dose.pm))
        assert dose.pm_mg >= dose.am_mg  # any larger part in the evening


@given(st.sampled_from(PRODUCTS), weights, doses)
def test_the_daily_total_is_the_nearest_achievable_one_ties_going_lower(
    product: str, weight: Decimal, mg_per_kg: Decimal
) -> None:
    p = _plan_or_none(product, weight, mg_per_kg)
    assume(p is not None)
    assert p is not None
    assume(not p.warnings_codes_contain("rounded-down-to-ceiling"))
    chosen = p.phases[0].dose.total_mg
    target = mg_per_kg * p.weight_kg
    table = table_for(CATALOG.get(product))
    for total in range(1, int(target) * 2 + 50):
        if table.dose(total) is None or total == chosen:
            continue
        distance, chosen_distance = abs(total - target), abs(chosen - target)
        assert distance > chosen_distance or (distance == chosen_distance and chosen < total)


@given(st.sampled_from(PRODUCTS), st.integers(min_value=20, max_value=300))
def test_a_split_uses_the_fewest_capsules_of_any_equally_even_split(
    product: str, total: int
) -> None:
    table = table_for(CATALOG.get(product))
    dose = table.dose(total)
    assume(dose is not None and not dose.once_daily)
    assert dose is not None
    # Brute force: the fewest capsules for each half, over every split as even as this one.
    strengths = CATALOG.get(product).strengths_mg

    def fewest(amount: int) -> float:
        best = [0.0] + [math.inf] * amount
        for a in range(1, amount + 1):
            best[a] = min((best[a - s] + 1 for s in strengths if s <= a), default=math.inf)
        return best[amount]

    assert dose.capsules == fewest(dose.am_mg) + fewest(dose.pm_mg)
    for am in range(dose.am_mg + 1, total // 2 + 1):
        # No split closer to even can be given at all.
        assert fewest(am) == math.inf or fewest(total - am) == math.inf


@given(st.sampled_from(PRODUCTS), weights, doses,
       st.decimals(min_value=50, max_value=300, places=1))
def test_days_to_target_is_the_first_day_the_running_total_reaches_it(
    product: str, weight: Decimal, mg_per_kg: Decimal, target: Decimal
) -> None:
    p = _plan_or_none(product, weight, mg_per_kg, target_mg_per_kg=target)
    assume(p is not None)
    assert p is not None
    factor = p.product.equivalence_factor
    schedule = DoseSchedule(tuple(
        Segment((counted_mg(ph.dose.total_mg, p.basis, factor),), ph.days) for ph in p.phases))
    assert schedule.total_through(p.days_to_target) >= p.target_mg
    assert schedule.total_through(p.days_to_target - 1) < p.target_mg
    assert sum(ph.days for ph in p.phases) == p.days_to_target


@given(st.integers(min_value=1, max_value=12), st.sampled_from(["0.5", "1.0", "1.5", "2.0"]),
       st.integers(min_value=50, max_value=300))
def test_at_exactly_d_mg_per_kg_days_to_c_is_c_over_d_whatever_the_weight(
    twenties: int, d: str, c: int
) -> None:
    weight = 20 * twenties  # 20-240 kg: D × weight is a whole multiple of 10 mg
    p = plan("us-conventional", weight, d, severe=True, target_mg_per_kg=c)
    assert p.phases[0].dose.total_mg == Decimal(d) * weight
    assert p.days_to_target == math.ceil(Decimal(c) / Decimal(d))


@given(st.sampled_from(PRODUCTS), weights, doses)
def test_plans_are_reproducible_from_the_same_inputs(
    product: str, weight: Decimal, mg_per_kg: Decimal
) -> None:
    assert _plan_or_none(product, weight, mg_per_kg) == _plan_or_none(product, weight, mg_per_kg)


@given(weights, doses)
def test_the_equivalent_basis_never_lengthens_a_micronized_course(
    weight: Decimal, mg_per_kg: Decimal
) -> None:
    raw = _plan_or_none("us-absorica-ld", weight, mg_per_kg, basis=CumulativeBasis.RAW)
    eq = _plan_or_none("us-absorica-ld", weight, mg_per_kg, basis=CumulativeBasis.EQUIVALENT)
    assume(raw is not None and eq is not None)
    assert raw is not None and eq is not None
    assert eq.days_to_target <= raw.days_to_target
