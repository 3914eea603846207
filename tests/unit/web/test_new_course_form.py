"""The new-course form's logic: daily totals in mg/kg, the planner's errors placed next to
their fields, the plan fingerprint, and the eligibility checklist as stored."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isocourse.adapters.web.forms import Form
from isocourse.adapters.web.pages import new_course_form as cf
from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.errors import DoseRefused, InvalidInput, PlanRefused
from isocourse.domain.planner import PlanRequest, plan_course
from isocourse.domain.severity import GAGS_REGIONS
from isocourse.services.ports import Rulebook

CATALOG = load_catalog()
DAY = dt.date(2026, 11, 21)
GAGS = {f"gags_{r.key}": "2" for r in GAGS_REGIONS}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(CATALOG.products)),
       st.decimals(min_value=30, max_value=150, places=1), st.booleans())
def test_each_use_button_plans_exactly_the_daily_total_it_names(
        product_id: str, weight: Decimal, severe: bool) -> None:
    product = CATALOG.get(product_id)
    rows = cf.dose_choices(product, weight, severe=severe, current=None)
    assert rows, "every product has a total within the usual maximum at 30 kg or more"
    for row in rows:
        plan = plan_course(PlanRequest(product_id=product_id, weight=weight,
                                       mg_per_kg=row.mg_per_kg, start_date=DAY,
                                       severe=severe), CATALOG)
        assert plan.phases[-1].dose.total_mg == row.daily_mg
        assert row.mg_per_kg == (Decimal(row.daily_mg) / weight).quantize(
            Decimal("0.001"), ROUND_HALF_UP)


def test_the_20_or_40_mg_choice_is_shown_in_mg_per_kg_for_the_weight() -> None:
    rows = cf.dose_choices(CATALOG.get("us-conventional"), Decimal("62.5"), severe=False,
                           current=None)
    by_mg = {r.daily_mg: r for r in rows}
    assert by_mg[20].mg_per_kg == Decimal("0.320") and by_mg[20].kind == "low"
    assert by_mg[40].mg_per_kg == Decimal("0.640") and by_mg[40].kind == "usual"
    assert (by_mg[40].morning, by_mg[40].evening) == ("1 × 20 mg", "1 × 20 mg")
    assert max(by_mg) == 60  # 1.0 mg/kg x 62.5 kg = 62.5 mg: the usual maximum
    severe = cf.dose_choices(CATALOG.get("us-conventional"), Decimal("62.5"), severe=True,
                             current=None)
    assert max(r.daily_mg for r in severe) == 120  # the 2.0 mg/kg ceiling
    assert {r.kind for r in severe if r.daily_mg > 62} == {"severe"}


def test_a_use_button_puts_its_mg_per_kg_in_the_form_and_shows_the_plan() -> None:
    form = Form(values={"weight_kg": "70", "use_daily_mg": "40", "action": "save",
                        "dose_choice": "low"})
    assert cf.apply_dose_button(form) == "plan"
    assert form.values["dose_choice"] == "other"
    assert form.values["mg_per_kg"] == "0.571"
    assert "use_daily_mg" not in form.values


@pytest.mark.parametrize(("values", "action"), [
    ({"action": "save"}, "save"), ({"action": "gags"}, "gags"), ({}, "plan"),
    ({"action": "drop tables"}, "plan"),
    ({"use_daily_mg": "40", "weight_kg": "abc", "action": "save"}, "save")])
def test_the_pressed_button_decides_the_step(values: dict[str, str], action: str) -> None:
    assert cf.apply_dose_button(Form(values=dict(values))) == action


@pytest.mark.parametrize(("error", "choice", "field"), [
    (InvalidInput("weight must be between 20 and 250 kg", field="weight"), "low", "weight_kg"),
    (DoseRefused("1.5 mg/kg/day is above the usual range (0.5-1.0) for us-conventional; "
                 "doses up to 2.0 need the severe-disease indication (--severe)"),
     "other", "mg_per_kg"),
    (DoseRefused("maintenance dose: no capsule total stays within the label maximum"), "high",
     "dose_choice"),
    (DoseRefused("starting dose: no capsule total stays within the label maximum"), "low",
     "start_mg_per_kg"),
    (PlanRefused("the titration (365 days) is as long as the course"), "low", "start_days"),
    (PlanRefused("the starting dose must not be above the maintenance dose"), "low",
     "start_mg_per_kg"),
    (DoseRefused("isotretinoin is not indicated under 12 years of age"), "low", "birth_date"),
    (InvalidInput("the cumulative target must be positive", field="target"), "low",
     "target_mg_per_kg")])
def test_a_planner_refusal_goes_next_to_its_field_in_plain_words(
        error: InvalidInput, choice: str, field: str) -> None:
    form = Form(values={"dose_choice": choice})
    cf.place_plan_error(form, error, new_patient=True)
    assert list(form.errors) == [field]
    assert form.summary is None
    assert "--" not in form.errors[field]
    assert not form.errors[field][0].islower() and form.errors[field].endswith(".")


def test_an_age_refusal_for_a_registered_patient_goes_above_the_form() -> None:
    form = Form(values={"dose_choice": "low"})
    cf.place_plan_error(form, DoseRefused("not indicated under 12 years of age"),
                        new_patient=False)
    assert not form.errors and form.summary is not None


_BASE = {"external_id": "p-1", "birth_date": "2000-01-01", "can_get_pregnant": "yes",
         "jurisdiction": "us-ipledge", "product": "us-conventional", "weight_kg": "60",
         "dose_choice": "low", "target_mg_per_kg": "120", "lab_profile": "default",
         "iga": "4", **GAGS}


@pytest.mark.parametrize("name", ["external_id", "weight_kg", "dose_choice", "iga",
                                  "gags_nose", "severe", "start_date", "product"])
def test_the_plan_fingerprint_changes_with_each_field_that_makes_the_plan(name: str) -> None:
    changed = dict(_BASE, **{name: _BASE.get(name, "") + "x"})
    assert cf.plan_key(Form(values=changed)) != cf.plan_key(Form(values=dict(_BASE)))


def test_the_plan_fingerprint_ignores_a_typed_dose_that_is_not_chosen() -> None:
    with_other = dict(_BASE, mg_per_kg="0.8")
    assert cf.plan_key(Form(values=with_other)) == cf.plan_key(Form(values=dict(_BASE)))


def test_a_partly_graded_gags_names_each_region_left_out_and_keeps_the_sum_so_far() -> None:
    form = Form(values={"iga": "3", "gags_forehead": "2", "gags_chest_back": "4"})
    checked = cf.read_eligibility(form, DAY)
    assert not checked.ok and checked.gags is None
    assert checked.gags_partial == 2 * 2 + 3 * 4
    assert set(form.errors) == {"gags_right_cheek", "gags_left_cheek", "gags_nose",
                                "gags_chin"}


def test_the_checklist_is_stored_as_the_isocourse_extension_and_read_back_in_words() -> None:
    form = Form(values={"iga": "4", **GAGS, "scarring": "on", "psychosocial": "on"})
    checked = cf.read_eligibility(form, DAY)
    assert checked.ok and checked.gags is not None and checked.gags.total == 22
    stored = cf.eligibility_extension(checked)["isocourse"]["eligibility"]
    assert stored["iga"]["grade"] == 4 and stored["gags"]["total"] == 22
    assert stored["gags"]["band"] == "moderate"
    assert (stored["scarring"], stored["psychosocial_burden"], stored["resistant"]) == (
        True, True, False)
    assert stored["assessed_on"] == "2026-11-21"
    assert checked.reasons == ["severe acne (IGA 4, or a GAGS of 31 or more)",
                               "psychosocial burden", "scarring"]
    words = cf.eligibility_words(cf.eligibility_extension(checked))
    assert words == ("IGA 4 (severe), GAGS 22 (moderate), scarring, psychosocial burden; "
                     "assessed 2026-11-21")
    assert cf.eligibility_words(None) is None
    assert cf.eligibility_words({"isocourse": "not ours"}) is None


def test_a_titration_needs_both_its_dose_and_its_length() -> None:
    rules = Rulebook(catalog=CATALOG, library=load_rule_library())
    form = Form(values=dict(_BASE, start_mg_per_kg="0.5"))
    assert cf.read_course(form, rules) is None
    assert set(form.errors) == {"start_days"}
    form = Form(values=dict(_BASE, start_mg_per_kg="0.5", start_days="28"))
    inputs = cf.read_course(form, rules)
    assert inputs is not None and (inputs.start_mg_per_kg, inputs.start_days) == (
        Decimal("0.5"), 28)
    assert inputs.mg_per_kg == Decimal("0.5")  # "low": the product's usual minimum
