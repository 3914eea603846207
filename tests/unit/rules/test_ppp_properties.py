"""Properties of the EU PPP and UK MHRA rules over random course records.

The library holds only the ``eu-ppp`` and ``uk-mhra`` packs, so these properties speak about
this programme's rules (the monitoring packs have their own tests).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.record import parse_record
from isocourse.rules.engine import assess
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import Assessment
from tests.spec.harness import course, ev

LIBRARY = RuleLibrary(tuple(p for p in load_rule_library().packs
                            if p.programme in ("eu-ppp", "uk-mhra")))
CATALOG = load_catalog()
PPP_ONLY = ("acknowledgement", "contraception", "initial-pregnancy-test",
            "monthly-pregnancy-test", "dispensing-window", "prescription-limits",
            "test-after-stopping")
METHODS = ("iud", "combined-pill", "male-condom", "diaphragm", "abstinence",
           "progestin-only-pill")

offsets = st.integers(-70, 120)


def _event(kind: str, date: str, draw: st.DrawFn) -> dict[str, Any]:
    if kind == "contraception":
        return ev.contraception(date, *draw(st.lists(st.sampled_from(METHODS), max_size=2,
                                                     unique=True)))
    if kind == "test":
        extra = {"verified_by": "nurse"} if draw(st.booleans()) else {}
        return ev.test(date, draw(st.sampled_from(("negative", "negative", "positive"))),
                       draw(st.sampled_from(("lab", "office", "home"))), **extra)
    if kind == "prescription":
        return ev.prescription(date, days_supply=draw(st.integers(1, 40)),
                               refills=draw(st.integers(0, 1)))
    if kind == "dispense":
        return ev.dispense(date, days_supply=draw(st.integers(1, 30)))
    if kind in ("mental_health_check", "sexual_function_check"):
        return ev.of(kind, date, concern=draw(st.booleans()))
    if kind == "prescriber_agreement":
        return ev.of(kind, date, prescriber="second prescriber")
    return ev.of(kind, date)


KINDS = ("contraception", "risk_acknowledgement", "test", "prescription", "dispense",
         "mental_health_check", "sexual_function_check", "prescriber_agreement", "course_end")


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date]:
    """A random EU or UK course record and an assessment date."""
    anchor = draw(st.dates(dt.date(2018, 9, 1), dt.date(2026, 12, 31)))
    events: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(KINDS))
        if kind == "course_end" and any(e["type"] == "course_end" for e in events):
            continue
        date = (anchor + dt.timedelta(days=draw(offsets))).isoformat()
        events.append(_event(kind, date, draw))
    on = max(anchor + dt.timedelta(days=draw(offsets)), dt.date(2018, 6, 21))
    doc = course(jurisdiction=draw(st.sampled_from(("eu-ppp", "uk-mhra"))),
                 product="uk-generic", can_get_pregnant=draw(st.booleans()),
                 birth_date=draw(st.dates(dt.date(1990, 1, 1), dt.date(2012, 1, 1))).isoformat(),
                 home_tests_allowed=draw(st.booleans()), events=events)
    return doc, on


def _assess(doc: dict[str, Any], on: dt.date) -> Assessment:
    record = parse_record(json.loads(json.dumps(doc)), known_products=CATALOG.products)
    return assess(record, on=on, library=LIBRARY, catalog=CATALOG)


def _with(doc: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    events = sorted([*doc["events"], event], key=lambda e: str(e["date"]))
    return {**doc, "events": events}


@given(cases())
def test_the_same_record_and_date_always_give_the_same_assessment(
        case: tuple[dict[str, Any], dt.date]) -> None:
    doc, on = case
    assert _assess(doc, on) == _assess(doc, on)


@given(cases())
def test_a_block_never_coexists_with_dispensing_allowed(
        case: tuple[dict[str, Any], dt.date]) -> None:
    result = _assess(*case)
    stops = any(f.severity.stops_dispensing for f in result.findings)
    assert not (stops and result.dispense_allowed)


@given(cases(), offsets, st.sampled_from(("weight", "side_effect")))
def test_an_unrelated_info_event_never_changes_the_decision(
        case: tuple[dict[str, Any], dt.date], offset: int, kind: str) -> None:
    doc, on = case
    date = max(on - dt.timedelta(days=abs(offset)), dt.date(2018, 6, 21)).isoformat()
    extra = (ev.of("weight", date, kg=71.5) if kind == "weight"
             else ev.side_effect(date, "dry-skin", 1))
    before, after = _assess(doc, on), _assess(_with(doc, extra), on)
    assert after.dispense_allowed is before.dispense_allowed
    assert after.findings == before.findings


@given(cases())
def test_an_open_window_contains_the_day_and_starts_on_a_prescription(
        case: tuple[dict[str, Any], dt.date]) -> None:
    doc, on = case
    result = _assess(doc, on)
    if result.window is not None:
        assert result.window.start <= on <= result.window.end
        assert (result.window.end - result.window.start).days == 6
        written = {e["date"] for e in doc["events"] if e["type"] == "prescription"}
        assert result.window.start.isoformat() in written


@given(cases())
def test_pregnancy_prevention_rules_are_silent_for_patients_who_cannot_get_pregnant(
        case: tuple[dict[str, Any], dt.date]) -> None:
    doc, on = case
    doc["patient"]["can_get_pregnant"] = False
    result = _assess(doc, on)
    assert not [f for f in result.findings if f.rule_id.split(".", 1)[1] in PPP_ONLY]
    assert result.window is None
