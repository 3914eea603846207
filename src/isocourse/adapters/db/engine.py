"""Creating the database engine: SQLite with the durability settings the house rules ask
for, or PostgreSQL through psycopg 3.

SQLite: WAL (readers never block the writer), ``synchronous=FULL`` (a committed write
survives a power cut), foreign keys on, and a busy timeout so concurrent writers queue
instead of failing. A unit of work that will write starts with ``BEGIN IMMEDIATE``: it takes
the write lock first, so two writers can never both read and then deadlock on upgrading
their locks (SQLite's "database is locked" on a deferred transaction). Read-only units of
work start with a plain ``BEGIN`` and run alongside.

PostgreSQL: ``pool_pre_ping`` so that connections broken while the database was away are
replaced, which is how the server recovers without a restart.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["WRITE_OPTION", "make_engine", "sqlite_path", "sqlite_url"]

#: Execution option that marks a connection's transaction as a writer (see module doc).
WRITE_OPTION = "isocourse_write"
#: Seconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 30


def sqlite_url(path: Path) -> str:
    return URL.create("sqlite+pysqlite", database=str(path)).render_as_string()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or ``None`` for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database \
            or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


class _NoStatementLogs(logging.Filter):
    """SQLAlchemy logs statements with their parameters at INFO and result rows at DEBUG:
    patient data. Whoever turns those loggers up (to debug something else) must not get it,
    so only its warnings and errors pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_STATEMENT_LOGGER = logging.getLogger("sqlalchemy.engine.Engine")
if not any(isinstance(f, _NoStatementLogs) for f in _STATEMENT_LOGGER.filters):
    _STATEMENT_LOGGER.addFilter(_NoStatementLogs())


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url``. Connects lazily: nothing happens until first use.

    ``hide_parameters``: a statement's parameters (patient data) never appear in the
    messages of database errors; statement logging is filtered out (above)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, pool_size=pool_size,
                             max_overflow=pool_size, hide_parameters=True,
                             connect_args={"connect_timeout": 5})
    raise ValueError(f"unsupported database backend {backend!r}; use sqlite or postgresql")


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(
        url, pool_pre_ping=True, hide_parameters=True,
        # The driver's own transaction handling is switched off (isolation_level=None) so
        # that the BEGIN below is the only one; see the SQLAlchemy pysqlite documentation,
        # "Serializable isolation / Savepoints / Transactional DDL".
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S,
                      "isolation_level": None},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writer = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine
