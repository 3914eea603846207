"""Properties of the US iPLEDGE assessment over random course records.

The records are random but plausible: a patient of either risk category under one of the
three versions (a base date in 2022, 2024 or after the 2026 go-live), often a well-prepared
first month (``prep``: screening and confirmation tests, contraception, consent, labs), plus
random events (enrollment, consent, counselling, comprehension answers, contraception,
pregnancy tests in any setting and result, prescriptions sometimes over the limits,
dispenses) and perhaps a course end, all within five months, assessed on a random day.
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
from isocourse.rules.output import assessment_to_json
from tests.spec.harness import course, ev
from tests.spec.us_ipledge_records import baseline_labs, prep

BASES = (dt.date(2022, 3, 1), dt.date(2024, 3, 1), dt.date(2026, 9, 1))
SPAN = 150
METHODS = ("iud", "implant", "combined-pill", "male-condom", "diaphragm",
           "progestin-only-pill", "abstinence")
Event = dict[str, Any]


def _event(base: dt.date) -> st.SearchStrategy[Event]:
    def on(offset: int) -> str:
        return (base + dt.timedelta(days=offset)).isoformat()

    days = st.integers(0, SPAN)
    return st.one_of(
        days.map(lambda d: ev.enrollment(on(d))),
        days.map(lambda d: ev.consent(on(d))),
        days.map(lambda d: ev.counseling(on(d))),
        st.builds(lambda d, p: ev.comprehension(on(d), passed=p), days, st.booleans()),
        st.builds(lambda d, m: ev.contraception(on(d), *m), days,
                  st.lists(st.sampled_from(METHODS), max_size=3, unique=True)),
        st.builds(lambda d, r, s: ev.test(on(d), result=r, setting=s), days,
                  st.sampled_from(["negative"] * 6 + ["positive"]),
                  st.sampled_from(["lab", "office", "home"])),
        st.builds(lambda d, n, r: ev.prescription(on(d), days_supply=n, refills=r), days,
                  st.integers(28, 31), st.integers(0, 1)),
        st.builds(lambda d, n: ev.dispense(on(d), days_supply=n), days, st.integers(28, 30)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date]:
    base = draw(st.sampled_from(BASES))
    on = base + dt.timedelta(days=draw(st.integers(0, SPAN + 40)))
    if draw(st.booleans()):
        # A well-prepared course, assessed near its first fill (often allowed), plus a few
        # random events.
        screen = base + dt.timedelta(days=draw(st.integers(0, 30)))
        confirm = screen + dt.timedelta(days=draw(st.integers(17, 25)))
        events = prep(screen.isoformat(), confirm.isoformat(),
                      confirm_setting=draw(st.sampled_from(["lab", "office"])))
        events += draw(st.lists(_event(base), max_size=4))
        on = confirm + dt.timedelta(days=draw(st.integers(-3, 10)))
    else:
        events = draw(st.lists(_event(base), max_size=25))
        if draw(st.booleans()):
            events += baseline_labs(base.isoformat())
    if draw(st.booleans()):
        events.append(ev.end((base + dt.timedelta(days=draw(st.integers(60, SPAN)))).isoformat()))
    record = course(can_get_pregnant=draw(st.booleans()),
                    home_tests_allowed=draw(st.booleans()), events=events)
    return record, on


def _assess(record: dict[str, Any], on: dt.date) -> dict[str, Any]:
    catalog = load_catalog()
    parsed = parse_record(json.loads(json.dumps(record)), known_products=catalog.products)
    return assessment_to_json(assess(parsed, on=on, library=load_rule_library(),
                                     catalog=catalog))


@given(scenarios())
def test_assessment_is_deterministic(case: tuple[dict[str, Any], dt.date]) -> None:
    record, on = case
    assert _assess(record, on) == _assess(record, on)


@given(scenarios())
def test_a_block_never_coexists_with_dispense_allowed(
        case: tuple[dict[str, Any], dt.date]) -> None:
    out = _assess(*case)
    stops = any(f["severity"] in ("block", "urgent") for f in out["findings"])
    assert out["dispense_allowed"] is not stops


@given(scenarios())
def test_an_open_window_contains_the_day_and_has_the_programme_length(
        case: tuple[dict[str, Any], dt.date]) -> None:
    record, on = case
    window = _assess(record, on)["window"]
    if window is None:
        return
    start, end = dt.date.fromisoformat(window["start"]), dt.date.fromisoformat(window["end"])
    assert start <= on <= end
    length = 7 if record["patient"]["can_get_pregnant"] else 30
    assert (end - start).days + 1 == length


@given(scenarios(), st.integers(0, SPAN),
       st.sampled_from(["side_effect", "weight"]),
       st.sampled_from(["cheilitis", "dry-skin", "dry-eyes"]))
def test_an_unrelated_event_never_changes_whether_to_dispense(
        case: tuple[dict[str, Any], dt.date], offset: int, kind: str, effect: str) -> None:
    record, on = case
    first = dt.date.fromisoformat(record["events"][0]["date"]) if record["events"] else on
    when = (min(first, on) + dt.timedelta(days=offset)).isoformat()
    extra = (ev.side_effect(when, effect, 1) if kind == "side_effect"
             else ev.of("weight", when, kg=61.5))
    more = course(can_get_pregnant=record["patient"]["can_get_pregnant"],
                  home_tests_allowed=record["course"]["home_tests_allowed"],
                  events=[*record["events"], extra])
    assert _assess(more, on)["dispense_allowed"] is _assess(record, on)["dispense_allowed"]


@given(scenarios())
def test_messages_never_carry_the_patient_id(case: tuple[dict[str, Any], dt.date]) -> None:
    out = _assess(*case)
    patient = case[0]["patient"]["id"]
    assert all(patient not in f["message"] for f in out["findings"])
