"""A backup taken while the server writes restores to a consistent, usable clinic.

SQLite: ``isocourse backup`` from the command line while a server process takes a write
load over HTTP, ``isocourse restore`` into a new data directory, a server started on it.
PostgreSQL: ``isocourse backup`` refuses and gives PostgreSQL's commands (pg_dump,
pg_restore); those very commands are run, the restore going into a new database.

The restored clinic must hold every write acknowledged before the backup began, nothing
that was begun after it ended, and each request whole or not at all; its course records
parse, its audit chain verifies, the old API token still works and a new write is stored.
tests/integration/test_backup.py covers the SQLite copy itself, in-process."""

from __future__ import annotations

import shlex
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from isocourse.catalog import load_catalog
from isocourse.domain.record import parse_record
from tests.faults.server import (
    HTTP_TIMEOUT_S,
    Load,
    ServerProcess,
    audit_verify,
    cli,
    prepare,
    running,
    sqlite_integrity,
    stored_events,
)
from tests.support.clinics import BACKENDS, PostgresTemplate
from tests.support.db_fixtures import fresh_database
from tests.support.postgres import create_database, drop_database, find_pg_bindir

WRITERS = 3


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    for url in fresh_database(request, request.param, tmp_path / "data"):
        yield request.param, url


def pg_commands(url: str, dump: Path, target_url: str) -> tuple[list[str], list[str]]:
    """The backup and restore commands ``isocourse backup`` advises for ``url``, with the
    dump file and the restore's target database put in, and the programs found."""
    refused = cli(["backup", str(dump)], dump.parent, url)
    assert refused.returncode != 0 and not dump.exists()
    advice = refused.stdout + refused.stderr
    lines = {line.split(":", 1)[0].strip(): line.split(":", 1)[1]
             for line in advice.splitlines() if line.strip().startswith(("back up:",
                                                                         "restore:"))}
    assert set(lines) == {"back up", "restore"}, advice
    bindir = find_pg_bindir()
    assert bindir is not None
    safe = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    target = make_url(target_url).set(drivername="postgresql").render_as_string(
        hide_password=False)

    def command(line: str) -> list[str]:
        words = [w.replace("isocourse.dump", str(dump)).replace(safe, target)
                 if w.startswith("--dbname=") else w.replace("isocourse.dump", str(dump))
                 for w in shlex.split(line)]
        return [str(bindir / words[0]), *words[1:]]

    return command(lines["back up"]), command(lines["restore"])


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (command, done.stdout, done.stderr)


def test_a_backup_taken_during_writes_restores_to_a_consistent_usable_clinic(
        request: pytest.FixtureRequest, database: tuple[str, str], tmp_path: Path) -> None:
    backend, url = database
    data, restored = tmp_path / "data", tmp_path / "restored"
    prepared = prepare(url, data, WRITERS)
    restored_url: str | None = None
    if backend == "postgresql":
        pg: PostgresTemplate = request.getfixturevalue("postgres_template")
        name = f"{pg.prefix}restored"
        drop_database(pg.admin_url, name)
        restored_url = create_database(pg.admin_url, name)
        request.addfinalizer(lambda: drop_database(pg.admin_url, name))
        backup, restore = pg_commands(url, tmp_path / "isocourse.dump", restored_url)

    server = ServerProcess(data, None if backend == "sqlite" else url)
    with server, running(server) as base:
        load = Load(base, prepared.headers, prepared.course_ids, round="b").start()
        load.wait_for(10)
        before = load.acknowledged_tags()
        if backend == "sqlite":
            taken = cli(["backup", str(tmp_path / "backup.db")], data)
            assert taken.returncode == 0, taken.stdout + taken.stderr
        else:
            run(backup)
        begun = load.sent_tags()
        load.wait_for(load.count() + 5)  # the writes go on after the backup
        load.stop()
        assert all(s < 500 for s in load.statuses), Counter(load.statuses)

    if backend == "sqlite":
        sqlite_integrity(tmp_path / "backup.db")
        put_back = cli(["restore", str(tmp_path / "backup.db")], restored)
        assert put_back.returncode == 0, put_back.stdout + put_back.stderr
        sqlite_integrity(restored / "isocourse.db")
    else:
        run(restore)

    again = ServerProcess(restored, restored_url)
    with again, running(again) as base:
        found = stored_events(base, prepared.headers, prepared.course_ids)
        notes = Counter(str(e.get("note")) for events in found.values() for e in events
                        if e["type"] in ("weight", "side_effect"))
        for tag in before:
            assert notes[tag] == 2, f"write {tag} acknowledged before the backup is missing"
        assert set(notes) <= begun, "writes begun after the backup ended are in it"
        assert all(count == 2 for count in notes.values()), notes
        assert set(load.acknowledged) - set(notes), "every write made it: the test proves nothing"

        catalog = load_catalog()
        with httpx.Client(base_url=base + "/api/v1", headers=prepared.headers,
                          timeout=HTTP_TIMEOUT_S) as api:
            for course_id in prepared.course_ids:
                record = api.get(f"/courses/{course_id}")
                assert record.status_code == 200, record.text
                parse_record(record.json(), known_products=catalog.products)
            added = api.post(f"/courses/{prepared.course_ids[0]}/events",
                             json={"type": "weight", "date": "2026-11-01", "kg": 62,
                                   "note": "after restore"})
            assert added.status_code == 201, added.text
            assert api.get("/health/ready").status_code == 200
    assert "Traceback" not in again.log_text(), again.log_text()
    audit_verify(restored, restored_url)
