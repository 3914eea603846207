"""The course page's view model: the stored plan read back, where the course is on a date,
the timeline, the findings with their rules; properties over any valid record."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from isocourse.adapters.reports.charts import cumulative_chart
from isocourse.adapters.web.course_plan import course_progress, plan_view
from isocourse.adapters.web.course_timeline import timeline
from isocourse.adapters.web.course_view import findings_of
from isocourse.adapters.web.course_words import capsule_text
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.record import CourseRecord
from isocourse.rules.engine import assess
from isocourse.rules.facts import CourseFacts
from isocourse.rules.model import Severity
from isocourse.services.ports import Rulebook
from isocourse.services.stored import StoredEvent
from tests.spec.harness import ev
from tests.unit.record.record_strategies import records
from tests.unit.reports.support import CATALOG, LIBRARY, plan, record

RULES = Rulebook(CATALOG, LIBRARY)
PRODUCTS = sorted(CATALOG.products)
START = dt.date(2026, 1, 1)


def _stored(rec: CourseRecord) -> list[StoredEvent]:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [StoredEvent(course_id="c", seq=i, type=e.type.value, date=e.date, body={},
                        recorded_at=at, recorded_by=f"user-{i}", event_id=e.id,
                        supersedes=e.supersedes) for i, e in enumerate(rec.events)]


# -- the stored plan ----------------------------------------------------------------------

def test_the_stored_plan_reads_back_with_each_phase_its_dates_and_capsules() -> None:
    made = plan(start="2026-01-01", weight="60", mg_per_kg="1")
    view = plan_view(plan_to_json(made), dt.date(2026, 3, 1))
    assert view is not None
    assert view.target_mg_per_kg == made.target_mg_per_kg
    assert (view.start_date, view.end_date) == (made.start_date, made.end_date)
    for phase, shown in zip(made.phases, view.phases, strict=True):
        assert shown.first_date == made.start_date + dt.timedelta(days=phase.start_day - 1)
        assert shown.daily_mg == phase.dose.total_mg
        assert (shown.morning, shown.evening) == (capsule_text(phase.dose.am),
                                                  capsule_text(phase.dose.pm))
    assert [p.current for p in view.phases].count(True) == 1


def test_a_plan_document_this_version_cannot_read_is_no_plan() -> None:
    good = plan_to_json(plan())
    assert plan_view(None, START) is None
    assert plan_view({}, START) is None
    assert plan_view({**good, "phases": [{"days": "many"}]}, START) is None
    assert plan_view({**good, "start_date": 20260101}, START) is None


@given(st.dictionaries(st.sampled_from(["start_date", "phases", "weight_kg", "target_mg",
                                        "target_mg_per_kg", "end_date", "days_to_target"]),
                       st.none() | st.integers() | st.text(max_size=5)
                       | st.lists(st.dictionaries(st.text(max_size=4), st.integers()))))
def test_reading_any_plan_like_document_never_raises(document: dict[str, Any]) -> None:
    plan_view(document, START)


# -- where the course is ------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(records(), st.sampled_from([*PRODUCTS, "not-in-the-catalog"]),
       st.integers(-30, 900), st.booleans())
def test_progress_stays_within_0_and_1_and_agrees_with_the_engines_ledger_and_the_chart(
        rec: CourseRecord, product: str, offset: int, planned: bool) -> None:
    rec = replace(rec, course=replace(rec.course, product=product))
    first = rec.events[0].date if rec.events else START
    on = first + dt.timedelta(days=offset)
    stored = None
    if planned and product in PRODUCTS:
        stored = plan_to_json(plan(product=product, mg_per_kg="0.5"))
    progress = course_progress(rec, stored, on=on, catalog=CATALOG)
    assert 0 <= progress.fraction <= 1
    assert 0 <= progress.percent <= 100
    assert progress.percent == 100 or progress.fraction < 1
    if progress.day is not None:
        assert progress.day >= 1 and progress.started is not None
    if progress.projection == "projected":
        assert progress.projected_end is not None and progress.projected_end >= on
    chart = cumulative_chart(rec, stored, on=on, catalog=CATALOG)
    given_rows = [row for row in chart.rows if row[3] in ("given", "before the first dose")]
    assert given_rows[-1][2] == progress.cumulative_mg_per_kg
    if stored is None and product in PRODUCTS:
        engine = assess(rec, on=on, library=LIBRARY, catalog=CATALOG) \
            if LIBRARY.versions(rec.course.jurisdiction.value)[0].effective_from <= on else None
        if engine is not None:
            assert engine.cumulative.mg == progress.cumulative_mg


def test_day_n_counts_from_the_first_dose_and_stops_at_the_last() -> None:
    rec = record([ev.dispense("2026-01-01", 60, 30), ev.end("2026-01-20")],
                 start_date="2026-01-01")
    assert course_progress(rec, None, on=dt.date(2026, 1, 10), catalog=CATALOG).day == 10
    after = course_progress(rec, None, on=dt.date(2026, 3, 1), catalog=CATALOG)
    assert (after.day, after.projection, after.ended) == (20, "ended", dt.date(2026, 1, 20))


def test_the_current_dose_is_the_latest_dispense_with_its_capsules_and_the_projection() -> None:
    made = plan(start="2026-01-01", weight="60", mg_per_kg="1")
    rec = record([ev.dispense("2026-01-01", 60, 30)], start_date="2026-01-01")
    on = dt.date(2026, 1, 10)
    progress = course_progress(rec, plan_to_json(made), on=on, catalog=CATALOG)
    assert progress.dose is not None and progress.dose.daily_mg == 60
    assert progress.dose.source == "the latest dispense"
    assert (progress.dose.morning, progress.dose.evening) == ("1 × 30 mg", "1 × 30 mg")
    facts = CourseFacts(rec, on, CATALOG.get("us-conventional"), made.basis)
    expected = facts.ledger.project(on, target_mg_per_kg=made.target_mg_per_kg,
                                    weight_kg=Decimal(60), daily_mg=Decimal(60))
    assert (progress.projection, progress.projected_end) == ("projected", expected.end_date)
    assert progress.fraction == Fraction(10, 120)


def test_before_the_first_dose_the_plans_end_is_the_expected_end() -> None:
    made = plan(start="2026-02-01")
    rec = record([ev.prescription("2026-01-20", 60, 30)])
    progress = course_progress(rec, plan_to_json(made), on=dt.date(2026, 1, 25),
                               catalog=CATALOG)
    assert (progress.day, progress.projection, progress.projected_end) == (
        None, "planned", made.end_date)
    assert progress.dose is not None and "prescription" in progress.dose.source


# -- timeline and findings ----------------------------------------------------------------

def test_the_timeline_is_newest_first_and_marks_what_a_correction_superseded() -> None:
    wrong = ev.lab("2026-01-05", "alt", 400, "U/L", uln=40) | {"id": "lab-1"}
    fixed = ev.lab("2026-01-05", "alt", 40, "U/L", uln=40) | {
        "supersedes": "lab-1", "reason": "typed a zero too many", "id": "lab-2"}
    rec = record([ev.dispense("2026-01-01"), wrong, fixed, ev.of("weight", "2026-01-09", kg=61)])
    entries = timeline(_stored(rec), rec)
    assert [e.date for e in entries] == sorted((e.date for e in entries), reverse=True)
    by_id = {e.event_id: e for e in entries}
    assert by_id["lab-1"].superseded and by_id["lab-1"].corrected_by == "lab-2"
    assert by_id["lab-2"].corrects == "lab-1" and not by_id["lab-2"].superseded
    assert by_id["lab-2"].summary == "ALT 40 U/L (upper limit of normal 40)"
    assert entries[-1].recorded_by == "user-0"


@given(records())
def test_every_event_of_any_record_has_one_timeline_entry(rec: CourseRecord) -> None:
    entries = timeline(_stored(rec), rec)
    assert len(entries) == len(rec.events)
    assert sum(e.superseded for e in entries) == len(rec.superseded_ids())


def test_findings_come_most_severe_first_with_their_rule_title_and_pack() -> None:
    rec = record([ev.dispense("2026-11-01"), ev.phq9("2026-11-10", 2, 2, 2, 1, 2, 1, 1, 1, 1)],
                 start_date="2026-11-01")
    assessment = assess(rec, on=dt.date(2026, 11, 11), library=LIBRARY, catalog=CATALOG)
    shown = findings_of(assessment, RULES)
    ranks = [Severity(f.severity).rank for f in shown]
    assert ranks == sorted(ranks, reverse=True)
    urgent = shown[0]
    assert (urgent.severity, urgent.rule_id) == ("urgent", "monitoring.self-harm")
    pack = next(p for p in LIBRARY.packs if p.name == urgent.pack)
    spec = pack.rule(urgent.rule_id)
    assert spec is not None and urgent.explanation == spec.title
    assert urgent.source == next(f.source for f in assessment.findings
                                 if f.rule_id == urgent.rule_id)
    assert len(shown) == len(assessment.findings)
