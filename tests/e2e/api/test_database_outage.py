"""A server that cannot reach its database answers 503 with a problem document, and
recovers by itself when the database is back (PostgreSQL: connections refused, then
allowed again; the server is not restarted)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.support.accounts import bearer
from tests.support.clinics import PostgresTemplate, clinic_on
from tests.support.live_server import live_server
from tests.support.postgres import libpq_url


@pytest.fixture
def outage(request: pytest.FixtureRequest,
           tmp_path: Path) -> Iterator[tuple[PostgresTemplate, str, str]]:
    pg: PostgresTemplate = request.getfixturevalue("postgres_template")
    name, url = pg.fresh()
    try:
        yield pg, name, url
    finally:
        _allow(pg, name, True)
        pg.drop(name)


def _allow(pg: PostgresTemplate, name: str, allowed: bool) -> None:
    with psycopg.connect(libpq_url(pg.admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
            sql.Identifier(name), sql.Literal(allowed)))
        if not allowed:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))


def test_answers_503_while_the_database_is_away_and_recovers(
        outage: tuple[PostgresTemplate, str, str], tmp_path: Path) -> None:
    pg, name, url = outage
    with clinic_on(url, tmp_path / "data") as clinic, live_server(clinic) as base, \
            httpx.Client(base_url=base + "/api/v1", timeout=30,
                         headers=bearer(clinic, "prescriber")) as api:
        assert api.get("/courses").status_code == 200
        assert api.get("/health/ready").status_code == 200

        _allow(pg, name, False)
        for path in ("/courses", "/health/ready", "/due"):
            down = api.get(path)
            assert down.status_code == 503, (path, down.text)
            assert down.headers["content-type"].startswith("application/problem+json")
            assert down.json()["type"].endswith("/database-unavailable")
            assert down.headers["retry-after"]
        assert api.get("/health").status_code == 200  # the process itself is fine
        written = api.post("/patients", json={"external_id": "p-1",
                                              "birth_date": "2000-01-01",
                                              "can_get_pregnant": False})
        assert written.status_code == 503

        _allow(pg, name, True)
        assert api.get("/courses").status_code == 200
        assert api.post("/patients", json={"external_id": "p-1", "birth_date": "2000-01-01",
                                           "can_get_pregnant": False}).status_code == 201
