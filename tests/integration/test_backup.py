"""Backups of the embedded SQLite database while the server writes, and restores, on real
migrated databases filled through the services."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from isocourse.adapters.db.backup import (
    backup_sqlite,
    known_revisions,
    postgres_backup_advice,
    restore_sqlite,
)
from isocourse.adapters.db.migrate import head_revision
from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.domain.errors import InvalidInput, StorageUnavailable
from isocourse.services.courses import RegisterPatient, get_patient, register_patient
from isocourse.services.ports import FixedClock
from isocourse.services.stored import PatientRow

NOW = dt.datetime(2026, 11, 21, 9, 30, 5, tzinfo=dt.UTC)
STAMP = "20261121-093005"
#: How long a test waits for the writer thread before it counts as hung.
PATIENCE_S = 60.0


def open_clinic(data_dir: Path) -> Clinic:
    clinic = build(Settings(data_dir=data_dir, database_url=None),
                   clock=FixedClock(dt.date(2026, 11, 21)))
    clinic.migrate()
    return clinic


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Clinic]:
    """A migrated clinic on SQLite in ``tmp_path / "data"``, as a running server has it."""
    clinic = open_clinic(tmp_path / "data")
    try:
        yield clinic
    finally:
        clinic.close()


def register(clinic: Clinic, external_id: str) -> PatientRow:
    return register_patient(
        RegisterPatient(external_id=external_id, birth_date=dt.date(2001, 5, 17),
                        can_get_pregnant=len(external_id) % 2 == 0),
        uows=clinic.uows, clock=clinic.clock, actor=clinic.actor)


def fill(clinic: Clinic, count: int, prefix: str = "P") -> None:
    for n in range(count):
        register(clinic, f"{prefix}{n:05d}")


def patients(db: Path) -> set[tuple[object, ...]]:
    """Every patient row of the database file, read with plain sqlite3 (checked first)."""
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute("SELECT * FROM patients").fetchall()
    conn.close()
    return set(rows)


def external_ids(db: Path) -> list[str]:
    return sorted(str(row[2]) for row in patients(db))


def sqlite_scalar(db: Path, query: str) -> object:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.002)


# -- backup --------------------------------------------------------------------------------

def test_a_backup_restores_to_an_identical_set_of_patients(server: Clinic,
                                                           tmp_path: Path) -> None:
    fill(server, 25)
    report = backup_sqlite(server.settings.sqlite_file, tmp_path / "backup.db", now=NOW)
    assert report.path == tmp_path / "backup.db"
    assert report.revision == head_revision()
    assert report.bytes == report.path.stat().st_size == report.pages * report.page_size
    assert report.tables >= 2

    target = tmp_path / "elsewhere" / "isocourse.db"
    restored = restore_sqlite(report.path, target, now=NOW)

    assert patients(target) == patients(server.settings.sqlite_file)
    assert len(patients(target)) == 25
    assert restored.target == target and restored.safety_copy is None
    assert restored.revision == head_revision() and not restored.needs_upgrade


def test_a_backup_taken_while_patients_are_registered_holds_every_acknowledged_write(
        server: Clinic, tmp_path: Path) -> None:
    total = 300
    acknowledged: list[str] = []  # registrations that had returned
    started = [0]  # registrations begun
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for n in range(total):
                started[0] = n + 1
                register(server, f"W{n:05d}")
                acknowledged.append(f"W{n:05d}")
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    def reached(count: int) -> Callable[[], bool]:
        return lambda: len(acknowledged) >= count or not thread.is_alive()

    thread = threading.Thread(target=writer, name="registrations")
    thread.start()
    taken: list[tuple[int, Path, int]] = []  # (acknowledged before, backup, begun by end)
    try:
        for n, threshold in enumerate((20, 110, 200)):
            wait_until(reached(threshold))
            before = len(acknowledged)
            report = backup_sqlite(server.settings.sqlite_file, tmp_path / f"b{n}.db", now=NOW)
            taken.append((before, report.path, started[0]))
    finally:
        thread.join(PATIENCE_S)
    assert not failures and not thread.is_alive()
    assert len(acknowledged) == total

    counts = []
    for before, path, started_by_end in taken:
        ids = external_ids(path)  # integrity_check is "ok", or this fails
        # A prefix of the writes, in order, with every one acknowledged before the backup
        # began, and none that had not yet begun when it ended.
        assert ids == [f"W{n:05d}" for n in range(len(ids))]
        assert before <= len(ids) <= started_by_end
        counts.append(len(ids))
    assert counts == sorted(counts)
    assert counts[0] < total, "the writes went on after the first backup"


def test_a_backup_is_one_self_contained_file_readable_only_by_its_owner(
        server: Clinic, tmp_path: Path) -> None:
    fill(server, 3)
    folder = tmp_path / "backups"
    folder.mkdir()
    report = backup_sqlite(server.settings.sqlite_file, folder / "copy.db", now=NOW)

    assert sorted(p.name for p in folder.iterdir()) == ["copy.db"]
    assert sqlite_scalar(report.path, "PRAGMA journal_mode") == "delete"
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["copy.db"]


def test_a_backup_into_a_folder_is_named_from_the_time_given(server: Clinic,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    report = backup_sqlite(server.settings.sqlite_file, folder, now=NOW)
    assert report.path == folder / f"isocourse-{STAMP}.db"
    assert report.path.is_file()


def test_a_backup_refuses_to_overwrite_a_file_unless_asked(server: Clinic,
                                                           tmp_path: Path) -> None:
    fill(server, 2)
    dest = tmp_path / "backups" / "copy.db"
    dest.parent.mkdir()
    dest.write_bytes(b"an older backup")

    with pytest.raises(InvalidInput, match="already exists") as refused:
        backup_sqlite(server.settings.sqlite_file, dest, now=NOW)
    assert refused.value.field == "dest"
    assert dest.read_bytes() == b"an older backup"
    backup_sqlite(server.settings.sqlite_file, dest.parent, now=NOW)
    with pytest.raises(InvalidInput, match="already exists"):  # same folder, same second
        backup_sqlite(server.settings.sqlite_file, dest.parent, now=NOW)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.db",
                                                             f"isocourse-{STAMP}.db"]

    report = backup_sqlite(server.settings.sqlite_file, dest, now=NOW, overwrite=True)
    assert len(external_ids(report.path)) == 2


def test_a_backup_refuses_a_source_that_is_not_a_database_and_a_missing_folder(
        server: Clinic, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    with pytest.raises(InvalidInput, match="not a SQLite database") as refused:
        backup_sqlite(text, tmp_path / "b.db", now=NOW)
    assert refused.value.field == "source"
    with pytest.raises(InvalidInput, match="no database file"):
        backup_sqlite(tmp_path / "missing.db", tmp_path / "b.db", now=NOW)
    with pytest.raises(InvalidInput, match="does not exist") as refused:
        backup_sqlite(server.settings.sqlite_file, tmp_path / "no" / "b.db", now=NOW)
    assert refused.value.field == "dest"
    with pytest.raises(InvalidInput, match="over the database itself"):
        backup_sqlite(server.settings.sqlite_file, server.settings.sqlite_file, now=NOW,
                      overwrite=True)
    assert not (tmp_path / "b.db").exists()


# -- restore -------------------------------------------------------------------------------

@pytest.fixture
def backup(server: Clinic, tmp_path: Path) -> Path:
    """A backup of a clinic with 60 patients (enough for several pages per table)."""
    fill(server, 60)
    return backup_sqlite(server.settings.sqlite_file, tmp_path / "backup.db", now=NOW).path


def refused_restore(backup: Path, target: Path, match: str, **options: bool) -> InvalidInput:
    with pytest.raises(InvalidInput, match=match) as refused:
        restore_sqlite(backup, target, now=NOW, **options)
    return refused.value


def test_the_restored_database_serves_new_registrations_through_a_new_engine(
        server: Clinic, backup: Path, tmp_path: Path) -> None:
    fill(server, 5, prefix="LATE")
    server.close()  # the server is stopped for a restore
    restore_sqlite(backup, server.settings.sqlite_file, now=NOW, force=True)

    reopened = open_clinic(server.settings.data_dir)
    try:
        added = register(reopened, "AFTER-RESTORE")
        fetched, courses = get_patient(added.id, uows=reopened.uows, actor=reopened.actor)
    finally:
        reopened.close()
    assert fetched == added and courses == []
    ids = external_ids(server.settings.sqlite_file)
    assert len(ids) == 61 and "AFTER-RESTORE" in ids
    assert not any(i.startswith("LATE") for i in ids)


def test_a_forced_restore_keeps_a_safety_copy_of_the_database_it_replaces(
        server: Clinic, backup: Path) -> None:
    fill(server, 5, prefix="LATE")
    before = patients(server.settings.sqlite_file)
    server.close()
    report = restore_sqlite(backup, server.settings.sqlite_file, now=NOW, force=True)

    safety = server.settings.data_dir / f"isocourse.db.before-restore-{STAMP}"
    assert report.safety_copy == safety
    assert patients(safety) == before and len(before) == 65
    assert len(patients(server.settings.sqlite_file)) == 60

    again = restore_sqlite(backup, server.settings.sqlite_file, now=NOW, force=True)
    assert again.safety_copy == safety.with_name(safety.name + "-2")
    assert patients(safety) == before


def test_restore_refuses_a_target_with_data_unless_forced(server: Clinic, backup: Path) -> None:
    fill(server, 1, prefix="LATE")
    server.close()
    target = server.settings.sqlite_file
    before = patients(target)
    refusal = refused_restore(backup, target, "already holds data")
    assert refusal.field == "target"
    assert patients(target) == before
    assert not list(target.parent.glob("*before-restore*"))


def test_restore_into_an_empty_migrated_database_needs_no_force(backup: Path,
                                                                tmp_path: Path) -> None:
    fresh = open_clinic(tmp_path / "fresh")
    fresh.close()
    report = restore_sqlite(backup, fresh.settings.sqlite_file, now=NOW)
    assert len(patients(fresh.settings.sqlite_file)) == 60
    assert report.safety_copy is not None and patients(report.safety_copy) == set()


def test_restore_refuses_while_the_server_has_the_database_open(server: Clinic,
                                                                backup: Path) -> None:
    fill(server, 1, prefix="LATE")  # the engine's pool now holds an open connection
    with pytest.raises(StorageUnavailable, match="in use"):
        restore_sqlite(backup, server.settings.sqlite_file, now=NOW, force=True,
                       lock_timeout=0.2)
    register(server, "STILL-SERVING")
    assert len(external_ids(server.settings.sqlite_file)) == 62
    assert not list(server.settings.data_dir.glob("*before-restore*"))


def test_restore_refuses_a_file_that_is_not_a_sqlite_database(tmp_path: Path) -> None:
    text = tmp_path / "backup.db"
    text.write_text("SQLite? no, a shopping list")
    target = tmp_path / "data" / "isocourse.db"
    assert refused_restore(text, target, "not a SQLite database").field == "backup"
    assert refused_restore(tmp_path / "missing.db", target, "no backup file").field == "backup"
    assert not target.exists()


def test_restore_refuses_a_truncated_backup(backup: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.db"
    data = backup.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    target = tmp_path / "target" / "isocourse.db"
    refused_restore(truncated, target, "damaged|truncated")
    assert not target.exists()


def test_restore_refuses_a_corrupted_backup(backup: Path, tmp_path: Path) -> None:
    # Garble the root page of the patients table: the schema and the revision still read,
    # only the integrity check can tell.
    root = int(str(sqlite_scalar(backup, "SELECT rootpage FROM sqlite_master "
                                         "WHERE name = 'patients'")))
    page_size = int(str(sqlite_scalar(backup, "PRAGMA page_size")))
    data = bytearray(backup.read_bytes())
    data[(root - 1) * page_size:root * page_size] = b"\xa5" * page_size
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(bytes(data))
    assert sqlite_scalar(corrupt, "SELECT version_num FROM alembic_version") == head_revision()

    target = tmp_path / "target" / "isocourse.db"
    refused_restore(corrupt, target, "damaged|truncated")
    assert not target.exists()


def test_restore_refuses_a_backup_with_a_schema_revision_it_does_not_know(
        backup: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    newer.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(newer)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    conn.close()
    target = tmp_path / "target" / "isocourse.db"
    refusal = refused_restore(newer, target, "f00dfeedbeef.*does not know")
    assert head_revision() in str(refusal)

    conn = sqlite3.connect(newer)
    with conn:
        conn.execute("DROP TABLE alembic_version")
    conn.close()
    refused_restore(newer, target, "not an isocourse database")
    assert not target.exists()


def test_a_backup_of_an_older_schema_is_restored_and_flagged_for_upgrade(
        backup: Path, tmp_path: Path) -> None:
    older = [rev for rev, newest in known_revisions().items() if not newest]
    if not older:
        pytest.skip("the package has a single schema revision")
    copy = tmp_path / "older.db"
    copy.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (older[0],))
    conn.close()
    report = restore_sqlite(copy, tmp_path / "target" / "isocourse.db", now=NOW)
    assert report.revision == older[0] and report.needs_upgrade


def test_restore_over_an_unreadable_database_needs_force_and_sets_it_aside(
        backup: Path, tmp_path: Path) -> None:
    target = tmp_path / "broken" / "isocourse.db"
    target.parent.mkdir()
    target.write_bytes(b"\x00" * 8192)
    refused_restore(backup, target, "not a readable SQLite database")
    assert target.read_bytes() == b"\x00" * 8192

    report = restore_sqlite(backup, target, now=NOW, force=True)
    assert report.safety_copy == target.with_name(f"isocourse.db.before-restore-{STAMP}")
    assert report.safety_copy.read_bytes() == b"\x00" * 8192
    assert len(patients(target)) == 60


# -- PostgreSQL ----------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "postgresql+psycopg://clinic:s3cr%40t-pw@db.example:5433/isocourse?sslmode=require",
    "postgresql://clinic@db.example/isocourse?password=s3cr%40t-pw",
])
def test_postgres_backup_advice_gives_the_commands_and_never_the_password(url: str) -> None:
    advice = postgres_backup_advice(url)
    assert "s3cr" not in advice and "pw" not in advice.replace("PGPASSWORD", "")
    assert "pg_dump --format=custom" in advice and "pg_restore" in advice
    assert "postgresql://clinic@db.example" in advice
    assert "+psycopg" not in advice


def test_postgres_backup_advice_refuses_a_url_that_is_not_postgresql() -> None:
    with pytest.raises(InvalidInput) as refused:
        postgres_backup_advice("sqlite:////srv/isocourse.db")
    assert refused.value.field == "database_url"
