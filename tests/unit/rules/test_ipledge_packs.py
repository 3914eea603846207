"""The three US iPLEDGE packs as data: versions, dates, stable rule ids, shared parameters."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from isocourse.catalog import load_rule_library
from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import PregnancyTestSetting
from isocourse.rules.kinds.ipledge import describe_settings, settings_param
from isocourse.rules.model import Applicability, Param, RulePack, RuleSpec, Source
from isocourse.rules.registry import lookup

BASE, OVERLAY, B = "us-ipledge@2021-12-13", "us-ipledge@2023-10", "us-ipledge@2026-08-08"
#: Parameters that several rules of one pack carry and that must agree within the pack.
SHARED = ("settings_before", "settings_during", "home_needs_prescriber", "screening_settings",
          "min_days_between", "window_days", "lockout_days", "min_methods", "min_primary",
          "abstinence_counts")
# The CANNOT window counts 30 days, the CAN window 7: ``window_days`` is shared only by the
# rules about the 7-day window.
_SEVEN_DAY_KINDS = {"ipledge-pickup-window", "ipledge-lockout"}


def _packs() -> dict[str, RulePack]:
    return {p.name: p for p in load_rule_library().versions("us-ipledge")}


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def test_three_versions_follow_each_other() -> None:
    library = load_rule_library()
    versions = library.versions("us-ipledge")
    assert [p.name for p in versions] == [BASE, OVERLAY, B]
    assert library.last_day(versions[0]) == dt.date(2023, 9, 30)
    assert library.last_day(versions[1]) == dt.date(2026, 8, 7)
    assert library.last_day(versions[2]) is None


def test_2026_go_live_is_approval_plus_180_days() -> None:
    assert _packs()[B].effective_from == dt.date(2026, 2, 9) + dt.timedelta(days=180)


def test_moving_the_2026_go_live_keeps_the_overlay_in_force_until_then() -> None:
    library = load_rule_library(effective_dates={B: dt.date(2026, 11, 15)})
    assert library.in_force("us-ipledge", dt.date(2026, 11, 14)).name == OVERLAY
    assert library.in_force("us-ipledge", dt.date(2026, 11, 15)).name == B


def test_rule_ids_are_prefixed_and_later_versions_add_none() -> None:
    packs = _packs()
    base_ids = {r.id for r in packs[BASE].rules}
    assert all(i.startswith("us-ipledge.") for i in base_ids)
    for name in (OVERLAY, B):
        assert {r.id for r in packs[name].rules} <= base_ids


def test_a_rule_id_keeps_its_kind_and_category_in_every_version() -> None:
    base = {r.id: r for r in _packs()[BASE].rules}
    for pack in _packs().values():
        for rule in pack.rules:
            assert (rule.kind, rule.applies_to) == (base[rule.id].kind, base[rule.id].applies_to)


def test_2026_removes_the_lockout_and_the_30_day_window() -> None:
    packs = _packs()
    for name in (BASE, OVERLAY):
        assert packs[name].rule("us-ipledge.lockout") is not None
        assert packs[name].rule("us-ipledge.cannot-get-pregnant-window") is not None
    assert packs[B].rule("us-ipledge.lockout") is None
    assert packs[B].rule("us-ipledge.cannot-get-pregnant-window") is None
    window = packs[B].rule("us-ipledge.window")
    assert window is not None and window.value("lockout_days") == 0


@pytest.mark.parametrize("name", [BASE, OVERLAY, B])
def test_shared_parameters_agree_within_a_pack(name: str) -> None:
    pack = _packs()[name]
    for param in SHARED:
        values = {
            json.dumps(_comparable(rule.value(param)))
            for rule in pack.rules
            if param in rule.params and rule.applies_to is Applicability.CAN_GET_PREGNANT
            and (param != "window_days" or rule.kind in _SEVEN_DAY_KINDS)
        }
        assert len(values) <= 1, f"{name}: {param} differs between rules: {values}"


@pytest.mark.parametrize("name", [BASE, OVERLAY, B])
def test_every_unconfirmed_parameter_says_why(name: str) -> None:
    for rule in _packs()[name].rules:
        for param in rule.params.values():
            if param.unconfirmed:
                assert param.note, f"{rule.id}.{param.name}"


def test_unconfirmed_items_of_the_reference_are_marked() -> None:
    packs = _packs()
    cannot = packs[BASE].rule("us-ipledge.cannot-get-pregnant-window")
    assert cannot is not None and cannot.params["window_days"].unconfirmed
    for rule_id in ("us-ipledge.comprehension", "us-ipledge.pretreatment-tests"):
        rule = packs[B].rule(rule_id)
        assert rule is not None
        assert any(p.unconfirmed for p in rule.params.values()), rule_id
    for name in (OVERLAY, B):
        assert "UNCONFIRMED" in packs[name].notes


def test_every_kind_is_documented() -> None:
    for pack in _packs().values():
        for rule in pack.rules:
            assert lookup(rule.kind).doc, rule.kind


def _spec(**params: Any) -> RuleSpec:
    source = Source("T", "test", "D")
    return RuleSpec("us-ipledge.test", "ipledge-test-settings", "t", Applicability.ALL, source,
                    "", {k: Param(k, v) for k, v in params.items()})


def test_a_misspelt_test_setting_is_a_named_pack_error() -> None:
    with pytest.raises(RuleDataError, match="settings_before"):
        settings_param(_spec(settings_before=["lab", "clinic"]), "settings_before")
    with pytest.raises(RuleDataError, match="settings_before"):
        settings_param(_spec(settings_before=[]), "settings_before")


def test_settings_read_as_a_pharmacist_would_say_them() -> None:
    lab, office, home = PregnancyTestSetting
    assert describe_settings([lab]) == "a CLIA-certified lab"
    assert describe_settings([office, lab]) == (
        "a medical setting (a lab or the prescriber's office)")
    assert describe_settings([lab, office, home]) == (
        "in a lab, in the prescriber's office or at home")
