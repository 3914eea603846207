"""The worked examples of clinical.md §10 and the label dosing tables, as test vectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from isocourse.domain.errors import DoseRefused
from tests.support.planning import capsules, plan


class TestExample1SixtyKgConventional:
    def test_half_mg_per_kg_is_thirty_mg_split_ten_and_twenty(self) -> None:
        p = plan("us-conventional", 60, "0.5")
        dose = p.phases[0].dose
        assert dose.total_mg == 30
        assert capsules(dose.am) == [(10, 1)]
        assert capsules(dose.pm) == [(20, 1)]

    def test_one_mg_per_kg_is_sixty_mg_as_thirty_and_thirty(self) -> None:
        dose = plan("us-conventional", 60, "1.0").phases[0].dose
        assert (dose.total_mg, capsules(dose.am), capsules(dose.pm)) == (60, [(30, 1)], [(30, 1)])

    @pytest.mark.parametrize(
        ("mg_per_kg", "target", "days"),
        [("0.5", 120, 240), ("0.5", 150, 300), ("1.0", 120, 120), ("1.0", 150, 150)],
    )
    def test_days_to_target_at_a_constant_dose(self, mg_per_kg: str, target: int,
                                               days: int) -> None:
        p = plan("us-conventional", 60, mg_per_kg, target_mg_per_kg=target)
        assert p.target_mg == 60 * target
        assert p.days_to_target == days

    @pytest.mark.parametrize(("target", "days"), [(120, 134), (150, 164)])
    def test_stepped_regimen_reaches_target_after_the_titration(self, target: int,
                                                                days: int) -> None:
        p = plan("us-conventional", 60, "1.0", start_mg_per_kg="0.5", start_days=28,
                 target_mg_per_kg=target)
        assert p.days_to_target == days
        first, second = p.phases
        assert (first.start_day, first.days, first.dose.total_mg) == (1, 28, 30)
        assert (second.start_day, second.days, second.dose.total_mg) == (29, days - 28, 60)

    def test_end_date_matches_the_spec_example(self) -> None:
        p = plan("us-conventional", 60, "1.0", start_mg_per_kg="0.5", start_days=28)
        assert p.start_date == dt.date(2026, 1, 5)
        assert p.end_date == dt.date(2026, 5, 18)


class TestExample2CatalogMatters:
    def test_conventional_rounds_36_mg_up_to_40(self) -> None:
        p = plan("us-conventional", 72, "0.5")
        dose = p.phases[0].dose
        assert dose.total_mg == 40
        assert capsules(dose.am) == [(20, 1)] and capsules(dose.pm) == [(20, 1)]
        assert p.phases[0].mg_per_kg.quantize(Decimal("0.001")) == Decimal("0.556")
        assert p.days_to_target == 216
        assert plan("us-conventional", 72, "0.5", target_mg_per_kg=150).days_to_target == 270

    def test_absorica_rounds_36_mg_down_to_35(self) -> None:
        p = plan("us-absorica", 72, "0.5")
        dose = p.phases[0].dose
        assert dose.total_mg == 35
        assert capsules(dose.am) == [(10, 1)] and capsules(dose.pm) == [(25, 1)]
        assert p.days_to_target == 247
        assert plan("us-absorica", 72, "0.5", target_mg_per_kg=150).days_to_target == 309


class TestExample3Micronized:
    def test_label_doses_at_sixty_kg(self) -> None:
        low = plan("us-absorica-ld", 60, "0.4").phases[0].dose
        assert (low.total_mg, capsules(low.am), capsules(low.pm)) == (24, [(8, 1)], [(16, 1)])
        high = plan("us-absorica-ld", 60, "0.8").phases[0].dose
        assert (high.total_mg, capsules(high.am), capsules(high.pm)) == (48, [(24, 1)], [(24, 1)])
        assert plan("us-absorica-ld", 60, "1.6", severe=True).phases[0].dose.total_mg == 96

    def test_the_two_counting_bases_give_different_answers(self) -> None:
        raw = plan("us-absorica-ld", 60, "0.8", basis="raw")
        equivalent = plan("us-absorica-ld", 60, "0.8", basis="equivalent")
        assert (raw.basis.value, raw.days_to_target) == ("raw", 150)
        assert (equivalent.basis.value, equivalent.days_to_target) == ("equivalent", 120)
        assert plan("us-absorica-ld", 60, "0.8", basis="raw",
                    target_mg_per_kg=150).days_to_target == 188
        assert plan("us-absorica-ld", 60, "0.8", basis="equivalent",
                    target_mg_per_kg=150).days_to_target == 150

    def test_micronized_defaults_to_the_equivalent_basis_and_says_so(self) -> None:
        p = plan("us-absorica-ld", 60, "0.8")
        assert p.basis.value == "equivalent"
        assert p.raw_target_mg == Decimal(7200) * Decimal("0.8")


class TestExample4UkAdolescent:
    def test_23_5_mg_rounds_to_25_with_a_five_mg_capsule(self) -> None:
        p = plan("uk-generic", 47, "0.5", age_years=15)
        dose = p.phases[0].dose
        assert dose.total_mg == 25
        assert dose.am_mg + dose.pm_mg == 25
        assert p.days_to_target == 226
        assert plan("uk-generic", 47, "0.5", target_mg_per_kg=150).days_to_target == 282
        assert "under-18" in {w.code for w in p.warnings}


class TestExample5SevereTruncal:
    def test_one_mg_per_kg_at_110_kg(self) -> None:
        p = plan("us-conventional", 110, "1.0")
        assert p.phases[0].dose.total_mg == 110
        assert p.days_to_target == 120
        assert plan("us-conventional", 110, "1.0", target_mg_per_kg=150).days_to_target == 150

    def test_the_ceiling_is_allowed_for_severe_disease(self) -> None:
        p = plan("us-conventional", 110, "2.0", severe=True)
        assert p.phases[0].dose.total_mg == 220
        assert "severe-disease-dose" in {w.code for w in p.warnings}

    def test_240_mg_a_day_is_refused_as_above_the_label_maximum(self) -> None:
        with pytest.raises(DoseRefused, match="above the label maximum"):
            plan("us-conventional", 110, str(Decimal(240) / 110), severe=True)

    def test_micronized_ceiling_is_176_mg_at_110_kg(self) -> None:
        assert plan("us-absorica-ld", 110, "1.6", severe=True).phases[0].dose.total_mg == 176


class TestExample6LowDose:
    def test_twenty_mg_a_day_at_65_kg_is_an_off_label_low_dose(self) -> None:
        p = plan("us-conventional", 65, "0.308")
        assert p.phases[0].dose.total_mg == 20
        assert "off-label-low-dose" in {w.code for w in p.warnings}
        assert p.days_to_target == 390
        assert plan("us-conventional", 65, "0.308", target_mg_per_kg=150).days_to_target == 488


# ABSORICA label Tables 1 and 2 (clinical.md §1.2): weight → daily total. Totals that cannot
# be divided into two whole-capsule doses (ABSORICA 25 mg; ABSORICA LD 20 mg) are left out:
# the planner's contract gives only divisible totals (see docs/explanation/planner.md).
ABSORICA_TABLE = [
    (40, "0.5", 20), (60, "0.5", 30), (70, "0.5", 35), (80, "0.5", 40), (90, "0.5", 45),
    (100, "0.5", 50), (40, "1", 40), (50, "1", 50), (60, "1", 60), (70, "1", 70), (80, "1", 80),
    (90, "1", 90), (100, "1", 100), (40, "2", 80), (50, "2", 100), (60, "2", 120),
    (70, "2", 140), (80, "2", 160), (90, "2", 180), (100, "2", 200),
]
ABSORICA_LD_TABLE = [
    (40, "0.4", 16), (60, "0.4", 24), (70, "0.4", 28), (80, "0.4", 32), (90, "0.4", 36),
    (100, "0.4", 40), (40, "0.8", 32), (50, "0.8", 40), (60, "0.8", 48), (70, "0.8", 56),
    (80, "0.8", 64), (90, "0.8", 72), (100, "0.8", 80), (40, "1.6", 64), (50, "1.6", 80),
    (60, "1.6", 96), (70, "1.6", 112), (80, "1.6", 128), (90, "1.6", 144), (100, "1.6", 160),
]


@pytest.mark.parametrize(("weight", "mg_per_kg", "total"), ABSORICA_TABLE)
def test_absorica_label_table_totals(weight: int, mg_per_kg: str, total: int) -> None:
    p = plan("us-absorica", weight, mg_per_kg, severe=mg_per_kg == "2")
    assert p.phases[0].dose.total_mg == total


@pytest.mark.parametrize(("weight", "mg_per_kg", "total"), ABSORICA_LD_TABLE)
def test_absorica_ld_label_table_totals(weight: int, mg_per_kg: str, total: int) -> None:
    p = plan("us-absorica-ld", weight, mg_per_kg, severe=mg_per_kg == "1.6")
    assert p.phases[0].dose.total_mg == total


def test_a_label_total_that_cannot_be_divided_goes_to_the_nearest_divisible_one() -> None:
    # 50 kg × 0.5 = 25 mg of ABSORICA: 25 cannot be split into two whole-capsule doses
    # (10 + 15, 15 does not exist), and the 20/30 tie goes to the lower total.
    assert plan("us-absorica", 50, "0.5").phases[0].dose.total_mg == 20
