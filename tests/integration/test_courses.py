"""Courses on SQLite and PostgreSQL: append-only events, corrections, late entries, whole-
record import/export, optimistic concurrency, course end and a further course."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Conflict, RecordError, VersionMismatch
from isocourse.domain.record import Jurisdiction, parse_record, record_to_json
from isocourse.services import assessments, courses, due
from isocourse.services.course_store import record_document
from isocourse.services.stored import CourseListFilter, CourseStatus
from tests.support.courses import READY_DAY, ready_course, start_us_course
from tests.support.records import ids_given_by_the_server_removed

EXAMPLE = Path(__file__).parents[2] / "examples" / "us-ipledge-course.json"


def kw(clinic: Clinic) -> dict[str, Any]:
    return {"uows": clinic.uows, "clock": clinic.clock, "actor": clinic.actor,
            "rules": clinic.rules}


def export(clinic: Clinic, course_id: str) -> dict[str, Any]:
    course = courses.get_course(course_id, uows=clinic.uows, actor=clinic.actor,
                                rules=clinic.rules)
    return record_document(course.patient, course.header, course.events)


def test_a_course_starts_with_the_planners_plan(clinic: Clinic) -> None:
    course = start_us_course(clinic)
    assert course.header.version == 1
    assert course.header.plan is not None
    assert course.header.plan["product"] == "us-conventional"
    assert course.header.plan["start_date"] == "2026-10-03"
    assert course.header.status is CourseStatus.ACTIVE


def test_an_imported_record_exports_unchanged(clinic: Clinic) -> None:
    document = json.loads(EXAMPLE.read_text())
    course = courses.import_course(document, **kw(clinic))
    products = clinic.rules.catalog.products
    exported = export(clinic, course.header.id)
    assert ids_given_by_the_server_removed(exported, document) == record_to_json(
        parse_record(document, known_products=products))
    assert all(event["id"] for event in exported["events"])


def test_a_late_entry_is_placed_in_date_order(clinic: Clinic) -> None:
    course, _ = ready_course(clinic)
    # A lab drawn on 2026-09-15, typed in after everything dated 2026-10-01.
    updated, (lab,) = courses.record_events(course.header.id, [
        {"type": "lab", "date": "2026-09-15", "analyte": "alt", "value": 30, "unit": "U/L"}],
        expected_version=None, **kw(clinic))
    dates = [e.date for e in updated.events]
    assert dates == sorted(dates)
    assert lab.event_id is not None and lab.event_id.startswith("lab-")
    exported = export(clinic, course.header.id)
    parse_record(exported)  # still a valid record


def test_a_correction_needs_a_reason_and_supersedes_without_deleting(clinic: Clinic) -> None:
    course, _ = ready_course(clinic)
    test = next(e for e in course.events if e.type == "pregnancy_test"
                and e.date == READY_DAY)
    wrong = {"type": "pregnancy_test", "date": "2026-09-30", "result": "negative",
             "setting": "lab", "supersedes": test.event_id}
    with pytest.raises(RecordError, match="reason"):
        courses.record_events(course.header.id, [wrong], expected_version=None,
                              **kw(clinic))
    corrected, _ = courses.record_events(
        course.header.id, [{**wrong, "reason": "specimen date mistyped"}],
        expected_version=None, **kw(clinic))
    bodies = [e.body for e in corrected.events]
    assert any(b.get("id") == test.event_id for b in bodies)  # the old one is kept
    assert test.event_id in corrected.record.superseded_ids()
    parse_record(export(clinic, course.header.id))


def test_a_stale_version_is_refused(clinic: Clinic) -> None:
    course = start_us_course(clinic)
    event = {"type": "enrollment", "date": "2026-08-20"}
    courses.record_events(course.header.id, [event], expected_version=1, **kw(clinic))
    with pytest.raises(VersionMismatch) as stale:
        courses.record_events(course.header.id, [{"type": "counseling",
                                                  "date": "2026-08-20"}],
                              expected_version=1, **kw(clinic))
    assert stale.value.current_version == 2


def test_put_appends_new_events_and_keeps_stored_ones(clinic: Clinic) -> None:
    course, _ = ready_course(clinic)
    document = export(clinic, course.header.id)
    document["events"].append({"type": "side_effect", "date": "2026-10-01",
                               "kind": "cheilitis", "grade": 1})
    document["course"]["home_tests_allowed"] = True
    replaced = courses.replace_course(course.header.id, document,
                                      expected_version=course.header.version, **kw(clinic))
    assert replaced.header.info.home_tests_allowed is True
    assert replaced.events[-1].type == "side_effect"
    exported = export(clinic, course.header.id)
    assert ids_given_by_the_server_removed(exported, document) == record_to_json(
        parse_record(document))


def test_put_cannot_change_or_drop_a_stored_event(clinic: Clinic) -> None:
    course, _ = ready_course(clinic)
    document = export(clinic, course.header.id)
    changed = json.loads(json.dumps(document))
    changed["events"][3]["result"] = "positive"
    with pytest.raises(RecordError, match="cannot be changed"):
        courses.replace_course(course.header.id, changed,
                               expected_version=course.header.version, **kw(clinic))
    dropped = json.loads(json.dumps(document))
    del dropped["events"][0]
    with pytest.raises(RecordError, match="never deleted"):
        courses.replace_course(course.header.id, dropped,
                               expected_version=course.header.version, **kw(clinic))


def test_ending_a_course_keeps_post_course_tests_due(clinic: Clinic) -> None:
    course, _ = ready_course(clinic)
    ended = courses.end_course(course.header.id, last_dose=READY_DAY, reason="stopped early",
                               expected_version=None, **kw(clinic))
    assert ended.header.ended_on == READY_DAY
    listing = courses.list_courses(CourseListFilter(status=CourseStatus.ENDED), offset=0,
                                   limit=10, uows=clinic.uows, actor=clinic.actor)
    assert listing.total == 1
    with pytest.raises(Conflict, match="already ended"):
        courses.end_course(course.header.id, last_dose=READY_DAY, reason=None,
                           expected_version=None, **kw(clinic))
    clinic.clock.day = READY_DAY + dt.timedelta(days=20)  # type: ignore[attr-defined]
    _, assessment = assessments.assess_course(course.header.id, on=None, **kw(clinic))
    assert any(d.item == "pregnancy_test" for d in assessment.due)
    page = due.due_list(due.DueFilter(item="pregnancy_test"), offset=0, limit=10,
                        follow_up_days=365, on=None, **kw(clinic))
    assert [e.course.header.id for e in page.entries] == [course.header.id]


def test_a_further_course_waits_eight_weeks_after_the_last(clinic: Clinic) -> None:
    course, _ = ready_course(clinic)
    patient_id = course.header.patient_id
    with pytest.raises(Conflict, match="not ended"):
        courses.start_course(_second(patient_id, dt.date(2027, 3, 1)), **kw(clinic))
    courses.end_course(course.header.id, last_dose=READY_DAY, reason=None,
                       expected_version=None, **kw(clinic))
    # 8 weeks after 2026-10-01 is 2026-11-26: the day before is refused, that day is not.
    with pytest.raises(Conflict, match="2026-11-26"):
        courses.start_course(_second(patient_id, dt.date(2026, 11, 25)), **kw(clinic))
    second = courses.start_course(_second(patient_id, dt.date(2026, 11, 26)), **kw(clinic))
    assert second.header.number == 2
    assert second.header.info.previous_course_end == READY_DAY


def _second(patient_id: str, start: dt.date) -> courses.StartCourse:
    return courses.StartCourse(patient_id=patient_id, jurisdiction=Jurisdiction.US_IPLEDGE,
                               product="us-conventional", weight_kg=Decimal(62),
                               mg_per_kg=Decimal("0.5"), start_date=start)


def test_a_patient_id_is_registered_once(clinic: Clinic) -> None:
    start_us_course(clinic, "p-9")
    with pytest.raises(Conflict):
        courses.register_patient(courses.RegisterPatient(
            external_id="p-9", birth_date=dt.date(2001, 1, 1), can_get_pregnant=False),
            uows=clinic.uows, clock=clinic.clock, actor=clinic.actor)


def test_the_due_list_puts_blocked_courses_first(clinic: Clinic) -> None:
    ready, _ = ready_course(clinic, "p-ready")
    blocked = start_us_course(clinic, "p-blocked")
    page = due.due_list(due.DueFilter(), offset=0, limit=10, follow_up_days=365, on=None,
                        **kw(clinic))
    ids = [e.course.header.id for e in page.entries]
    assert ids[0] == blocked.header.id and ready.header.id in ids
    only = due.due_list(due.DueFilter(attention=True), offset=0, limit=10,
                        follow_up_days=365, on=None, **kw(clinic))
    assert [e.course.header.id for e in only.entries] == [blocked.header.id]
    paged = due.due_list(due.DueFilter(), offset=1, limit=1, follow_up_days=365, on=None,
                         **kw(clinic))
    assert paged.total == 2 and len(paged.entries) == 1
