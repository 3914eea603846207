"""The PostgreSQL test harness: throwaway servers start, serve, stop and leave nothing behind."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import LiteralString

import psycopg
import pytest

from tests.support.postgres import (
    REQUIRE_ENV,
    URL_ENV,
    create_database,
    drop_database,
    libpq_url,
    postgres_required,
    running_postgres,
    skip_or_fail_without_postgres,
)


@pytest.fixture
def local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the servers the harness starts: never use a configured one."""
    monkeypatch.delenv(URL_ENV, raising=False)
    skip_or_fail_without_postgres()


def fresh_name() -> str:
    return f"harness_{uuid.uuid4().hex[:12]}"


def scalar(url: str, query: LiteralString, *params: object) -> object:
    with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def assert_refused(url: str) -> None:
    with pytest.raises(psycopg.OperationalError, match=r"(?i)connection refused"):
        psycopg.connect(libpq_url(url), connect_timeout=5).close()


@pytest.mark.usefixtures("local_server")
def test_a_database_is_created_queried_and_dropped_on_a_fresh_server() -> None:
    with running_postgres() as admin_url:
        assert admin_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        name = fresh_name()
        url = create_database(admin_url, name)
        assert url == admin_url.rsplit("/", 1)[0] + f"/{name}"
        assert scalar(url, "select 1") == 1
        assert scalar(url, "select current_database()") == name
        assert scalar(url, "show fsync") == "off"
        assert scalar(url, "show full_page_writes") == "off"
        assert scalar(url, "show max_connections") == "200"
        assert scalar(url, "show listen_addresses") == "127.0.0.1"
        drop_database(admin_url, name)
        assert scalar(admin_url, "select count(*) from pg_database where datname = %s", name) == 0


@pytest.mark.usefixtures("local_server")
def test_the_server_is_stopped_and_its_directory_removed_when_the_block_ends() -> None:
    with running_postgres() as admin_url:
        data_directory = Path(str(scalar(admin_url, "show data_directory")))
        workdir = data_directory.parent
        assert workdir.name.startswith("isocourse-pg-") and data_directory.is_dir()
        socket_directory = Path(str(scalar(admin_url, "show unix_socket_directories")))
        assert socket_directory.parent == workdir
    assert_refused(admin_url)
    assert not workdir.exists()


@pytest.mark.usefixtures("local_server")
def test_the_server_is_stopped_and_its_directory_removed_when_the_block_raises() -> None:
    seen: list[tuple[str, Path]] = []

    def fail_inside_the_block() -> None:
        with running_postgres() as admin_url:
            seen.append((admin_url, Path(str(scalar(admin_url, "show data_directory"))).parent))
            raise RuntimeError("the test failed")

    with pytest.raises(RuntimeError, match="the test failed"):
        fail_inside_the_block()
    [(admin_url, workdir)] = seen
    assert_refused(admin_url)
    assert not workdir.exists()


@pytest.mark.usefixtures("local_server")
def test_two_servers_run_side_by_side() -> None:
    with running_postgres() as first, running_postgres() as second:
        assert first != second
        assert scalar(first, "show port") != scalar(second, "show port")
        assert scalar(first, "select 1") == scalar(second, "select 1") == 1
    assert_refused(first)
    assert_refused(second)


def test_a_configured_url_is_yielded_unchanged_and_nothing_is_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configured = "postgresql+psycopg://someone:secret@db.example:6543/admin"
    monkeypatch.setenv(URL_ENV, configured)
    with running_postgres() as url:
        assert url == configured


@pytest.mark.parametrize(
    "name",
    ["", "Upper", "1starts_with_digit", "has-dash", "has space", "x; drop database postgres",
     'quo"te', "é", "a" * 64],
)
def test_create_database_refuses_a_name_that_is_not_a_plain_lowercase_identifier(
    name: str,
) -> None:
    # Refused before any connection is attempted: no server is needed.
    with pytest.raises(ValueError, match="must match"):
        create_database("postgresql+psycopg://postgres@127.0.0.1:1/postgres", name)
    with pytest.raises(ValueError, match="must match"):
        drop_database("postgresql+psycopg://postgres@127.0.0.1:1/postgres", name)


@pytest.mark.parametrize(
    ("require", "ci", "expected"),
    [
        (None, None, False),
        ("1", None, True),
        ("0", None, False),
        (None, "true", True),
        (None, "1", True),
        (None, "false", False),
        (None, "", False),
    ],
)
def test_postgres_is_required_when_asked_for_or_on_ci(
    monkeypatch: pytest.MonkeyPatch, require: str | None, ci: str | None, expected: bool
) -> None:
    for name, value in ((REQUIRE_ENV, require), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert postgres_required() is expected
