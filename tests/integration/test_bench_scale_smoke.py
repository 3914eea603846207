"""The scale benchmark's generator (bench/scale), small: about two hundred courses copied
from the demo clinic into a fresh PostgreSQL database with COPY. What it loads is counted,
the keys and indexes it dropped for the load are all back, and the copies are valid
courses that the services load, assess and list as due. No timing is asserted here."""

from __future__ import annotations

import datetime as dt
import random

import psycopg
import pytest
from bench.scale.load import NetworkShape, clinic_names, load_network
from bench.scale.measure import clinic_of, due_page
from bench.scale.templates import seed_templates

from isocourse.services import assessments, courses
from tests.support.clinics import PostgresTemplate
from tests.support.postgres import libpq_url

DAY = dt.date(2026, 11, 21)
COURSES = 200
TABLES = ("patients", "courses", "course_events", "course_revisions", "authorizations")


def _schema(conn: psycopg.Connection[tuple[object, ...]]) -> set[tuple[str, str]]:
    constraints = {(str(n), str(d)) for n, d in conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace")}
    indexes = {(str(n), str(d)) for n, d in conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")}
    return constraints | indexes


@pytest.mark.slow
def test_the_generator_loads_valid_courses_that_are_assessed_and_listed(
        postgres_template: PostgresTemplate) -> None:
    name, url = postgres_template.fresh()
    try:
        with psycopg.connect(libpq_url(url)) as conn:
            schema_before = _schema(conn)
        groups = seed_templates(DAY)
        shape = NetworkShape(courses=COURSES, clinics=3, active_share=0.4, seed=1)
        summary = load_network(libpq_url(url), groups, shape, batch=50)

        with psycopg.connect(libpq_url(url)) as conn:
            counted = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                       for t in TABLES}
            by_clinic: dict[str, int] = dict(conn.execute(
                "SELECT clinic_id, count(*) FROM courses GROUP BY clinic_id").fetchall())
            assert _schema(conn) == schema_before, "every key and index is back"
            next_row = conn.execute(
                "SELECT nextval(pg_get_serial_sequence('course_events', 'id'))").fetchone()
            top = conn.execute("SELECT max(id) FROM course_events").fetchone()
            ids = [str(r[0]) for r in conn.execute("SELECT id FROM courses ORDER BY id")]
            clinic_of_course: dict[str, str] = dict(
                conn.execute("SELECT id, clinic_id FROM courses").fetchall())

        assert COURSES <= summary.courses < COURSES + 3  # a patient may bring two courses
        assert counted == {"patients": summary.patients, "courses": summary.courses,
                           "course_events": summary.events,
                           "course_revisions": summary.revisions,
                           "authorizations": summary.authorizations}
        assert summary.events >= 10 * summary.courses
        assert by_clinic == {k: v for k, v in summary.per_clinic.items() if v}
        assert set(by_clinic) == set(clinic_names(3))
        assert by_clinic["clinic-01"] > by_clinic["clinic-03"], "sized by Zipf's law"
        assert next_row is not None and top is not None and next_row[0] > top[0]

        for course_id in random.Random(2).sample(ids, 10):
            with clinic_of(url, clinic_of_course[course_id], DAY) as clinic:
                loaded = courses.get_course(course_id, uows=clinic.uows, actor=clinic.actor,
                                            rules=clinic.rules)
                assert loaded.header.id == course_id
                assert len(loaded.record.events) == len(loaded.events) > 0
                _, verdict = assessments.assess_course(
                    course_id, on=None, uows=clinic.uows, clock=clinic.clock,
                    actor=clinic.actor, rules=clinic.rules)
                assert verdict.as_of == DAY and verdict.rule_set
        with clinic_of(url, "clinic-01", DAY) as clinic:
            page = due_page(clinic)
        assert page.total > 0 and page.entries, "some copies are running and due"
        assert not any(f.rule_id == "isocourse.unassessable"
                       for e in page.entries for f in e.attention)
    finally:
        postgres_template.drop(name)
