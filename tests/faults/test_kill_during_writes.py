"""SIGKILL the clinic server in the middle of a write load, restart it on the same
database: every acknowledged write is there, no request is half-written, and the database
passes its integrity checks (SQLite's ``integrity_check``, PostgreSQL's ``pg_amcheck``, and
the audit trail's hash chain, whose entries are written in the same transaction as the
writes they record). Killed twice, at two moments of the load, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.faults.server import (
    Load,
    ServerProcess,
    audit_verify,
    prepare,
    running,
    sqlite_integrity,
    stored_events,
)
from tests.support.clinics import BACKENDS
from tests.support.db_fixtures import fresh_database
from tests.support.postgres import find_pg_bindir

WRITERS = 4
#: Acknowledged writes before each SIGKILL: one early in the load, one later.
KILL_AFTER = (3, 40)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    for url in fresh_database(request, request.param, tmp_path / "data"):
        yield request.param, url


def check_writes(loads: list[Load], found: dict[str, list[dict[str, object]]]) -> None:
    notes = Counter(str(e.get("note")) for events in found.values() for e in events
                    if e["type"] in ("weight", "side_effect"))
    ids = {str(e["id"]) for events in found.values() for e in events}
    for load in loads:
        for tag, event_ids in load.acknowledged.items():
            assert set(event_ids) <= ids, f"acknowledged write {tag} lost"
            assert notes[tag] == 2, (tag, notes[tag])
        for tag in load.sent:  # also those whose answer the kill cut: all or nothing
            assert notes[tag] in (0, 2), (tag, notes[tag])
    sent = {tag for load in loads for tag in load.sent}
    assert set(notes) <= sent, "events nobody sent"


def pg_amcheck(url: str) -> None:
    import subprocess

    bindir = find_pg_bindir()
    if bindir is None or not (bindir / "pg_amcheck").exists():
        return
    parsed = make_url(url)
    done = subprocess.run(
        [str(bindir / "pg_amcheck"), "--install-missing", "--heapallindexed",
         "-h", str(parsed.host), "-p", str(parsed.port), "-U", str(parsed.username),
         "-d", str(parsed.database)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_acknowledged_write_survives_a_sigkill_and_the_database_stays_sound(
        database: tuple[str, str], tmp_path: Path) -> None:
    backend, url = database
    data = tmp_path / "data"
    prepared = prepare(url, data, WRITERS)
    server = ServerProcess(data, None if backend == "sqlite" else url)
    loads: list[Load] = []
    with server:
        for cycle, threshold in enumerate(KILL_AFTER):
            base = server.start()
            if loads:  # after the previous kill: everything acknowledged is there
                check_writes(loads, stored_events(base, prepared.headers,
                                                  prepared.course_ids))
            load = Load(base, prepared.headers, prepared.course_ids, round=f"k{cycle}").start()
            loads.append(load)
            load.wait_for(threshold)
            server.kill()
            load.stop()
            assert all(s < 500 for s in load.statuses), Counter(load.statuses)
            assert load.count() >= threshold

        with running(server) as base:
            check_writes(loads, stored_events(base, prepared.headers, prepared.course_ids))
    assert "Traceback" not in server.log_text(), server.log_text()

    if backend == "sqlite":
        sqlite_integrity(data / "isocourse.db")
        audit_verify(data)
    else:
        pg_amcheck(url)
        audit_verify(data, url)
