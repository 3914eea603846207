"""Every card summary is one line under 140 characters (CDS Hooks), whatever the order,
the course's day or the text: property-based."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.services.cds.cards import SUMMARY_LIMIT, Card, CardKind, Indicator, fit
from isocourse.services.cds.course_cards import (
    missed_window_card,
    positive_test_card,
    status_card,
)
from isocourse.services.cds.hooks import DraftOrder
from isocourse.services.cds.order_cards import order_cards
from tests.unit.cds.courses import RULES, ready, view

POSITIVE = {"type": "pregnancy_test", "date": "2026-10-05", "result": "positive",
            "setting": "lab"}
COURSES = {"ready": ready(), "positive": ready(POSITIVE),
           "dispensed": ready({"type": "dispense", "date": "2026-10-01", "daily_mg": 30,
                               "days_supply": 30})}

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@given(texts, st.text(max_size=40))
def test_fit_keeps_any_text_under_the_limit_and_the_suffix_whole(text: str,
                                                                 suffix: str) -> None:
    line = fit(text, suffix)
    assert 0 < len(line) < SUMMARY_LIMIT
    assert "\n" not in line
    tail = " ".join(suffix.split())
    if len(tail) < 60:
        assert line.endswith(tail)


@given(st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=120))
def test_a_short_summary_is_left_as_it_is(text: str) -> None:
    assert fit(text) == text


def test_a_card_refuses_a_summary_of_140_characters() -> None:
    with pytest.raises(ValueError, match="1 to 139"):
        Card(kind=CardKind.NO_COURSE, indicator=Indicator.INFO, summary="x" * 140,
             detail="", source="s")


@given(daily=st.one_of(st.none(), st.integers(1, 5000)),
       days=st.one_of(st.none(), st.integers(1, 2000)), refills=st.integers(0, 99),
       product=st.one_of(st.none(), st.sampled_from(sorted(RULES.catalog.products))),
       family=st.one_of(st.none(), st.sampled_from(["conventional", "lidose", "micronized"])),
       which=st.sampled_from(sorted(COURSES)), offset=st.integers(0, 400))
def test_every_card_for_any_order_on_any_day_has_a_summary_under_the_limit(
        daily: int | None, days: int | None, refills: int, product: str | None,
        family: str | None, which: str, offset: int) -> None:
    seen = view(COURSES[which], dt.date(2026, 10, 1) + dt.timedelta(days=offset))
    order = DraftOrder(order_id="MedicationRequest/" + "x" * 64, daily_mg=daily,
                       days_supply=days, refills=refills, product=product, family=family)
    cards = [*order_cards(seen, order, RULES), status_card(seen)]
    cards += [c for c in (positive_test_card(seen), missed_window_card(seen)) if c]
    for card in cards:  # Card itself refuses a summary of 140 or more
        assert 0 < len(card.summary) < SUMMARY_LIMIT and "\n" not in card.summary
