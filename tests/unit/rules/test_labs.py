"""Lab monitoring: unit conversion, CTCAE grading, thresholds and the profile schedules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import Jurisdiction, LabUnit
from isocourse.rules.kinds.lab_units import (
    as_mmol_per_l,
    ctcae_grade,
    mg_per_dl_for_display,
    plain,
)
from tests.spec.harness import ev
from tests.unit.rules.monitoring_support import check, due, findings, library, packaged, rule

TG = Decimal("0.0113")
CHOL = Decimal("0.0259")
CTCAE = [Decimal(1), Decimal(3), Decimal(5), Decimal(20)]
values = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False)


# --- conversion -----------------------------------------------------------------------------
@pytest.mark.parametrize(("mg_dl", "factor", "mmol"), [
    (150, TG, "1.70"), (200, TG, "2.26"), (500, TG, "5.65"), (800, TG, "9.04"),
    (880, TG, "9.94"), (1000, TG, "11.30"), (200, CHOL, "5.18"), (240, CHOL, "6.22"),
])
def test_worked_conversions_of_the_reference_hold_within_a_hundredth(
        mg_dl: int, factor: Decimal, mmol: str) -> None:
    converted = as_mmol_per_l(Decimal(mg_dl), LabUnit.MG_PER_DL, factor)
    assert abs(converted - Decimal(mmol)) <= Decimal("0.01")


def test_example_6_triglycerides_convert_exactly_without_float_drift() -> None:
    assert as_mmol_per_l(Decimal(520), LabUnit.MG_PER_DL, TG) == Decimal("5.876")
    assert as_mmol_per_l(Decimal("5.876"), LabUnit.MMOL_PER_L, TG) == Decimal("5.876")
    assert plain(Decimal("9.0400")) == "9.04" and plain(Decimal(500)) == "500"
    assert mg_per_dl_for_display(Decimal("9.04"), TG) == 800


def test_an_enzyme_unit_is_not_a_lipid_unit() -> None:
    with pytest.raises(ValueError, match="not a lipid unit"):
        as_mmol_per_l(Decimal(1), LabUnit.U_PER_L, TG)


@given(values, values)
def test_conversion_is_monotonic(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    for factor in (TG, CHOL):
        assert as_mmol_per_l(low, LabUnit.MG_PER_DL, factor) <= as_mmol_per_l(
            high, LabUnit.MG_PER_DL, factor)


@given(values, st.decimals(min_value=100, max_value=2000, places=0))
def test_comparing_in_mmol_gives_the_same_answer_as_in_mg_dl(value: Decimal,
                                                            limit: Decimal) -> None:
    mmol = as_mmol_per_l(value, LabUnit.MG_PER_DL, TG)
    assert (mmol >= limit * TG) is (value >= limit)


# --- CTCAE grading -----------------------------------------------------------------------------
@pytest.mark.parametrize(("alt", "grade"), [
    (40, 0), (41, 1), (120, 1), (121, 2), (130, 2), (200, 2), (201, 3), (210, 3), (800, 3),
    (801, 4),
])
def test_example_6_alt_grades_at_both_edges_with_uln_40(alt: int, grade: int) -> None:
    assert ctcae_grade(Decimal(alt), Decimal(40), CTCAE) == grade


@given(values, values, st.decimals(min_value=1, max_value=200, places=0))
def test_grading_is_monotonic_in_the_value(a: Decimal, b: Decimal, uln: Decimal) -> None:
    low, high = sorted((a, b))
    assert ctcae_grade(low, uln, CTCAE) <= ctcae_grade(high, uln, CTCAE)
    assert 0 <= ctcae_grade(high, uln, CTCAE) <= 4


def test_a_zero_uln_is_refused() -> None:
    with pytest.raises(ValueError, match="upper limit"):
        ctcae_grade(Decimal(1), Decimal(0), CTCAE)


# --- thresholds in the engine ----------------------------------------------------------------
START = [ev.dispense("2026-10-03")]


def tg(value: float, unit: str = "mg/dL", on: str = "2026-10-20") -> list[tuple[str, str, str]]:
    out = check(on, [*START, ev.lab("2026-10-15", "triglycerides", value, unit)],
                start_date="2026-10-03")
    return findings(out, "monitoring.triglycerides")


@pytest.mark.parametrize(("value", "unit", "severity"), [
    (499, "mg/dL", None), (500, "mg/dL", "warning"), (520, "mg/dL", "warning"),
    (799, "mg/dL", "warning"), (800, "mg/dL", "block"),
    (5.64, "mmol/L", None), (5.65, "mmol/L", "warning"), (5.876, "mmol/L", "warning"),
    (9.03, "mmol/L", "warning"), (9.04, "mmol/L", "block"),
])
def test_triglyceride_thresholds_hold_at_both_edges_in_both_units(
        value: float, unit: str, severity: str | None) -> None:
    assert [f[1] for f in tg(value, unit)] == ([] if severity is None else [severity])


def test_a_high_triglyceride_asks_for_a_recheck_and_names_both_units() -> None:
    out = check("2026-10-20", [*START, ev.lab("2026-10-15", "triglycerides", 520, "mg/dL")],
                start_date="2026-10-03")
    (_, _, message), = findings(out, "monitoring.triglycerides")
    assert "520 mg/dL (5.876 mmol/L)" in message and "p-spec" not in message
    assert ("lab", "2026-10-29", ("triglycerides",)) in due(out, "monitoring.triglycerides")


def test_only_the_latest_result_counts() -> None:
    events = [*START, ev.lab("2026-10-15", "triglycerides", 900, "mg/dL"),
              ev.lab("2026-10-25", "triglycerides", 150, "mg/dL")]
    assert findings(check("2026-10-20", events), "monitoring.triglycerides")
    out = check("2026-10-26", events)
    assert findings(out, "monitoring.triglycerides") == []
    assert out["dispense_allowed"] is True


@pytest.mark.parametrize(("alt", "uln", "severity"), [
    (40, 40, None), (120, 40, "info"), (130, 40, "warning"), (200, 40, "warning"),
    (210, 40, "block"), (900, 40, "block"), (120, None, "info"), (121, None, "warning"),
])
def test_liver_enzymes_follow_ctcae_with_the_lab_or_default_uln(
        alt: int, uln: int | None, severity: str | None) -> None:
    out = check("2026-10-20", [*START, ev.lab("2026-10-15", "alt", alt, "U/L", uln)])
    assert [f[1] for f in findings(out, "monitoring.liver-enzymes")] == (
        [] if severity is None else [severity])


def test_the_default_uln_is_named_in_the_message() -> None:
    out = check("2026-10-20", [*START, ev.lab("2026-10-15", "ast", 108, "U/L")])
    (_, severity, message), = findings(out, "monitoring.liver-enzymes")
    assert severity == "info" and "the default ULN 36 U/L" in message and "3×" in message


def test_cholesterol_at_the_high_risk_reference_is_information_only() -> None:
    out = check("2026-10-20", [*START, ev.lab("2026-10-15", "total-cholesterol", 240, "mg/dL")])
    assert [f[1] for f in findings(out, "monitoring.cholesterol")] == ["info"]
    out = check("2026-10-20", [*START, ev.lab("2026-10-15", "total-cholesterol", 6.2, "mmol/L")])
    assert findings(out, "monitoring.cholesterol") == []


def test_a_clinic_can_move_a_threshold() -> None:
    lib = library('[[overrides]]\nrule = "monitoring.triglycerides"\n'
                  "params.warning_mg_dl = 400\n")
    out = check("2026-10-20", [*START, ev.lab("2026-10-15", "triglycerides", 450, "mg/dL")],
                lib=lib)
    assert [f[1] for f in findings(out, "monitoring.triglycerides")] == ["warning"]


def test_a_bad_analyte_in_a_pack_is_a_named_error() -> None:
    lib = library('[[overrides]]\nrule = "monitoring.triglycerides"\n'
                  'params.analyte = "trigs"\n')
    with pytest.raises(RuleDataError, match=r"monitoring\.triglycerides: parameter .analyte."):
        check("2026-10-20", [], lib=lib)


# --- schedules -----------------------------------------------------------------------------------
def test_every_jurisdiction_has_exactly_one_default_profile_and_every_profile_is_known() -> None:
    schedules = [r for r in packaged().rules if r.kind == "lab-schedule"]
    names = {r.value("profile") for r in schedules}
    assert names == set(rule("monitoring.lab-profile").value("profiles"))
    for jurisdiction in Jurisdiction:
        owners = [r.id for r in schedules if jurisdiction.value in r.value("default_for")]
        assert len(owners) == 1, (jurisdiction, owners)


def test_every_unconfirmed_parameter_says_why() -> None:
    for spec in packaged().rules:
        for param in spec.params.values():
            assert not param.unconfirmed or param.note, (spec.id, param.name)


def test_missing_baseline_severity_must_be_a_severity() -> None:
    lib = library('[[overrides]]\nrule = "monitoring.lab-schedule.eu-smpc"\n'
                  'params.missing_baseline = "stop"\n')
    with pytest.raises(RuleDataError, match="must be a severity"):
        check("2026-10-01", [], lib=lib, start_date="2026-10-03")


def test_a_clinic_can_make_a_missing_baseline_a_warning() -> None:
    lib = library('[[overrides]]\nrule = "monitoring.lab-schedule.eu-smpc"\n'
                  'params.missing_baseline = "warning"\n')
    out = check("2026-10-01", [], lib=lib, start_date="2026-10-03")
    assert out["dispense_allowed"] is True
    assert [f[1] for f in findings(out, "monitoring.lab-schedule")] == ["warning"]


def test_an_old_baseline_does_not_count() -> None:
    events = [ev.lab("2026-08-31", a, 30, "U/L") for a in ("alt", "ast")] + [
        ev.lab("2026-08-31", a, 100, "mg/dL") for a in ("triglycerides", "total-cholesterol")]
    assert check("2026-09-30", events)["dispense_allowed"] is True
    assert check("2026-10-01", events)["dispense_allowed"] is False


def test_nothing_is_scheduled_after_the_last_dose() -> None:
    out = check("2027-06-01", [*START, ev.end("2027-03-01")], start_date="2026-10-03")
    assert findings(out, "monitoring.lab") == [] and due(out, "monitoring.lab") == []


def normal_baseline(date: str) -> list[dict[str, object]]:
    return [ev.lab(date, "alt", 30, "U/L"), ev.lab(date, "ast", 30, "U/L"),
            ev.lab(date, "triglycerides", 150, "mg/dL"),
            ev.lab(date, "total-cholesterol", 180, "mg/dL")]


def test_due_items_name_their_analytes_and_group_them_by_date() -> None:
    events = [*normal_baseline("2026-09-20"), *START, ev.lab("2026-10-20", "alt", 30, "U/L"),
              ev.lab("2026-10-20", "triglycerides", 150, "mg/dL")]
    out = check("2026-11-10", events, start_date="2026-10-03")
    assert due(out, "monitoring.lab-schedule") == [
        ("lab", "2026-11-03", ("ast", "total-cholesterol")),
        ("lab", "2027-01-20", ("alt", "triglycerides"))]
    (_, severity, message), = findings(out, "monitoring.lab-schedule")
    assert severity == "warning" and "ast, total-cholesterol" in message


def test_a_missing_baseline_lists_only_the_missing_analytes() -> None:
    out = check("2026-10-01", normal_baseline("2026-09-20")[:2], start_date="2026-10-03")
    assert due(out, "monitoring.lab-schedule") == [
        ("lab", "2026-10-03", ("triglycerides", "total-cholesterol"))]


def test_the_consensus_profile_asks_only_for_alt_and_triglycerides() -> None:
    out = check("2026-10-01", [], start_date="2026-10-03", lab_profile="consensus-2022")
    assert due(out, "monitoring.lab-schedule") == [
        ("lab", "2026-10-03", ("alt", "triglycerides"))]


def test_bad_grade_multiples_are_a_named_error() -> None:
    lib = library('[[overrides]]\nrule = "monitoring.liver-enzymes"\n'
                  "params.grade_multiples = [3, 1]\n")
    with pytest.raises(RuleDataError, match="ascending"):
        check("2026-10-20", [*START, ev.lab("2026-10-15", "alt", 50, "U/L")], lib=lib)


def test_a_ratio_just_above_three_never_reads_three() -> None:
    out = check("2026-10-20", [*START, ev.lab("2026-10-15", "alt", 120.1, "U/L", 40)])
    (_, severity, message), = findings(out, "monitoring.liver-enzymes")
    assert severity == "warning" and "3.01×" in message
