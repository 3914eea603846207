"""The planner's rules: regimens, refusals, titration, alternating days, age, target, basis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from isocourse.domain.errors import DoseRefused, InvalidInput, PlanRefused, UnknownProduct
from isocourse.domain.units import WeightUnit
from tests.support.planning import plan


def codes(p) -> set[str]:  # type: ignore[no-untyped-def]
    return {w.code for w in p.warnings}


def test_weight_in_pounds_is_converted_exactly() -> None:
    p = plan("us-conventional", "132.27735731", "1.0", unit=WeightUnit.LB)
    assert p.weight_kg == Decimal("132.27735731") * Decimal("0.45359237")
    assert p.phases[0].dose.total_mg == 60


@pytest.mark.parametrize("weight", ["19.9", "250.1", "0", "-3", "400"])
def test_implausible_weights_are_refused(weight: str) -> None:
    with pytest.raises(InvalidInput, match="weight must be between 20 and 250 kg"):
        plan("us-conventional", weight, "1.0")


def test_weights_at_the_edges_are_accepted() -> None:
    assert plan("us-conventional", "20", "1.0").weight_kg == 20
    assert plan("us-conventional", "250", "1.0").weight_kg == 250


def test_an_unknown_product_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(UnknownProduct, match="us-conventional"):
        plan("accutane-xl", 60, "1.0")


@pytest.mark.parametrize("dose", ["0", "-0.5"])
def test_a_non_positive_dose_is_refused(dose: str) -> None:
    with pytest.raises(InvalidInput, match="must be positive"):
        plan("us-conventional", 60, dose)


def test_above_the_usual_range_needs_the_severe_indication() -> None:
    with pytest.raises(DoseRefused, match="--severe"):
        plan("us-conventional", 60, "1.5")
    assert plan("us-conventional", 60, "1.5", severe=True).regimen.value == "severe"


def test_the_usual_maximum_itself_needs_no_severe_indication() -> None:
    assert plan("us-conventional", 60, "1.0").regimen.value == "usual"
    with pytest.raises(DoseRefused):
        plan("us-absorica-ld", 60, "0.801")


def test_above_the_ceiling_is_refused_even_for_severe_disease() -> None:
    with pytest.raises(DoseRefused, match=r"label maximum of 1\.6"):
        plan("us-absorica-ld", 60, "1.61", severe=True)


def test_a_nearest_total_above_the_ceiling_is_replaced_by_one_within_it() -> None:
    # 2.0 × 58 = 116 mg: nearest conventional total is 120 (2.07 mg/kg), above the ceiling.
    p = plan("us-conventional", 58, "2.0", severe=True)
    assert p.phases[0].dose.total_mg == 110
    assert "rounded-down-to-ceiling" in codes(p)


def test_below_the_usual_minimum_is_allowed_and_warned_as_off_label_low_dose() -> None:
    p = plan("us-conventional", 80, "0.25")
    assert p.regimen.value == "low-dose"
    assert "off-label-low-dose" in codes(p)


def test_a_total_below_two_of_the_smallest_capsule_is_given_once_daily_with_a_warning() -> None:
    p = plan("us-conventional", 40, "0.25")  # 10 mg
    dose = p.phases[0].dose
    assert dose.total_mg == 10 and dose.once_daily
    assert dose.am == () and [(c.strength_mg, c.count) for c in dose.pm] == [(10, 1)]
    assert "once-daily" in codes(p)
    assert "does not recommend" in next(w.message for w in p.warnings if w.code == "once-daily")


def test_once_daily_message_reflects_a_label_that_allows_it() -> None:
    p = plan("uk-generic", 20, "0.25")  # 5 mg
    message = next(w.message for w in p.warnings if w.code == "once-daily")
    assert "allows once-daily" in message


def test_an_achievable_total_outside_the_usual_range_is_pointed_out() -> None:
    # 0.5 × 69 = 34.5 mg → 30 mg (tie-free nearest), 0.435 mg/kg: below the usual range.
    p = plan("us-conventional", 69, "0.5")
    assert p.phases[0].dose.total_mg == 30
    assert "achievable-dose-outside-usual-range" in codes(p)


def test_a_titration_as_long_as_the_course_is_refused() -> None:
    with pytest.raises(PlanRefused, match="titration"):
        plan("us-conventional", 60, "1.0", start_mg_per_kg="0.5", start_days=240)
    assert plan("us-conventional", 60, "1.0", start_mg_per_kg="0.5",
                start_days=239).days_to_target == 240


def test_a_titration_needs_both_its_dose_and_its_length() -> None:
    with pytest.raises(InvalidInput, match="both"):
        plan("us-conventional", 60, "1.0", start_days=28)
    with pytest.raises(InvalidInput, match="both"):
        plan("us-conventional", 60, "1.0", start_mg_per_kg="0.5")


def test_a_titration_must_not_start_above_the_maintenance_dose() -> None:
    with pytest.raises(PlanRefused, match="starting dose"):
        plan("us-conventional", 60, "0.5", start_mg_per_kg="1.0", start_days=28)


def test_a_titration_of_zero_days_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 1 day"):
        plan("us-conventional", 60, "1.0", start_mg_per_kg="0.5", start_days=0)


def test_an_alternating_pattern_is_offered_when_much_closer_and_can_be_chosen() -> None:
    single = plan("us-conventional", 72, "0.5")  # 36 mg → 40; 30/40 averages 35
    assert single.alternative is not None
    assert (single.alternative.low.total_mg, single.alternative.high.total_mg) == (30, 40)
    assert single.chosen_pattern == "single"
    assert "alternating-pattern-available" in codes(single)

    chosen = plan("us-conventional", 72, "0.5", alternate=True)
    phase = chosen.phases[0]
    assert chosen.chosen_pattern == "alternating"
    assert (phase.dose.total_mg, phase.alternate_dose.total_mg) == (30, 40)  # type: ignore[union-attr]
    assert phase.average_daily_mg == 35
    # 8640 mg at 30, 40, 30, 40 …: 123 cycles = 8610 mg; day 247 (30 mg) reaches 8640.
    assert chosen.days_to_target == chosen.alternative.days_to_target == 247  # type: ignore[union-attr]


def test_no_alternating_pattern_when_a_single_total_is_exact_or_close() -> None:
    assert plan("us-conventional", 60, "1.0").alternative is None
    assert plan("us-conventional", 205, "1.0").alternative is None  # 205 → 200: 2.4 % off
    with pytest.raises(PlanRefused, match="no alternating pattern"):
        plan("us-conventional", 60, "1.0", alternate=True)


def test_under_twelve_is_refused_and_twelve_to_seventeen_is_noted() -> None:
    with pytest.raises(DoseRefused, match="not indicated under 12"):
        plan("us-conventional", 40, "0.5", age_years=11)
    assert "under-18" in codes(plan("us-conventional", 40, "0.5", age_years=12))
    assert "under-18" in codes(plan("us-conventional", 40, "0.5", age_years=17))
    assert "under-18" not in codes(plan("us-conventional", 40, "0.5", age_years=18))


@pytest.mark.parametrize(("target", "warned"), [
    (99, True), (100, False), (150, False), (220, False), (250, False), (251, True)])
def test_targets_outside_100_to_250_are_warned(target: int, warned: bool) -> None:
    p = plan("us-conventional", 60, "1.0", target_mg_per_kg=target)
    assert ("target-outside-common-range" in codes(p)) is warned


def test_a_non_positive_target_is_refused() -> None:
    with pytest.raises(InvalidInput, match="target must be positive"):
        plan("us-conventional", 60, "1.0", target_mg_per_kg=0)


def test_the_equivalent_basis_is_ignored_with_a_warning_for_non_micronized_products() -> None:
    p = plan("us-conventional", 60, "1.0", basis="equivalent")
    assert p.basis.value == "raw"
    assert "basis-not-applicable" in codes(p)


def test_milestones_fall_on_the_days_the_running_total_reaches_each_quarter() -> None:
    p = plan("us-conventional", 60, "1.0")  # 60 mg/day, 7200 mg
    assert [(m.percent, m.day) for m in p.milestones] == [(25, 30), (50, 60), (75, 90),
                                                          (100, 120)]
    assert p.milestones[-1].date == p.end_date == dt.date(2026, 1, 5) + dt.timedelta(days=119)
