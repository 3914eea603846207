"""Clinics on real databases for integration and API tests: SQLite and PostgreSQL.

Each test gets a fresh, migrated database. Migrations run once per backend per test
process into a template (a SQLite file copied per test; a PostgreSQL database used as
``CREATE DATABASE ... TEMPLATE``), so a test pays for a copy, not for the migrations.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg
from psycopg import sql

from isocourse.adapters.db.engine import make_engine, sqlite_url
from isocourse.adapters.db.migrate import upgrade
from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.services.ports import Actor, FixedClock
from tests.support.postgres import create_database, drop_database, libpq_url

__all__ = ["BACKENDS", "DAY", "PostgresTemplate", "SqliteTemplate", "clinic_on"]

BACKENDS = ("sqlite", "postgresql")
#: The default "today" of test clinics.
DAY = dt.date(2026, 11, 21)
TEMPLATE = "isocourse_template"


class SqliteTemplate:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        engine = make_engine(sqlite_url(self.path))
        upgrade(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def fresh(self, folder: Path) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "isocourse.db"
        shutil.copyfile(self.path, target)
        return sqlite_url(target)


class PostgresTemplate:
    _names = itertools.count()

    def __init__(self, admin_url: str, worker: str) -> None:
        self.admin_url = admin_url
        self.prefix = f"t_{worker}_"
        self.template = f"{TEMPLATE}_{worker}"
        drop_database(admin_url, self.template)
        url = create_database(admin_url, self.template)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()

    def fresh(self) -> tuple[str, str]:
        name = f"{self.prefix}{next(self._names)}"
        drop_database(self.admin_url, name)
        with psycopg.connect(libpq_url(self.admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(self.template)))
        return name, _with_database(self.admin_url, name)

    def drop(self, name: str) -> None:
        drop_database(self.admin_url, name)


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def clinic_on(url: str, data_dir: Path, day: dt.date = DAY,
              effective_dates: dict[str, dt.date] | None = None) -> Iterator[Clinic]:
    """A built clinic on ``url`` with a fixed clock (move it with ``clinic.clock.day = ...``)."""
    clinic = build(Settings(data_dir=data_dir, database_url=url,
                            effective_dates=effective_dates or {}), clock=FixedClock(day))
    try:
        yield clinic
    finally:
        clinic.close()


def pharmacist(clinic: Clinic) -> Actor:
    """The clinic's pharmacist (the demo pharmacist's id), for the dispensing use cases."""
    return replace(clinic.actor, id="demo-pharmacist", role="pharmacist")
