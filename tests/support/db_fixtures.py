"""Pytest fixtures for tests on real databases (registered in tests/conftest.py).

* ``sqlite_template`` / ``postgres_template`` (session): a migrated template per backend;
  PostgreSQL is started from Debian's packages by ``tests/support/postgres.py``.
* ``database_url`` (parametrized over SQLite and PostgreSQL): a fresh migrated database.
* ``clinic``: a built clinic on it, with a fixed clock (``clinic.clock.day``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from isocourse.bootstrap import Clinic
from tests.support.clinics import BACKENDS, PostgresTemplate, SqliteTemplate, clinic_on
from tests.support.postgres import running_postgres, skip_or_fail_without_postgres


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    skip_or_fail_without_postgres()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with running_postgres() as admin_url:
        yield PostgresTemplate(admin_url, worker)


def fresh_database(request: pytest.FixtureRequest, backend: str,
                   folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        template: SqliteTemplate = request.getfixturevalue("sqlite_template")
        yield template.fresh(folder)
        return
    pg: PostgresTemplate = request.getfixturevalue("postgres_template")
    name, url = pg.fresh()
    try:
        yield url
    finally:
        pg.drop(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database(request, request.param, tmp_path / "data")


@pytest.fixture
def clinic(database_url: str, tmp_path: Path) -> Iterator[Clinic]:
    with clinic_on(database_url, tmp_path / "data") as built:
        yield built
