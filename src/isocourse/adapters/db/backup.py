"""Backing up the embedded SQLite database while the server runs, and restoring it.

**Backup is online.** :func:`backup_sqlite` copies the database with SQLite's online backup
API (``sqlite3.Connection.backup``) in a single step, which is one read transaction: the copy
is the committed state at one instant, and in WAL mode the server's writers carry on
meanwhile. The copy is written to a hidden temporary file beside the destination, checked
(``PRAGMA integrity_check``, the Alembic revision), turned into one self-contained file
(``journal_mode=DELETE``: no ``-wal``/``-shm`` beside it), synced to disk and only then linked
into place, so a crash never leaves half a backup under the destination's name. Backups hold
patient data: the file is created readable by its owner only (mode 0600).

**Restore is offline, by design.** :func:`restore_sqlite` needs the server stopped, and
checks that it is: it opens the target with ``PRAGMA locking_mode=EXCLUSIVE`` and ``BEGIN
EXCLUSIVE``, which in WAL mode fails while any other connection has the database open, even
an idle one in a running server's pool; it then refuses with :class:`StorageUnavailable`
("stop the server"). Restoring under a running server would be consistent for SQLite but
not for the clinic: the server would go on answering from what it read before (an
authorization code on a pharmacist's screen, a replayed idempotent response, a course
version in an ``If-Match``), and a write acknowledged between the safety copy and the
restore would vanish without trace. The exclusive lock is held from the first look at the
target to the end, so no write can slip in: the safety copy
(``<target>.before-restore-YYYYMMDD-HHMMSS``, made with the backup API, so it includes what
is still in the WAL) is exactly the database that is replaced. The restore itself is the
backup API from the checked backup into the locked target after switching it to a rollback
journal: SQLite writes it as one transaction, so a crash part-way rolls back to the old
database on the next open, and SQLite itself folds in and removes the target's WAL and
shared-memory files, so they can never disagree with the restored file. The target is left
in WAL mode, as the engine expects.

A target that SQLite cannot read at all (not a database, or corrupt) is set aside by
renaming it (and its ``-wal``/``-journal``) to the safety name, only with ``force``.

**PostgreSQL** is backed up with its own tools; :func:`postgres_backup_advice` gives the
commands, without the password. isocourse does not run ``pg_dump`` itself.

Nothing here reads a clock (the caller passes ``now``) or prints; errors are
:class:`InvalidInput` (a wrong file or a refusal) and :class:`StorageUnavailable` (the disk
or the lock), and name paths and revisions, never data from the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from isocourse.adapters.db.migrate import alembic_config
from isocourse.domain.errors import InvalidInput, StorageUnavailable

__all__ = ["BackupReport", "RestoreReport", "backup_sqlite", "known_revisions",
           "postgres_backup_advice", "restore_sqlite"]

_MAGIC = b"SQLite format 3\x00"
_SIDECARS = ("-wal", "-shm", "-journal")
_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
#: Seconds the backup waits for a read lock (only a restore or a recovery holds it long).
READ_TIMEOUT_S = 30.0
#: Seconds a restore waits for the server's connections to go away before refusing.
RESTORE_LOCK_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class BackupReport:
    """A finished, checked backup."""

    path: Path
    bytes: int
    revision: str | None  # the Alembic revision; None for a database never migrated
    tables: int
    pages: int
    page_size: int


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """A finished restore. ``needs_upgrade``: the backup is from an older schema; run the
    migrations (``isocourse db upgrade``) before serving."""

    target: Path
    safety_copy: Path | None  # where the replaced database was kept; None if there was none
    revision: str
    needs_upgrade: bool
    bytes: int
    tables: int


def backup_sqlite(source: Path, dest: Path, *, now: dt.datetime,
                  overwrite: bool = False) -> BackupReport:
    """Copy the SQLite database ``source`` to ``dest`` (a file, or an existing folder to
    put ``isocourse-YYYYMMDD-HHMMSS.db`` in, named from ``now``), consistently, while other
    connections read and write it."""
    if dest.is_dir():
        dest = dest / f"isocourse-{_stamp(now)}.db"
    _check_dest(source, dest, overwrite=overwrite)
    _require_sqlite_file(source, field="source", what="database")
    try:
        with contextlib.closing(_connect(source, "rw", READ_TIMEOUT_S)) as src:
            return _write_copy(src, dest, overwrite=overwrite)
    except sqlite3.Error as error:
        raise _storage_error(error, f"the database {source} could not be read") from None


def restore_sqlite(backup: Path, target: Path, *, now: dt.datetime, force: bool = False,
                   lock_timeout: float = RESTORE_LOCK_TIMEOUT_S) -> RestoreReport:
    """Replace the database ``target`` with the checked ``backup``. The server must be
    stopped (see the module documentation); a target with data in it is replaced only with
    ``force``, after a safety copy named from ``now``."""
    if target.is_dir():
        raise InvalidInput(f"the restore target {target} is a folder, not a database file",
                           field="target")
    _require_sqlite_file(backup, field="backup", what="backup")
    if target.exists() and backup.resolve() == target.resolve():
        raise InvalidInput("the backup and the restore target are the same file",
                           field="backup")
    known = known_revisions()
    try:
        src = _connect(backup, "ro", READ_TIMEOUT_S)
    except sqlite3.Error as error:
        raise _storage_error(error, f"the backup {backup} could not be opened") from None
    with contextlib.closing(src):
        revision = _check_backup(src, backup, known)
        target.parent.mkdir(parents=True, exist_ok=True)
        safety: Path | None = None
        if _target_state(target, lock_timeout) == "unreadable":
            if not force:
                raise InvalidInput(f"the restore target {target} is not a readable SQLite "
                                   "database; restore over it with force (it is kept aside)",
                                   field="target")
            safety = _set_aside(target, now)
        existed = target.exists()
        conn = _lock_exclusively(target, lock_timeout)
        try:
            with contextlib.closing(conn):
                try:
                    has_rows = _has_rows(conn)
                except sqlite3.Error as error:
                    raise _storage_error(error, f"the database {target} could not be "
                                                "read") from None
                if has_rows and not force:
                    raise InvalidInput(f"the restore target {target} already holds data; "
                                       "restore over it with force (a safety copy is kept)",
                                       field="target")
                if existed and safety is None:
                    safety = _write_copy(conn, _free_name(target, now),
                                         overwrite=False).path
                return _restore_into(src, conn, target, safety, revision, known)
        except BaseException:
            if not existed:
                for path in (target, *_sidecars(target)):
                    path.unlink(missing_ok=True)
            raise


def known_revisions() -> dict[str, bool]:
    """The schema revisions this isocourse knows, each with whether it is the newest."""
    scripts = ScriptDirectory.from_config(alembic_config())
    heads = set(scripts.get_heads())
    return {script.revision: script.revision in heads for script in scripts.walk_revisions()}


def postgres_backup_advice(url: str) -> str:
    """How to back up and restore a PostgreSQL database with its own tools (``pg_dump``
    takes a consistent snapshot while the server runs). The password is left out."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput("the database URL is not a valid URL",
                           field="database_url") from None
    if parsed.get_backend_name() != "postgresql":
        raise InvalidInput("the database URL is not a PostgreSQL URL", field="database_url")
    safe = URL.create("postgresql", username=parsed.username, host=parsed.host,
                      port=parsed.port, database=parsed.database,
                      query={k: v for k, v in parsed.query.items() if k != "password"},
                      ).render_as_string(hide_password=False)  # no password to hide
    quoted = shlex.quote(safe)
    return "\n".join([
        "isocourse does not copy a PostgreSQL database itself: use PostgreSQL's tools, of the",
        "server's major version or newer. pg_dump takes a consistent snapshot while the",
        "server runs; stop the isocourse server before pg_restore.",
        "",
        "  back up:  pg_dump --format=custom --file=isocourse.dump " + quoted,
        "  restore:  pg_restore --clean --if-exists --no-owner --single-transaction "
        f"--dbname={quoted} isocourse.dump",
        "",
        "The password is not shown: give it in the PGPASSWORD environment variable or a",
        "~/.pgpass file (https://www.postgresql.org/docs/current/libpq-pgpass.html).",
    ])


# -- copying -------------------------------------------------------------------------------

def _write_copy(src: sqlite3.Connection, dest: Path, *, overwrite: bool) -> BackupReport:
    """Copy ``src`` to a temporary file beside ``dest``, check it, make it one
    self-contained file, and move it into place."""
    handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial",
                                    dir=dest.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        try:
            with contextlib.closing(sqlite3.connect(tmp, isolation_level=None)) as copy:
                src.backup(copy)  # pages=-1: one step, one read transaction, one instant
                copy.execute("PRAGMA journal_mode=DELETE")
                if not _integrity_ok(copy):
                    raise StorageUnavailable(f"the copy written for {dest} failed its "
                                             "integrity check; nothing was kept")
                revisions = _revisions(copy)
                tables, pages, page_size = _shape(copy)
        except sqlite3.Error as error:
            raise _storage_error(error, f"the backup {dest} could not be written") from None
        _fsync(tmp)
        _publish(tmp, dest, overwrite=overwrite)
    finally:
        for path in (tmp, *_sidecars(tmp)):
            path.unlink(missing_ok=True)
    return BackupReport(path=dest, bytes=dest.stat().st_size,
                        revision=revisions[0] if len(revisions) == 1 else None,
                        tables=tables, pages=pages, page_size=page_size)


def _restore_into(src: sqlite3.Connection, conn: sqlite3.Connection, target: Path,
                  safety: Path | None, revision: str, known: dict[str, bool]) -> RestoreReport:
    kept = f"; the previous database is kept at {safety}" if safety else ""
    try:
        # A rollback journal makes the copy one atomic transaction, and checkpoints and
        # removes the WAL first; the page size then follows the backup's.
        conn.execute("PRAGMA journal_mode=DELETE")
        src.backup(conn)
        if not _integrity_ok(conn):
            raise StorageUnavailable(f"the restored database {target} failed its integrity "
                                     f"check{kept}")
        conn.execute("PRAGMA journal_mode=WAL")
        tables = _shape(conn)[0]
    except sqlite3.Error as error:
        raise _storage_error(error, f"the restore into {target} failed{kept}") from None
    return RestoreReport(target=target, safety_copy=safety, revision=revision,
                         needs_upgrade=not known[revision], bytes=target.stat().st_size,
                         tables=tables)


def _publish(tmp: Path, dest: Path, *, overwrite: bool) -> None:
    """Move the finished copy to ``dest`` in one step; without ``overwrite``, never
    replace a file that appeared meanwhile (a hard link fails if the name exists)."""
    if not overwrite and dest.exists():
        raise _exists(dest)
    for sidecar in _sidecars(dest):  # a stale journal would be applied to the new file
        sidecar.unlink(missing_ok=True)
    try:
        if overwrite:
            os.replace(tmp, dest)
        else:
            try:
                os.link(tmp, dest)
            except FileExistsError:
                raise _exists(dest) from None
            except OSError:  # a file system without hard links
                if dest.exists():
                    raise _exists(dest) from None
                os.replace(tmp, dest)
        _fsync(dest.parent)
    except OSError as error:
        raise StorageUnavailable(f"the backup {dest} could not be put in place "
                                 f"({error.strerror})") from None


# -- checking ------------------------------------------------------------------------------

def _check_dest(source: Path, dest: Path, *, overwrite: bool) -> None:
    if not dest.parent.is_dir():
        raise InvalidInput(f"the folder {dest.parent} does not exist", field="dest")
    if dest.is_dir():
        raise InvalidInput(f"{dest} is a folder", field="dest")
    if source.exists() and dest.resolve() in {source.resolve(),
                                              *(p.resolve() for p in _sidecars(source))}:
        raise InvalidInput("the backup cannot be written over the database itself",
                           field="dest")
    if dest.exists() and not overwrite:
        raise _exists(dest)


def _require_sqlite_file(path: Path, *, field: str, what: str) -> None:
    if not path.is_file():
        raise InvalidInput(f"there is no {what} file at {path}", field=field)
    try:
        with path.open("rb") as file:
            header = file.read(len(_MAGIC))
    except OSError as error:
        raise InvalidInput(f"the {what} {path} cannot be read ({error.strerror})",
                           field=field) from None
    if header != _MAGIC:
        raise InvalidInput(f"{path} is not a SQLite database", field=field)


def _check_backup(src: sqlite3.Connection, backup: Path, known: dict[str, bool]) -> str:
    try:
        if not _integrity_ok(src):
            raise InvalidInput(f"the backup {backup} is damaged (it fails SQLite's integrity "
                               "check); use another backup", field="backup")
        revisions = _revisions(src)
    except sqlite3.Error as error:
        if _code(error) in _DAMAGED:
            raise _not_a_database(backup) from None
        raise _storage_error(error, f"the backup {backup} could not be read") from None
    if not revisions:
        raise InvalidInput(f"{backup} is not an isocourse database (it has no schema "
                           "revision)", field="backup")
    newest = next(rev for rev, head in known.items() if head)
    unknown = [rev for rev in revisions if rev not in known]
    if unknown or len(revisions) != 1:
        raise InvalidInput(f"the backup {backup} has schema revision {', '.join(revisions)}, "
                           f"which this isocourse does not know (its newest is {newest}); "
                           "it was probably made by a newer isocourse: restore it with that "
                           "version", field="backup")
    return revisions[0]


def _target_state(target: Path, timeout: float) -> str:
    """"unreadable" for a file that is not a SQLite database or that SQLite cannot read,
    else "data" or "empty" (no rows outside the schema revision)."""
    if target.exists() and target.stat().st_size > 0:
        with target.open("rb") as file:
            if file.read(len(_MAGIC)) != _MAGIC:
                return "unreadable"
    try:
        with contextlib.closing(_connect(target, "rw", timeout)) as conn:
            return "data" if _has_rows(conn) else "empty"
    except sqlite3.Error as error:
        if not target.exists():
            return "empty"
        if _code(error) in _DAMAGED:
            return "unreadable"
        if _code(error) in _BUSY:
            raise _in_use(target) from None
        raise _storage_error(error, f"the database {target} could not be read") from None


def _lock_exclusively(target: Path, timeout: float) -> sqlite3.Connection:
    """A connection that alone has ``target`` open until it is closed, or StorageUnavailable
    when another connection (a running server) has it open."""
    conn = _connect(target, "rwc", timeout)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("COMMIT")  # the lock is kept until the connection closes
    except sqlite3.Error as error:
        conn.close()
        if _code(error) in _BUSY:
            raise _in_use(target) from None
        raise _storage_error(error, f"the database {target} could not be opened") from None
    return conn


#: Tables a new, migrated database already has rows in (the migration's own bookkeeping).
_BOOKKEEPING = ("alembic_version", "audit_head")


def _has_rows(conn: sqlite3.Connection) -> bool:
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                "name NOT LIKE 'sqlite_%'"):
        if name in _BOOKKEEPING:
            continue
        quoted = '"' + str(name).replace('"', '""') + '"'
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})").fetchone()[0]:
            return True
    return False


def _integrity_ok(conn: sqlite3.Connection) -> bool:
    return [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]


def _revisions(conn: sqlite3.Connection) -> list[str]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                    "AND name = 'alembic_version'").fetchone() is None:
        return []
    return [str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version")]


def _shape(conn: sqlite3.Connection) -> tuple[int, int, int]:
    tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite_%'").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int(tables), int(pages), int(page_size)


# -- files ---------------------------------------------------------------------------------

def _connect(path: Path, mode: str, timeout: float) -> sqlite3.Connection:
    """``mode`` ro/rw never creates the file; rwc does."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                           timeout=timeout, isolation_level=None)


def _set_aside(target: Path, now: dt.datetime) -> Path:
    safety = _free_name(target, now)
    try:
        for suffix in _SIDECARS:
            if Path(f"{target}{suffix}").exists():
                os.replace(f"{target}{suffix}", f"{safety}{suffix}")
        os.replace(target, safety)
        _fsync(target.parent)
    except OSError as error:
        raise StorageUnavailable(f"the damaged database {target} could not be set aside "
                                 f"({error.strerror})") from None
    return safety


def _free_name(target: Path, now: dt.datetime) -> Path:
    base = f"{target}.before-restore-{_stamp(now)}"
    candidate, n = Path(base), 1
    while any(Path(f"{candidate}{s}").exists() for s in ("", *_SIDECARS)):
        n += 1
        candidate = Path(f"{base}-{n}")
    return candidate


def _sidecars(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in _SIDECARS]


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder
        handle = os.open(path, flags)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


# -- errors --------------------------------------------------------------------------------

def _exists(dest: Path) -> InvalidInput:
    return InvalidInput(f"{dest} already exists; choose another name or overwrite it",
                        field="dest")


def _not_a_database(path: Path) -> InvalidInput:
    return InvalidInput(f"{path} is not a readable SQLite database (it may be truncated or "
                        "damaged)", field="backup")


def _in_use(target: Path) -> StorageUnavailable:
    return StorageUnavailable(f"the database {target} is in use (is the isocourse server "
                              "running?); stop the server, then restore")


def _code(error: sqlite3.Error) -> int:
    """SQLite's primary result code (SQLITE_BUSY for SQLITE_BUSY_SNAPSHOT...)."""
    return int(getattr(error, "sqlite_errorcode", -1)) & 0xFF


def _storage_error(error: sqlite3.Error, what: str) -> StorageUnavailable:
    # SQLite's messages name the failure ("database or disk is full"), never row values.
    return StorageUnavailable(f"{what}: {error}")
