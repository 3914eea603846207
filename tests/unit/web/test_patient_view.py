"""The patient pages' view-model (adapters/web/patient_view.py) and comprehension questions:
today's capsules, progress and its projection, what is due in plain words, the window, the
alerts, the packs' advice and red flags, PHQ-9 bands, and the dose diary's merging, checked
against the catalog, the planner and the safety engine themselves."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isocourse.adapters.web import comprehension as quiz
from isocourse.adapters.web import patient_view as view
from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.dosing import table_for
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import PlanRequest, plan_course
from isocourse.domain.products import Food
from isocourse.domain.record import CourseRecord, SideEffectKind, parse_record
from isocourse.rules.engine import assess
from isocourse.rules.facts import CourseFacts
from isocourse.rules.kinds.mood import phq9_band
from isocourse.rules.kinds.side_effects import advice_param
from isocourse.rules.model import Assessment, Cumulative, DueItem, Finding, Severity, Window

CATALOG = load_catalog()
LIBRARY = load_rule_library()
START = dt.date(2026, 10, 3)


def record(events: list[dict[str, Any]], *, product: str = "us-conventional",
           jurisdiction: str = "us-ipledge", can: bool = True,
           start: dt.date | None = START) -> CourseRecord:
    course: dict[str, Any] = {"jurisdiction": jurisdiction, "product": product}
    if start is not None:
        course["start_date"] = start.isoformat()
    return parse_record({
        "format": "isocourse-course/1",
        "patient": {"id": "p-1", "birth_date": "2000-01-01", "can_get_pregnant": can,
                    "weight_kg": 60},
        "course": course, "events": events}, known_products=CATALOG.products)


def plan_json(product: str = "us-conventional", start: dt.date = START) -> dict[str, Any]:
    plan = plan_course(PlanRequest(product_id=product, weight=Decimal(60),
                                   mg_per_kg=Decimal(1), start_date=start,
                                   start_mg_per_kg=Decimal("0.5"), start_days=28), CATALOG)
    return plan_to_json(plan)


def assessed(rec: CourseRecord, on: dt.date) -> Assessment:
    return assess(rec, on=on, library=LIBRARY, catalog=CATALOG)


# -- today's dose ----------------------------------------------------------------------------

def test_todays_dose_is_the_latest_supply_even_when_a_newer_prescription_is_not_picked_up() -> None:
    rec = record([
        {"type": "prescription", "date": "2026-10-01", "daily_mg": 30, "days_supply": 30},
        {"type": "dispense", "date": "2026-10-02", "daily_mg": 30, "days_supply": 30},
        {"type": "prescription", "date": "2026-10-29", "daily_mg": 60, "days_supply": 30},
    ])
    regimen = view.regimen_on(rec, None, dt.date(2026, 10, 30), CATALOG)
    assert regimen is not None
    assert (regimen.daily_mg, regimen.source, regimen.since) == (
        30, view.DoseSource.SUPPLY, dt.date(2026, 10, 2))
    before_supply = view.regimen_on(rec, None, dt.date(2026, 10, 1), CATALOG)
    assert before_supply is not None and before_supply.source is view.DoseSource.PRESCRIPTION


@pytest.mark.parametrize("product", sorted(CATALOG.products))
@pytest.mark.parametrize("daily_mg", [20, 30, 40, 60, 80])
def test_the_capsules_of_each_dose_are_the_products_capsule_tables(product: str,
                                                                  daily_mg: int) -> None:
    rec = record([{"type": "prescription", "date": "2026-10-01", "daily_mg": daily_mg,
                   "days_supply": 30}], product=product)
    regimen = view.regimen_on(rec, None, dt.date(2026, 10, 1), CATALOG)
    assert regimen is not None
    dose = table_for(CATALOG.get(product)).dose(daily_mg)
    if dose is None:
        assert regimen.times == ()
        return
    assert sum(t.mg for t in regimen.times) == daily_mg
    by_strength: dict[int, int] = {}
    for time in regimen.times:
        assert sum(c.strength_mg * c.count for c in time.capsules) == time.mg
        for c in time.capsules:
            by_strength[c.strength_mg] = by_strength.get(c.strength_mg, 0) + c.count
    assert by_strength == dose.capsules_by_strength()
    assert [t.slot for t in regimen.times] == (["once"] if dose.once_daily else ["am", "pm"])


def test_a_dose_below_two_of_the_smallest_capsule_is_one_dose_a_day() -> None:
    rec = record([{"type": "prescription", "date": "2026-10-01", "daily_mg": 10,
                   "days_supply": 30}])
    regimen = view.regimen_on(rec, None, dt.date(2026, 10, 1), CATALOG)
    assert regimen is not None
    assert [(t.slot, t.mg, t.capsules_text) for t in regimen.times] == [
        ("once", 10, "1 × 10 mg capsule")]


def test_before_any_prescription_the_plans_first_phase_is_shown_and_after_the_end_nothing() -> None:
    plan = plan_json()
    rec = record([], start=None)
    regimen = view.regimen_on(rec, plan, START - dt.timedelta(days=5), CATALOG)
    assert regimen is not None and regimen.source is view.DoseSource.PLAN
    assert regimen.daily_mg == plan["phases"][0]["daily_mg"]
    later = view.regimen_on(rec, plan, START + dt.timedelta(days=40), CATALOG)
    assert later is not None and later.daily_mg == plan["phases"][1]["daily_mg"]
    ended = record([{"type": "dispense", "date": "2026-10-03", "daily_mg": 30,
                     "days_supply": 30},
                    {"type": "course_end", "date": "2026-10-20"}])
    assert view.regimen_on(ended, plan, dt.date(2026, 10, 20), CATALOG) is not None
    assert view.regimen_on(ended, plan, dt.date(2026, 10, 21), CATALOG) is None


@pytest.mark.parametrize("product", sorted(CATALOG.products))
def test_the_food_instruction_is_the_catalogs(product: str) -> None:
    item = CATALOG.get(product)
    text = view.food_instruction(item)
    assert text is not None
    if item.food is Food.WITH_FOOD:
        assert "with food" in text and "without" not in text
    else:
        assert "with or without food" in text


# -- progress ----------------------------------------------------------------------------------

def test_progress_is_the_engines_cumulative_dose_against_the_plans_target() -> None:
    rec = record([
        {"type": "dispense", "date": "2026-10-03", "daily_mg": 30, "days_supply": 30},
        {"type": "dispense", "date": "2026-11-02", "daily_mg": 60, "days_supply": 30},
    ])
    on = dt.date(2026, 11, 20)
    progress = view.progress_of(rec, plan_json(), on, CATALOG, 60)
    assert progress.mg_per_kg == assessed(rec, on).cumulative.mg_per_kg
    assert progress.target_mg_per_kg == Decimal(120) and progress.from_plan
    assert progress.percent == int(progress.mg_per_kg * 100 / 120)
    assert progress.started and not progress.reached and progress.ended is None
    facts = CourseFacts(rec, on, CATALOG.get("us-conventional"))
    expected = facts.ledger.project(on, target_mg_per_kg=Decimal(120), weight_kg=Decimal(60),
                                    daily_mg=Decimal(60)).end_date
    assert (progress.expected_end, progress.expected_from) == (expected, "current dose")


def test_before_the_first_dose_the_expected_end_is_the_plans_while_its_start_is_ahead() -> None:
    plan = plan_json()
    rec = record([], start=None)
    ahead = view.progress_of(rec, plan, START - dt.timedelta(days=1), CATALOG, None)
    assert (ahead.expected_end, ahead.expected_from) == (
        dt.date.fromisoformat(plan["end_date"]), "plan")
    assert not ahead.started and ahead.percent == 0
    passed = view.progress_of(rec, plan, START + dt.timedelta(days=3), CATALOG, None)
    assert passed.expected_end is None


def test_a_course_without_a_plan_has_the_planners_default_target_and_says_so() -> None:
    rec = record([{"type": "dispense", "date": "2026-10-03", "daily_mg": 60,
                   "days_supply": 30}])
    progress = view.progress_of(rec, None, dt.date(2026, 10, 10), CATALOG, 60)
    assert progress.target_mg_per_kg == Decimal(120) and not progress.from_plan


@given(st.decimals(min_value=0, max_value=400, places=2),
       st.decimals(min_value=1, max_value=250, places=1))
def test_the_percent_is_rounded_down_and_100_only_once_the_target_is_reached(
        done: Decimal, target: Decimal) -> None:
    progress = view.Progress(Decimal(0), done, target, True, False, True, None)
    assert 0 <= progress.percent <= 100
    assert (progress.percent == 100) == (done >= target)
    assert progress.percent <= done * 100 / target


# -- due, window, alerts ---------------------------------------------------------------------

def _assessment(*, due: tuple[DueItem, ...] = (), findings: tuple[Finding, ...] = (),
                window: Window | None = None, allowed: bool = True) -> Assessment:
    return Assessment(as_of=dt.date(2026, 11, 21), jurisdiction="us-ipledge", rule_set="x",
                      rule_sets=(), dispense_allowed=allowed, window=window,
                      cumulative=Cumulative(Decimal(0), Decimal(0), "raw"),
                      findings=findings, due=due)


def test_due_items_are_in_plain_words_soonest_first_with_their_status_and_link() -> None:
    today = dt.date(2026, 11, 21)
    lines = view.due_lines(_assessment(due=(
        DueItem("phq9", dt.date(2026, 12, 19), "m.phq9", "periodic mood screen"),
        DueItem("lab", today, "m.labs", "monthly", ("alt", "triglycerides")),
        DueItem("pregnancy_test", dt.date(2026, 11, 19), "p.test", "monthly test"),
        DueItem("a_new_item", dt.date(2026, 11, 30), "p.new"),
    )), today)
    assert [(line.what, line.status, line.link) for line in lines] == [
        ("Pregnancy test", "overdue", None),
        ("Blood test", "today", None),
        ("A new item", "later", None),
        ("Mood check (PHQ-9 questionnaire)", "later", "/me/phq9"),
    ]
    assert lines[1].detail == "Checks: liver (ALT), blood fats (triglycerides)"
    assert lines[0].days == -2 and lines[0].reason == "monthly test"


def test_the_pick_up_window_counts_the_days_left_and_knows_when_it_is_open() -> None:
    window = Window(dt.date(2026, 11, 20), dt.date(2026, 11, 26))
    for day, open_now, left in ((dt.date(2026, 11, 20), True, 6),
                                (dt.date(2026, 11, 26), True, 0),
                                (dt.date(2026, 11, 19), False, 7)):
        got = view.pick_up(_assessment(window=window), day)
        assert got is not None and (got.open_now, got.days_left) == (open_now, left)
    assert view.pick_up(_assessment(), dt.date(2026, 11, 20)) is None


def test_an_open_pick_up_is_on_hold_only_when_the_engine_blocks_the_dispense() -> None:
    block = Finding("p.test", Severity.BLOCK, "no test", "src")
    urgent = Finding("m.harm", Severity.URGENT, "item 9", "src")
    info = Finding("p.window", Severity.INFO, "open", "src")
    today = dt.date(2026, 11, 21)
    window = Window(dt.date(2026, 11, 20), dt.date(2026, 11, 26))
    held = view.alerts(_assessment(findings=(urgent, block, info), window=window,
                                   allowed=False), ended=False, today=today)
    assert held.urgent == (urgent,) and held.on_hold == (block,)
    no_window = view.alerts(_assessment(findings=(block,), allowed=False), ended=False,
                            today=today)
    assert no_window.on_hold == ()
    ended = view.alerts(_assessment(findings=(block,), window=window, allowed=False),
                        ended=True, today=today)
    assert ended.on_hold == ()


# -- side effects: the packs' advice and red flags ------------------------------------------

def test_every_side_effect_kind_has_a_plain_name_and_the_packs_advice_for_it() -> None:
    on = dt.date(2026, 11, 21)
    packs = view.packs_of(assessed(record([]), on), LIBRARY)
    assert {p.programme for p in packs} == {"us-ipledge", "monitoring"}
    spec = next(s for p in packs for s in p.rules if s.kind == "side-effect-advice")
    assert set(view.SIDE_EFFECT_NAMES) == set(SideEffectKind)
    for kind in SideEffectKind:
        advice = view.advice_for(packs, kind)
        assert advice is not None
        assert advice.text == spec.params[advice_param(kind)].value
        assert advice.source
    assert view.review_grade(packs) == spec.value("review_grade")


def test_headache_with_a_visual_disturbance_is_a_red_flag_and_headache_alone_is_not() -> None:
    on = dt.date(2026, 11, 21)
    alone = record([{"type": "side_effect", "date": "2026-11-20", "kind": "headache",
                     "grade": 1}])
    packs = view.packs_of(assessed(alone, on), LIBRARY)
    assert view.red_flags(assessed(alone, on), packs) == ()
    both = record([{"type": "side_effect", "date": "2026-11-20", "kind": "headache",
                    "grade": 1},
                   {"type": "side_effect", "date": "2026-11-21",
                    "kind": "visual-disturbance", "grade": 1}])
    flags = view.red_flags(assessed(both, on), packs)
    assert [f.rule_id for f in flags] == ["monitoring.red-flags.intracranial-pressure"]
    # an urgent finding of another rule (PHQ-9 item 9) is not a side-effect red flag
    harm = record([{"type": "phq9", "date": "2026-11-21", "items": [0] * 8 + [1]}])
    assert view.red_flags(assessed(harm, on), packs) == ()
    assert any(f.severity is Severity.URGENT for f in assessed(harm, on).findings)


# -- PHQ-9 ------------------------------------------------------------------------------------

def test_the_phq9_has_nine_items_and_four_answers_scored_0_to_3() -> None:
    assert len(view.PHQ9_QUESTIONS) == 9
    assert "better off dead" in view.PHQ9_QUESTIONS[8]
    assert [v for v, _ in view.PHQ9_ANSWERS] == [0, 1, 2, 3]
    packs = view.packs_of(assessed(record([]), dt.date(2026, 11, 21)), LIBRARY)
    assert view.phq9_bands(packs) == [5, 10, 15, 20]


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9))
def test_a_phq9_result_has_the_total_its_band_and_bands_that_cover_0_to_27(
        items: list[int]) -> None:
    result = view.phq9_result(items, [5, 10, 15, 20])
    assert result.total == sum(items)
    assert result.band == phq9_band(sum(items), [5, 10, 15, 20])
    covered = [n for low, high, _ in result.bands for n in range(low, high + 1)]
    assert covered == list(range(28))
    assert [name for low, high, name in result.bands if low <= result.total <= high] == [
        result.band]
    assert result.self_harm == (items[8] > 0)


# -- the dose diary ----------------------------------------------------------------------------

_DIARY_BASE = [{"type": "dispense", "date": "2026-10-03", "daily_mg": 30, "days_supply": 30}]


def _apply(steps: list[tuple[str, str]], day: dt.date) -> tuple[CourseRecord, list[Any]]:
    """Record each (slot, mark) of ``day`` as the diary page does; the record and events."""
    events: list[dict[str, Any]] = copy.deepcopy(_DIARY_BASE)
    written = []
    for n, (slot, mark) in enumerate(steps):
        rec = record(events)
        regimen = view.regimen_on(rec, None, day, CATALOG)
        assert regimen is not None
        existing = view.diary_days(rec, day).get(day)
        event = view.diary_entry(day, slot, mark, regimen, existing)
        written.append(event)
        if event is not None:
            events.append({**event, "id": f"d-{n}"})
    return record(events), written


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["am", "pm"]), st.sampled_from(["taken", "missed"])),
                min_size=1, max_size=6))
def test_the_diary_keeps_one_standing_entry_a_day_counting_exactly_the_doses_taken(
        steps: list[tuple[str, str]]) -> None:
    day = dt.date(2026, 10, 10)
    rec, written = _apply(steps, day)
    final: dict[str, str] = {}
    for (slot, mark), event in zip(steps, written, strict=True):
        assert (event is None) == (final.get(slot) == mark)  # nothing new: nothing written
        final[slot] = mark
    entry = view.diary_days(rec, day)[day]
    assert dict(entry.slots) == final
    regimen = view.regimen_on(rec, None, day, CATALOG)
    assert regimen is not None
    taken_mg = sum(t.mg for t in regimen.times if final.get(t.slot) == "taken")
    assert entry.taken == (taken_mg > 0)
    assert entry.mg == (taken_mg or regimen.daily_mg)  # nothing taken: the day's dose due
    # Once the diary holds a dose taken, the engine counts exactly the mg taken from it;
    # a diary of missed doses only leaves the engine counting dispensed supply (its rule).
    totals = CourseFacts(rec, day, CATALOG.get("us-conventional")).cumulative
    supply = CourseFacts(record(_DIARY_BASE), day, CATALOG.get("us-conventional")).cumulative
    assert totals.mg == (taken_mg or supply.mg)
    # one standing dose event for the day: every earlier one is superseded
    assert len([e for e in rec.effective_events() if e.type.value == "dose"]) == 1


def test_a_diary_entry_says_what_was_taken_and_missed_in_its_note_and_extensions() -> None:
    _, written = _apply([("am", "taken"), ("pm", "missed")], dt.date(2026, 10, 10))
    last = written[-1]
    assert last["supersedes"] == "d-0" and last["reason"]
    assert (last["mg"], last["taken"]) == (10, True)
    assert "morning dose (10 mg) taken; evening dose (20 mg) missed" in last["note"]
    assert last["extensions"][view.DIARY_EXTENSION] == {"am": "taken", "pm": "missed",
                                                         "am_mg": 10, "pm_mg": 20}
    missed, _ = _apply([("am", "missed"), ("pm", "missed")], dt.date(2026, 10, 11))
    entry = view.diary_days(missed, dt.date(2026, 10, 11))[dt.date(2026, 10, 11)]
    assert (entry.mg, entry.taken) == (30, False)


def test_a_whole_day_entry_recorded_elsewhere_is_read_as_both_doses() -> None:
    rec = record([*_DIARY_BASE, {"type": "dose", "date": "2026-10-10", "id": "x",
                                 "mg": 30, "taken": True}])
    day = dt.date(2026, 10, 10)
    regimen = view.regimen_on(rec, None, day, CATALOG)
    assert regimen is not None
    existing = view.diary_days(rec, day)[day]
    event = view.diary_entry(day, "pm", "missed", regimen, existing)
    assert event is not None and event["supersedes"] == "x"
    assert (event["mg"], event["taken"]) == (10, True)
    assert view.diary_entry(day, "am", "taken", regimen, existing) is None


# -- comprehension -------------------------------------------------------------------------

def test_each_comprehension_question_has_its_answer_among_its_options_and_a_source() -> None:
    assert len({q.id for q in quiz.QUESTIONS}) == len(quiz.QUESTIONS)
    for question in quiz.QUESTIONS:
        assert question.answer in dict(question.options)
        assert question.source.startswith("regulatory.md §")
        assert question.explanation


def _right() -> dict[str, str | None]:
    return {q.id: q.answer for q in quiz.QUESTIONS}


@given(st.sampled_from([q.id for q in quiz.QUESTIONS]), st.data())
def test_a_set_passes_only_when_every_answer_is_right(wrong_id: str, data: st.DataObject) -> None:
    answers = _right()
    question = next(q for q in quiz.QUESTIONS if q.id == wrong_id)
    answers[wrong_id] = data.draw(st.sampled_from(
        [v for v, _ in question.options if v != question.answer] + [None, "made-up"]))
    marked = quiz.mark(answers)
    assert [m.question.id for m in marked if not m.correct] == [wrong_id]
    event = quiz.comprehension_event(dt.date(2026, 11, 21), marked)
    assert event["passed"] is False
    assert event["extensions"][quiz.EXTENSION]["wrong"] == [wrong_id]
    assert quiz.comprehension_event(dt.date(2026, 11, 21), quiz.mark(_right()))["passed"]


def test_the_recorded_answers_are_a_valid_event_and_read_back_for_the_result_page() -> None:
    answers = _right() | {"no-sharing": "true"}
    event = quiz.comprehension_event(dt.date(2026, 11, 21), quiz.mark(answers))
    rec = record([event])
    stored = rec.events[0]
    assert "Not the iPLEDGE system's questions" in (stored.note or "")
    assert quiz.stored_answers(stored.extensions) == answers
    assert quiz.stored_answers({"other": {}}) is None


@pytest.mark.parametrize(("jurisdiction", "can", "has"), [
    ("us-ipledge", True, True), ("us-ipledge", False, False),
    ("eu-ppp", True, False), ("uk-mhra", True, False)])
def test_only_ipledge_asks_patients_who_can_get_pregnant_the_comprehension_questions(
        jurisdiction: str, can: bool, has: bool) -> None:
    product = "us-conventional" if jurisdiction == "us-ipledge" else "uk-generic"
    for on in (dt.date(2026, 1, 10), dt.date(2026, 11, 21)):
        rec = record([], jurisdiction=jurisdiction, product=product, can=can)
        packs = view.packs_of(assessed(rec, on), LIBRARY)
        assert quiz.programme_has_comprehension(packs, can) is has
