"""The iPLEDGE kinds' helpers: supply arithmetic, test settings, and the window replay."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.record import parse_record
from isocourse.rules.facts import CourseFacts
from isocourse.rules.kinds.ipledge import SettingPolicy, next_fill_date, supply_last_day
from isocourse.rules.kinds.ipledge_tests import window_state
from isocourse.rules.model import RuleSpec
from tests.spec.harness import ev
from tests.spec.us_ipledge_records import Event, can, prep

D = dt.date.fromisoformat
PREP = prep("2022-09-01", "2022-09-20")


def _facts(events: list[Event], on: str, **kwargs: Any) -> CourseFacts:
    catalog = load_catalog()
    record = parse_record(json.loads(json.dumps(can(events, **kwargs))),
                          known_products=catalog.products)
    return CourseFacts(record, D(on))


def _rule(rule_id: str, version: str = "us-ipledge@2021-12-13") -> RuleSpec:
    pack = next(p for p in load_rule_library().packs if p.name == version)
    spec = pack.rule(rule_id)
    assert spec is not None
    return spec


def test_supplies_run_one_after_another() -> None:
    facts = _facts([*PREP, ev.dispense("2022-09-22"), ev.dispense("2022-10-15", days_supply=28)],
                   "2022-10-20")
    # 22 Sep + 30 days covers to 21 Oct; the early second fill starts on 22 Oct, 28 days.
    assert supply_last_day(facts) == D("2022-11-18")
    assert next_fill_date(facts) == D("2022-11-18")


def test_the_next_fill_is_due_today_once_the_supply_has_run_out() -> None:
    facts = _facts([*PREP, ev.dispense("2022-09-22")], "2022-11-01")
    assert next_fill_date(facts) == D("2022-11-01")


def test_before_any_fill_there_is_no_supply() -> None:
    facts = _facts(PREP, "2022-09-20")
    assert supply_last_day(facts) is None
    assert next_fill_date(facts) == D("2022-09-20")


@pytest.mark.parametrize(("version", "setting", "allowed", "counts"), [
    ("us-ipledge@2021-12-13", "office", False, False),
    ("us-ipledge@2023-10", "home", False, True),
    ("us-ipledge@2026-08-08", "home", False, False),
    ("us-ipledge@2026-08-08", "home", True, True),
    ("us-ipledge@2026-08-08", "office", False, True),
])
def test_which_monthly_tests_count(version: str, setting: str, allowed: bool,
                                   counts: bool) -> None:
    events = [*PREP, ev.dispense("2022-09-22"), ev.test("2022-10-18", setting=setting)]
    facts = _facts(events, "2022-10-18", home_tests_allowed=allowed)
    policy = SettingPolicy.of(_rule("us-ipledge.monthly-test", version))
    assert policy.accepts(facts, facts.negative_tests[-1]) is counts


def test_a_test_on_the_first_dose_day_is_a_pretreatment_test() -> None:
    facts = _facts([*PREP, ev.test("2022-09-22", setting="home"), ev.dispense("2022-09-22")],
                   "2022-09-22", home_tests_allowed=True)
    policy = SettingPolicy.of(_rule("us-ipledge.monthly-test", "us-ipledge@2026-08-08"))
    refusal = policy.refusal(facts, facts.negative_tests[-1])
    assert refusal is not None and refusal.startswith("before the first dose")


def test_a_newer_test_inside_an_open_window_opens_a_later_window() -> None:
    facts = _facts([*PREP, ev.test("2022-09-24")], "2022-09-28")
    state = window_state(facts, _rule("us-ipledge.window"))
    assert state.opener is not None and state.opener.date == D("2022-09-24")
    assert state.end == D("2022-09-30") and state.open_on(facts.on)
    assert state.wait_until is None


def test_the_lockout_chain_skips_early_tests_and_resumes_at_day_19() -> None:
    events = [*PREP, ev.test("2022-10-01"), ev.test("2022-10-09")]
    early = window_state(_facts(events[:-1], "2022-10-05"), _rule("us-ipledge.window"))
    assert early.too_early is not None and early.too_early.date == D("2022-10-01")
    assert early.wait_until == D("2022-10-09")
    later = window_state(_facts(events, "2022-10-09"), _rule("us-ipledge.window"))
    assert later.opener is not None and later.opener.date == D("2022-10-09")
    assert later.too_early is None and later.open_on(D("2022-10-09"))


def test_a_missed_window_after_the_first_fill_has_no_lockout() -> None:
    events = [*PREP, ev.dispense("2022-09-22"), ev.test("2022-10-18"), ev.test("2022-10-26")]
    state = window_state(_facts(events, "2022-10-26"), _rule("us-ipledge.window"))
    assert state.opener is not None and state.opener.date == D("2022-10-26")
    assert state.wait_until is None
