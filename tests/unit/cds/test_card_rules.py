"""The card rules (services/cds): which card a course or a draft order gets, its indicator,
and that every number in it is the rule packs', the catalog's or the plan's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from isocourse.domain.record import Jurisdiction
from isocourse.services.cds.cards import Card, CardKind, Indicator, OrderChange
from isocourse.services.cds.course_cards import (
    missed_window_card,
    positive_test_card,
    status_card,
)
from isocourse.services.cds.hooks import DraftOrder
from isocourse.services.cds.order_cards import order_cards
from tests.support.courses import ready_history
from tests.unit.cds.courses import RULES, course, ready, rules_with, view

ORDER = "MedicationRequest/draft-1"
POSITIVE = {"type": "pregnancy_test", "date": "2026-10-05", "result": "positive",
            "setting": "lab"}
DISPENSE = {"type": "dispense", "date": "2026-10-01", "daily_mg": 30, "days_supply": 30}


def draft(daily_mg: int | None = 30, days_supply: int | None = 30, refills: int = 0,
          **more: str) -> DraftOrder:
    return DraftOrder(order_id=ORDER, daily_mg=daily_mg, days_supply=days_supply,
                      refills=refills, **more)


def kinds(cards: list[Card]) -> dict[CardKind, Card]:
    return {card.kind: card for card in cards}


# -- the course ------------------------------------------------------------------------

def test_the_status_card_names_the_open_window_what_is_due_and_the_cumulative_progress(
        ) -> None:
    card = status_card(view(ready()))
    assert card.indicator is Indicator.INFO
    assert card.summary == ("Isotretinoin course active: window open to 2026-10-07; next due: "
                            "pregnancy test by 2026-10-08; 0.0 of 120 mg/kg (0%)")
    assert "**Pick-up window:** 2026-10-01 to 2026-10-07" in card.detail
    assert "rule `us-ipledge.window`" in card.detail


def test_the_status_card_shows_the_cumulative_dose_against_the_plans_own_target() -> None:
    loaded = ready(DISPENSE, target=Decimal(150))
    card = status_card(view(loaded, dt.date(2026, 10, 30)))
    # 30 mg a day for 30 days at 60 kg = 15 mg/kg, 10% of the plan's 150 mg/kg.
    assert card.summary.endswith("15.0 of 150 mg/kg (10%)")


def test_a_course_without_a_plan_shows_its_cumulative_dose_without_a_target() -> None:
    card = status_card(view(ready(planned=False)))
    assert card.summary.endswith("0.0 mg/kg so far")
    assert "no target" in card.detail


def test_a_positive_pregnancy_test_on_an_active_course_is_the_one_critical_card() -> None:
    seen = view(ready(POSITIVE), dt.date(2026, 10, 5))
    card = positive_test_card(seen)
    assert card is not None and card.indicator is Indicator.CRITICAL
    assert card.summary.startswith("Positive pregnancy test on 2026-10-05: stop isotretinoin")
    assert card.rule_ids == ("us-ipledge.positive-test",)
    assert status_card(seen).indicator is Indicator.INFO


def test_a_positive_test_after_the_course_has_ended_is_a_warning_not_critical() -> None:
    ended = ready(DISPENSE, {"type": "course_end", "date": "2026-10-30"},
                  {**POSITIVE, "date": "2026-11-20"}, ended_on=dt.date(2026, 10, 30))
    card = positive_test_card(view(ended, dt.date(2026, 11, 21)))
    assert card is not None and card.indicator is Indicator.WARNING


def test_no_positive_test_no_critical_card() -> None:
    assert positive_test_card(view(ready())) is None


def test_a_window_that_closed_unused_is_a_missed_window_warning() -> None:
    card = missed_window_card(view(ready(), dt.date(2026, 10, 10)))
    assert card is not None and card.indicator is Indicator.WARNING
    assert card.kind is CardKind.MISSED_WINDOW
    assert "us-ipledge.window" in card.rule_ids
    assert card.summary.startswith("Pick-up window missed: a new negative pregnancy test")


def test_an_open_window_is_not_missed() -> None:
    assert missed_window_card(view(ready())) is None


# -- an order: supply and refills --------------------------------------------------------

def test_an_order_for_90_days_with_refills_is_a_warning_with_a_suggestion_to_the_limits(
        ) -> None:
    cards = kinds(order_cards(view(ready()), draft(40, 90, refills=2), RULES))
    card = cards[CardKind.ORDER_LIMITS]
    assert card.indicator is Indicator.WARNING
    assert card.summary == ("Isotretinoin order for 90 days' supply with 2 refills: at most "
                            "30 days' supply and no refills can be dispensed")
    assert card.rule_ids == ("us-ipledge.prescription-limits",)
    (suggestion,) = card.suggestions
    assert suggestion.changes == (OrderChange(ORDER, days_supply=30, refills=0),)
    assert suggestion.label == "Change to 30 days' supply and no refills"


def test_the_limits_on_the_card_are_the_rule_packs_own_numbers() -> None:
    rules = rules_with("us-ipledge.prescription-limits", max_days_supply=28, max_refills=1)
    cards = kinds(order_cards(view(ready(), rules=rules), draft(40, 30, refills=2), rules))
    card = cards[CardKind.ORDER_LIMITS]
    assert "at most 28 days' supply and 1 refill can be dispensed" in card.summary
    assert card.suggestions[0].changes == (OrderChange(ORDER, days_supply=28, refills=1),)


def test_only_what_is_over_the_limit_is_changed() -> None:
    cards = kinds(order_cards(view(ready()), draft(40, 30, refills=1), RULES))
    assert cards[CardKind.ORDER_LIMITS].suggestions[0].changes == (
        OrderChange(ORDER, days_supply=None, refills=0),)


def test_an_order_within_the_limits_gets_no_limits_card() -> None:
    assert CardKind.ORDER_LIMITS not in kinds(order_cards(view(ready()), draft(), RULES))


def test_an_order_whose_dose_cannot_be_read_is_still_held_to_the_limits() -> None:
    cards = kinds(order_cards(view(ready()), draft(None, 90, refills=3), RULES))
    card = cards[CardKind.ORDER_LIMITS]
    assert card.suggestions[0].changes == (OrderChange(ORDER, days_supply=30, refills=0),)
    assert "rule `us-ipledge.prescription-limits`" in card.detail


def test_an_order_beyond_what_a_course_record_holds_is_held_to_the_limits() -> None:
    cards = kinds(order_cards(view(ready()), draft(40, 400, refills=20), RULES))
    assert cards[CardKind.ORDER_LIMITS].suggestions[0].changes == (
        OrderChange(ORDER, days_supply=30, refills=0),)


def test_an_order_without_a_days_supply_is_offered_the_limit() -> None:
    cards = kinds(order_cards(view(ready()), draft(40, None), RULES))
    card = cards[CardKind.ORDER_LIMITS]
    assert card.summary.startswith("Isotretinoin order for no days' supply with no refills")
    assert card.suggestions[0].changes == (OrderChange(ORDER, days_supply=30),)


def test_a_days_supply_not_yet_filled_in_at_selection_is_not_a_fault() -> None:
    selected = order_cards(view(ready()), draft(40, None), RULES, signing=False)
    assert CardKind.ORDER_LIMITS not in kinds(selected)
    with_refills = kinds(order_cards(view(ready()), draft(40, None, refills=2), RULES,
                                     signing=False))
    assert with_refills[CardKind.ORDER_LIMITS].suggestions[0].changes == (
        OrderChange(ORDER, refills=0),)


def test_limits_for_patients_who_can_get_pregnant_spare_a_patient_who_cannot() -> None:
    eu = course([], can_get_pregnant=False, jurisdiction=Jurisdiction.EU_PPP,
                product="uk-generic")
    cards = kinds(order_cards(view(eu), draft(30, 90), RULES))
    assert CardKind.ORDER_LIMITS not in cards


# -- an order: whether it could be dispensed ---------------------------------------------

def test_an_order_before_a_test_opens_a_window_warns_that_no_valid_test_is_on_file() -> None:
    without_confirmation = ready_history()[:-1]
    loaded = course([*without_confirmation])
    cards = kinds(order_cards(view(loaded), draft(), RULES))
    card = cards[CardKind.NO_VALID_TEST]
    assert card.indicator is Indicator.WARNING
    assert card.summary.startswith("No negative pregnancy test opens a pick-up window")
    assert "us-ipledge.pretreatment-tests" in card.rule_ids


def test_an_order_after_the_window_closed_warns_that_no_valid_test_is_on_file() -> None:
    cards = kinds(order_cards(view(ready(), dt.date(2026, 10, 12)), draft(), RULES))
    assert "us-ipledge.window" in cards[CardKind.NO_VALID_TEST].rule_ids


def test_other_conditions_of_dispensing_are_one_blocked_dispense_warning() -> None:
    no_enrollment = [e for e in ready_history() if e["type"] != "enrollment"]
    cards = kinds(order_cards(view(course(no_enrollment)), draft(), RULES))
    card = cards[CardKind.DISPENSE_BLOCKED]
    assert card.indicator is Indicator.WARNING
    assert card.summary.startswith("Not dispensable yet: no ")
    assert "us-ipledge.enrollment" in card.rule_ids


def test_a_dispensable_order_gets_no_warning() -> None:
    cards = order_cards(view(ready()), draft(), RULES)
    assert all(card.indicator is Indicator.INFO for card in cards)


# -- an order: dose, family, cumulative ---------------------------------------------------

def test_a_dose_above_the_usual_range_is_an_info_card_with_the_catalogs_numbers() -> None:
    product = RULES.catalog.get("us-conventional")
    cards = kinds(order_cards(view(ready()), draft(90), RULES))  # 1.5 mg/kg at 60 kg
    card = cards[CardKind.DOSE_RANGE]
    assert card.indicator is Indicator.INFO
    assert card.summary == (
        f"90 mg/day is 1.5 mg/kg/day, above the usual {product.usual_min_mg_per_kg}-"
        f"{product.usual_max_mg_per_kg}; the label allows up to {product.ceiling_mg_per_kg} "
        "for severe disease")
    assert product.provenance["usual_mg_per_kg"].text in card.detail


def test_a_dose_above_the_label_maximum_says_so() -> None:
    cards = kinds(order_cards(view(ready()), draft(150), RULES))  # 2.5 mg/kg
    assert "above the label maximum of 2.0 mg/kg/day" in cards[CardKind.DOSE_RANGE].summary


def test_a_dose_below_the_usual_range_is_noted_as_a_low_dose() -> None:
    cards = kinds(order_cards(view(ready()), draft(20), RULES))  # 0.33 mg/kg
    assert "below the usual 0.5-1.0 mg/kg/day" in cards[CardKind.DOSE_RANGE].summary


def test_a_dose_in_range_or_in_the_plan_is_not_flagged() -> None:
    assert CardKind.DOSE_RANGE not in kinds(order_cards(view(ready()), draft(40), RULES))
    assert CardKind.DOSE_RANGE not in kinds(order_cards(view(ready()), draft(30), RULES))


def test_the_dose_is_weighed_at_the_latest_weight() -> None:
    heavier = ready({"type": "weight", "date": "2026-10-01", "kg": 100})
    assert CardKind.DOSE_RANGE not in kinds(order_cards(view(heavier), draft(90), RULES))


def test_an_order_of_another_formulation_family_is_an_info_card() -> None:
    by_product = kinds(order_cards(view(ready()), draft(32, product="us-absorica-ld"), RULES))
    card = by_product[CardKind.FAMILY_CHANGE]
    assert card.indicator is Indicator.INFO
    assert card.summary == ("This order is micronized isotretinoin but the course uses "
                            "conventional: not interchangeable mg for mg")
    by_code = kinds(order_cards(view(ready()), draft(32, family="micronized"), RULES))
    assert CardKind.FAMILY_CHANGE in by_code
    assert CardKind.DOSE_RANGE not in by_code  # no label range for an unknown product


def test_an_order_of_the_courses_own_product_is_no_family_change() -> None:
    same = order_cards(view(ready()), draft(product="us-conventional"), RULES)
    assert CardKind.FAMILY_CHANGE not in kinds(same)


def test_a_supply_that_takes_the_course_past_the_plans_target_is_an_info_card() -> None:
    loaded = ready(DISPENSE, target=Decimal(30))  # 15 mg/kg dispensed of a 30 mg/kg target
    card = kinds(order_cards(view(loaded, dt.date(2026, 10, 2)), draft(40, 30),
                             RULES))[CardKind.CUMULATIVE_PROJECTION]
    assert card.indicator is Indicator.INFO
    assert card.summary == ("This supply takes the cumulative dose to 35.0 mg/kg, past the "
                            "plan's 30 mg/kg target")
    # (30 - 15) mg/kg at 40 mg a day and 60 kg: 22.5 days, so on day 23.
    assert "on about day 23 of this 30-day supply" in card.detail


def test_a_target_already_reached_is_said_so() -> None:
    loaded = ready(DISPENSE, target=Decimal(10))
    card = kinds(order_cards(view(loaded, dt.date(2026, 10, 2)), draft(40, 30),
                             RULES))[CardKind.CUMULATIVE_PROJECTION]
    assert card.summary == ("The plan's 10 mg/kg target is already reached (15.0 mg/kg given "
                            "or dispensed)")


def test_a_supply_short_of_the_target_gets_no_projection_card() -> None:
    cards = order_cards(view(ready(DISPENSE), dt.date(2026, 10, 2)), draft(40, 30), RULES)
    assert CardKind.CUMULATIVE_PROJECTION not in kinds(cards)


def test_every_card_about_an_order_names_it() -> None:
    cards = order_cards(view(ready(), dt.date(2026, 10, 12)), draft(150, 90, refills=2,
                                                                     product="us-absorica-ld"),
                        RULES)
    assert len(cards) >= 3
    assert {card.order_id for card in cards} == {ORDER}


def test_the_card_source_is_the_rule_pack_in_force() -> None:
    (card,) = [c for c in order_cards(view(ready()), draft(40, 90), RULES)
               if c.kind is CardKind.ORDER_LIMITS]
    assert card.source == "isocourse · us-ipledge@2026-08-08"  # in force on READY_DAY
