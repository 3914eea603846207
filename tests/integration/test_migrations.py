"""Migrations on SQLite and PostgreSQL: from an empty database, from the previous revision
with data in it, down and up again, and no drift between the models and the migrations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from isocourse.adapters.db.engine import make_engine
from isocourse.adapters.db.migrate import (
    check_models,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from tests.support.clinics import BACKENDS
from tests.support.postgres import create_database, drop_database


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'empty.db'}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"empty_{abs(hash(str(tmp_path))) % 10**8}"
    drop_database(template.admin_url, name)
    url = create_database(template.admin_url, name)
    try:
        yield url
    finally:
        drop_database(template.admin_url, name)


def test_upgrades_an_empty_database_to_the_newest_revision(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"patients", "courses", "course_events", "course_revisions",
                "authorizations", "idempotency_keys"} <= tables
        upgrade(engine)  # running it again changes nothing
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_upgrades_from_the_previous_revision_keeping_the_data(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        upgrade(engine, "0001")
        now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO patients (id, clinic_id, external_id, birth_date, "
                "can_get_pregnant, created_at, created_by) VALUES "
                "('p', 'main', 'p-1', '2004-04-02', true, :now, 'test')"), {"now": now})
        upgrade(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT external_id FROM patients")).scalar_one() \
                == "p-1"
        downgrade(engine, "0001")
        assert "authorizations" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_the_models_and_the_migrations_agree(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        check_models(engine)  # raises when a model change has no migration
    finally:
        engine.dispose()
