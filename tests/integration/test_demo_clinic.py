"""The demo clinic (``isocourse serve --demo``): every state it promises really holds, as
the safety engine sees it through the real services (``assess_course``, ``due_list``), on
SQLite and PostgreSQL, for two different days."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.domain.dates import age_on
from isocourse.domain.errors import Conflict
from isocourse.domain.record import Dispense, Jurisdiction, Prescription, Weight
from isocourse.rules.model import Assessment, Severity
from isocourse.services.assessments import assess_course
from isocourse.services.course_store import LoadedCourse
from isocourse.services.courses import get_patient, list_courses
from isocourse.services.demo import STATES, DemoSummary, seed_demo_clinic
from isocourse.services.dispensing import AuthorizationRequest, request_authorization
from isocourse.services.due import DueEntry, DueFilter, due_list
from isocourse.services.ports import FixedClock
from isocourse.services.stored import AuthorizationRow, AuthorizationStatus, CourseListFilter
from tests.support.clinics import pharmacist
from tests.support.postgres import create_database, running_postgres, skip_or_fail_without_postgres

DAYS = (dt.date(2026, 11, 21), dt.date(2027, 3, 2))
BACKENDS = ("sqlite", "postgresql")
WINDOW_RULES = {"us-ipledge.window", "eu-ppp.dispensing-window", "uk-mhra.dispensing-window"}


@dataclass(frozen=True)
class Demo:
    """A seeded clinic, the day it was seeded on, and what the seeding reported."""

    clinic: Clinic
    day: dt.date
    summary: DemoSummary

    def courses(self, state: str) -> tuple[str, ...]:
        ids = self.summary.states[state]
        assert ids, f"no course in state {state}"
        return ids

    def assess(self, course_id: str, on: dt.date | None = None) -> tuple[LoadedCourse, Assessment]:
        c = self.clinic
        return assess_course(course_id, on=on, uows=c.uows, clock=c.clock, actor=c.actor,
                             rules=c.rules)

    def due(self, flt: DueFilter | None = None) -> list[DueEntry]:
        c = self.clinic
        return due_list(flt or DueFilter(), offset=0, limit=1000, follow_up_days=365, on=None,
                        uows=c.uows, clock=c.clock, actor=c.actor, rules=c.rules).entries

    def authorizations(self, course_id: str) -> list[AuthorizationRow]:
        with self.clinic.uows() as uow:
            return list(uow.authorizations.of_course(course_id))


def severities(assessment: Assessment, rule_id: str) -> set[Severity]:
    return {f.severity for f in assessment.findings if f.rule_id == rule_id}


def new_clinic(backend: str, day: dt.date, folder: Path, request: pytest.FixtureRequest) -> Clinic:
    """A migrated, empty clinic on ``backend`` whose clock reads ``day``."""
    url = None
    if backend == "postgresql":
        admin: str = request.getfixturevalue("postgres_admin_url")
        url = create_database(admin, f"demo_{uuid.uuid4().hex[:12]}")
    clinic = build(Settings(data_dir=folder, database_url=url), clock=FixedClock(day))
    clinic.migrate()
    return clinic


def seed(clinic: Clinic) -> DemoSummary:
    return seed_demo_clinic(uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                            rules=clinic.rules)


@pytest.fixture(scope="module")
def postgres_admin_url() -> Iterator[str]:
    skip_or_fail_without_postgres()
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="module", params=[(b, d) for b in BACKENDS for d in DAYS],
                ids=lambda p: f"{p[0]}-{p[1].isoformat()}")
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Demo]:
    backend, day = request.param
    clinic = new_clinic(backend, day, tmp_path_factory.mktemp("demo"), request)
    try:
        yield Demo(clinic, day, seed(clinic))
    finally:
        clinic.close()


def test_the_demo_clinic_has_a_few_dozen_patients_in_every_programme(demo: Demo) -> None:
    c = demo.clinic
    page = list_courses(CourseListFilter(), offset=0, limit=500, uows=c.uows, actor=c.actor)
    patients = {p.id: p for _, p in page.courses}
    assert 30 <= demo.summary.patients == len(patients) <= 40
    assert demo.summary.courses == page.total == len(patients) + 1
    assert demo.summary.events > 10 * demo.summary.courses
    assert demo.summary.authorizations > demo.summary.courses
    assert all(re.fullmatch(r"demo-\d{3}", p.external_id) for p in patients.values())
    kinds = {(h.info.jurisdiction, p.can_get_pregnant, age_on(p.birth_date, demo.day) < 18)
             for h, p in page.courses}
    for jurisdiction in Jurisdiction:
        for can in (True, False):
            assert (jurisdiction, can, False) in kinds
        assert any((jurisdiction, can, True) in kinds for can in (True, False))
    assert all(age_on(p.birth_date, demo.day) >= 12 for p in patients.values())


def test_every_state_has_a_course_and_no_event_is_dated_after_today(demo: Demo) -> None:
    assert set(demo.summary.states) == set(STATES)
    for state in STATES:
        for course_id in demo.courses(state):
            course, _ = demo.assess(course_id)
            assert all(e.date <= demo.day for e in course.record.events), state


def test_a_window_open_today_allows_dispensing(demo: Demo) -> None:
    for course_id in demo.courses("window_open"):
        _, assessment = demo.assess(course_id)
        assert assessment.dispense_allowed, assessment.findings
        assert assessment.window is not None
        assert assessment.window.start <= demo.day <= assessment.window.end


def test_a_missed_window_blocks_dispensing_until_it_is_renewed(demo: Demo) -> None:
    for course_id in demo.courses("window_missed"):
        course, assessment = demo.assess(course_id)
        assert not assessment.dispense_allowed and assessment.window is None
        assert any(f.rule_id in WINDOW_RULES and f.severity is Severity.BLOCK
                   for f in assessment.findings), assessment.findings
        latest = course.record.events_of(Prescription)[-1]
        assert not [d for d in course.record.events_of(Dispense) if d.date >= latest.date]


def test_overdue_labs_are_on_the_due_list_with_a_date_in_the_past(demo: Demo) -> None:
    entries = {e.course.header.id: e for e in demo.due(DueFilter(item="lab"))}
    for course_id in demo.courses("labs_overdue"):
        assert any(d.item == "lab" and d.due_date < demo.day for d in entries[course_id].due)
        assert any(f.rule_id.startswith("monitoring.lab-schedule.")
                   and f.severity is Severity.WARNING
                   for f in entries[course_id].assessment.findings)


def test_high_triglycerides_warn_or_hold_and_one_holds(demo: Demo) -> None:
    seen: set[Severity] = set()
    for course_id in demo.courses("high_triglycerides"):
        _, assessment = demo.assess(course_id)
        found = severities(assessment, "monitoring.triglycerides")
        assert found & {Severity.WARNING, Severity.BLOCK}, assessment.findings
        assert any(d.item == "lab" and "triglycerides" in d.analytes for d in assessment.due)
        seen |= found
    assert Severity.BLOCK in seen and Severity.WARNING in seen


def test_a_raised_alt_is_graded_and_rechecked(demo: Demo) -> None:
    for course_id in demo.courses("raised_alt"):
        _, assessment = demo.assess(course_id)
        assert Severity.WARNING in severities(assessment, "monitoring.liver-enzymes")
        assert any(d.item == "lab" and d.analytes == ("alt",) for d in assessment.due)


def test_phq9_item_9_is_urgent_and_heads_the_due_list(demo: Demo) -> None:
    urgent = demo.courses("phq9_urgent")
    for course_id in urgent:
        _, assessment = demo.assess(course_id)
        assert Severity.URGENT in severities(assessment, "monitoring.self-harm")
        assert not assessment.dispense_allowed
    first = demo.due(DueFilter(attention=True))[0]
    assert first.top_severity is Severity.URGENT and first.course.header.id in urgent


def test_a_moderate_phq9_total_asks_for_a_review(demo: Demo) -> None:
    for course_id in demo.courses("phq9_moderate"):
        _, assessment = demo.assess(course_id)
        assert Severity.WARNING in severities(assessment, "monitoring.phq9")
        assert not severities(assessment, "monitoring.self-harm")


def test_finished_courses_have_ended_and_dispense_nothing_more(demo: Demo) -> None:
    for course_id in demo.courses("finished"):
        course, assessment = demo.assess(course_id)
        assert course.header.ended_on is not None and course.header.ended_on < demo.day
        assert not assessment.dispense_allowed and assessment.window is None
        assert assessment.cumulative.mg > 0


def test_post_course_pregnancy_tests_are_due_after_the_last_dose(demo: Demo) -> None:
    entries = {e.course.header.id: e for e in demo.due(DueFilter(item="pregnancy_test"))}
    for course_id in demo.courses("post_course_test_due"):
        entry = entries[course_id]
        ended = entry.course.header.ended_on
        assert ended is not None and entry.course.record.patient.can_get_pregnant
        assert any(d.item == "pregnancy_test" and d.due_date > ended for d in entry.due)


def test_courses_awaiting_their_first_supply_have_tests_pending(demo: Demo) -> None:
    for course_id in demo.courses("awaiting_first_supply"):
        course, assessment = demo.assess(course_id)
        assert not course.record.events_of(Dispense) and course.record.course.start_date is None
        assert assessment.cumulative.mg == 0 and not assessment.dispense_allowed
        assert {d.item for d in assessment.due} & {"pregnancy_test", "lab"}


def test_an_authorization_granted_today_is_usable_and_not_yet_dispensed(demo: Demo) -> None:
    c = demo.clinic
    for course_id in demo.courses("authorized_not_dispensed"):
        course, assessment = demo.assess(course_id)
        assert assessment.dispense_allowed
        granted = [a for a in demo.authorizations(course_id)
                   if a.status is AuthorizationStatus.GRANTED]
        assert len(granted) == 1 and granted[0].usable_on(demo.day)
        rx = course.record.events_of(Prescription)[-1]
        assert granted[0].prescription_id == rx.id
        assert rx.id is not None
        again, new = request_authorization(
            AuthorizationRequest(course_id=course_id, prescription_id=rx.id),
            uows=c.uows, clock=c.clock, actor=pharmacist(c), rules=c.rules)
        assert (again.code, new) == (granted[0].code, False)


def test_a_reversed_authorization_keeps_its_reason_and_nothing_was_dispensed(demo: Demo) -> None:
    for course_id in demo.courses("authorization_reversed"):
        course, _ = demo.assess(course_id)
        reversed_ = [a for a in demo.authorizations(course_id)
                     if a.status is AuthorizationStatus.REVERSED]
        assert len(reversed_) == 1 and reversed_[0].reversal_reason
        rx = course.record.events_of(Prescription)[-1]
        assert reversed_[0].prescription_id == rx.id
        assert not [d for d in course.record.events_of(Dispense) if d.date >= rx.date]


def test_mid_course_patients_have_monthly_supplies_and_a_growing_dose(demo: Demo) -> None:
    for course_id in demo.courses("mid_course"):
        course, now = demo.assess(course_id)
        fills = course.record.events_of(Dispense)
        assert 2 <= len(fills) <= 4 and course.header.ended_on is None
        assert all(27 <= (b.date - a.date).days <= 29 for a, b in itertools.pairwise(fills))
        assert fills[0].daily_mg <= fills[-1].daily_mg
        _, earlier = demo.assess(course_id, on=demo.day - dt.timedelta(days=14))
        assert 0 < earlier.cumulative.mg < now.cumulative.mg


def test_a_weight_change_is_recorded_during_the_course(demo: Demo) -> None:
    for course_id in demo.courses("weight_change"):
        course, _ = demo.assess(course_id)
        weights = course.record.events_of(Weight)
        assert weights and weights[-1].kg != course.record.patient.weight_kg
        assert course.record.course.start_date is not None
        assert weights[-1].date > course.record.course.start_date


def test_side_effects_bring_advice_and_a_grade_2_report_a_review(demo: Demo) -> None:
    seen: set[Severity] = set()
    for course_id in demo.courses("side_effects"):
        _, assessment = demo.assess(course_id)
        seen |= severities(assessment, "monitoring.side-effects")
    assert {Severity.INFO, Severity.WARNING} <= seen


def test_a_second_course_starts_more_than_eight_weeks_after_the_first(demo: Demo) -> None:
    c = demo.clinic
    for course_id in demo.courses("second_course"):
        course, _ = demo.assess(course_id)
        previous_end = course.record.course.previous_course_end
        start = course.record.course.start_date
        assert course.header.number == 2 and previous_end is not None and start is not None
        assert start - previous_end >= dt.timedelta(weeks=8)
        _, courses = get_patient(course.patient.id, uows=c.uows, actor=c.actor)
        assert sorted(h.ended_on is None for h in courses) == [False, True]
        assert previous_end in {h.ended_on for h in courses}


def test_seeding_a_clinic_that_already_has_courses_is_refused(demo: Demo) -> None:
    with pytest.raises(Conflict):
        seed(demo.clinic)


def test_the_same_day_gives_the_same_clinic(demo: Demo, tmp_path: Path,
                                            request: pytest.FixtureRequest) -> None:
    clinic = new_clinic("sqlite", demo.day, tmp_path, request)
    try:
        again = seed(clinic)
    finally:
        clinic.close()
    shape = (demo.summary.patients, demo.summary.courses, demo.summary.events,
             demo.summary.authorizations, {k: len(v) for k, v in demo.summary.states.items()})
    assert shape == (again.patients, again.courses, again.events, again.authorizations,
                     {k: len(v) for k, v in again.states.items()})
