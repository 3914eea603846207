"""Throwaway PostgreSQL servers for tests, started from the machine's own PostgreSQL binaries.

Why: the clinic server stores courses in PostgreSQL, and the behaviour that matters there
(types, constraints, transactional DDL, concurrent sessions, Alembic migrations) is
PostgreSQL's own; SQLite would test a different database. Rather than ask for Docker or a
shared, long-lived server, each test session starts its own server from Debian's packages
(``tools/install-system-packages.sh`` installs them): ``initdb`` into a temporary directory,
``pg_ctl start`` on a free port of 127.0.0.1, and ``pg_ctl stop`` plus removal of the directory
afterwards. Nothing is shared between servers, so ``pytest -n N`` workers each get their own
and need no coordination. Durability is switched off (``fsync=off``, ``full_page_writes=off``):
the data dies with the test anyway.

PostgreSQL refuses to run as root. When the tests run as root (CI containers), initdb and
pg_ctl run as the ``postgres`` system user that Debian's package creates, through ``runuser``.

Set ``ISOCOURSE_TEST_DATABASE_URL`` to an admin URL (a superuser, or a role that may create
databases) to use an existing server instead: nothing is started then. Set
``ISOCOURSE_REQUIRE_POSTGRES=1`` (CI counts too) to make callers fail, not skip, when no
PostgreSQL is available.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow
from sqlalchemy.engine import make_url

URL_ENV = "ISOCOURSE_TEST_DATABASE_URL"
REQUIRE_ENV = "ISOCOURSE_REQUIRE_POSTGRES"
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"  # the superuser initdb creates; also the system user used under root
SERVER_OPTIONS = ("-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200")

_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_MAX_IDENTIFIER = 63  # PostgreSQL's NAMEDATALEN - 1
_PORT_ATTEMPTS = 5
_START_TIMEOUT_S = 60
_LOG_TAIL_LINES = 40
_TRUE = frozenset({"1", "true", "yes", "on"})


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started here (binaries or the ``postgres`` user missing)."""


class PostgresServerError(RuntimeError):
    """initdb, pg_ctl or the server failed; the message carries their output and the log tail."""


def postgres_required() -> bool:
    """True when a missing PostgreSQL must fail the tests rather than skip them."""
    return any(os.environ.get(name, "").strip().lower() in _TRUE for name in (REQUIRE_ENV, "CI"))


def find_pg_bindir() -> Path | None:
    """The directory holding ``pg_ctl``, ``initdb`` and ``postgres``, or None.

    ``pg_ctl`` on PATH wins (symlinks resolved, so a link in /usr/local/bin leads to the real
    directory); then the highest version in Debian's /usr/lib/postgresql/<version>/bin.
    """
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        bindir = Path(on_path).resolve().parent
        if _is_bindir(bindir):
            return bindir
    versions = [(key, d) for d in DEBIAN_PG_ROOT.glob("*/bin") if (key := _version(d.parent.name))]
    for _, bindir in sorted(versions, reverse=True):
        if _is_bindir(bindir):
            return bindir
    return None


def unavailable_reason() -> str | None:
    """Why ``running_postgres()`` cannot work here, or None when it can."""
    if os.environ.get(URL_ENV):
        return None
    if find_pg_bindir() is None:
        return (
            f"PostgreSQL server binaries (pg_ctl, initdb, postgres) are neither on PATH nor in "
            f"{DEBIAN_PG_ROOT}/*/bin: run tools/install-system-packages.sh, or set {URL_ENV}"
        )
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root, PostgreSQL must run as another user, but runuser is missing"
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return (
                f"running as root, PostgreSQL must run as another user, and there is no "
                f"{SERVER_USER!r} user (Debian's postgresql package creates it)"
            )
    return None


def skip_or_fail_without_postgres() -> None:
    """Skip the calling test when ``running_postgres()`` cannot work here; fail it instead
    when PostgreSQL is required (``postgres_required()``)."""
    reason = unavailable_reason()
    if reason is None:
        return
    if postgres_required():
        pytest.fail(
            f"PostgreSQL is required here ({REQUIRE_ENV}=1 or CI is set) "
            f"but unavailable: {reason}",
            pytrace=False,
        )
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@contextmanager
def running_postgres() -> Iterator[str]:
    """Yield the admin SQLAlchemy URL of a PostgreSQL server that lives as long as the block.

    With ``ISOCOURSE_TEST_DATABASE_URL`` set, yield it unchanged and start nothing. Otherwise
    start a throwaway server: ``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``, trust
    authentication, listening on 127.0.0.1 only. It is stopped and its directory removed when
    the block ends, however it ends.
    """
    external = os.environ.get(URL_ENV)
    if external:
        yield external
        return
    reason = unavailable_reason()
    if reason is not None:
        raise PostgresUnavailable(reason)
    bindir = find_pg_bindir()
    if bindir is None:  # checked by unavailable_reason(); this tells the type checker
        raise PostgresUnavailable("PostgreSQL server binaries not found")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", SERVER_USER, "--"] if as_root else []
    # Under root the directory must be reachable by the postgres user: /tmp, not $TMPDIR.
    workdir = Path(tempfile.mkdtemp(prefix="isocourse-pg-", dir="/tmp" if as_root else None))
    data, sockets = workdir / "data", workdir / "sockets"
    try:
        sockets.mkdir()
        if as_root:
            user = pwd.getpwnam(SERVER_USER)
            for path in (workdir, sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
        _run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "--auth=trust",
             f"--username={SERVER_USER}", "--encoding=UTF8", "--no-locale", "--no-sync"],
            workdir, "initdb failed", timeout=120,
        )
        port = _start(prefix, bindir, workdir, data, sockets)
        yield f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{port}/postgres"
    finally:
        try:
            if (data / "postmaster.pid").exists():  # also after a start that timed out
                _stop(prefix, bindir, workdir, data)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """Create database ``name`` on the admin URL's server; return the new database's URL."""
    _check_name(name)
    with _connect(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, closing any sessions still connected to it."""
    _check_name(name)
    with _connect(admin_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg/libpq accepts it (no ``+driver`` suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- internals ---------------------------------------------------------------------------------


def _is_bindir(path: Path) -> bool:
    return all(os.access(path / tool, os.X_OK) for tool in ("pg_ctl", "initdb", "postgres"))


def _version(name: str) -> tuple[int, ...]:
    """Directory name to sort key: '15' -> (15,), '9.6' -> (9, 6), anything else -> ()."""
    parts = name.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()


def _check_name(name: str) -> None:
    if not _DATABASE_NAME.fullmatch(name) or len(name) > _MAX_IDENTIFIER:
        raise ValueError(
            f"database name {name!r} must match {_DATABASE_NAME.pattern} "
            f"and have at most {_MAX_IDENTIFIER} characters"
        )


def _connect(url: str) -> psycopg.Connection[TupleRow]:
    return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10)


def _environment() -> dict[str, str]:
    """The caller's environment without PG* settings (PGDATA, PGPORT... would interfere),
    in the C locale so that server messages (and the port-clash check) are in English."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "LANGUAGE"}
    env.update(LC_ALL="C", LANG="C")
    return env


def _run(
    command: Sequence[str], workdir: Path, failure: str, timeout: float, log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            command, cwd=workdir, env=_environment(), capture_output=True, text=True,
            timeout=timeout, check=False, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        tail = "" if log is None else f"\nserver log, last lines:\n{_tail(log)}"
        raise PostgresServerError(
            f"{failure}: no answer after {timeout:g} s: {shlex.join(command)}{tail}"
        ) from error
    if result.returncode != 0:
        raise PostgresServerError(_describe(failure, command, result, log))
    return result


def _describe(
    failure: str, command: Sequence[str], result: subprocess.CompletedProcess[str],
    log: Path | None,
) -> str:
    parts = [f"{failure} (exit status {result.returncode}): {shlex.join(command)}"]
    output = (result.stdout + result.stderr).strip()
    if output:
        parts.append(f"output:\n{output}")
    if log is not None:
        parts.append(f"server log, last {_LOG_TAIL_LINES} lines:\n{_tail(log)}")
    return "\n".join(parts)


def _tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError as error:
        return f"(no log: {error})"
    return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(empty)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(prefix: list[str], bindir: Path, workdir: Path, data: Path, sockets: Path) -> int:
    """Start the server on a free port; try another port when someone took it meanwhile."""
    log = workdir / "server.log"
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        port = _free_port()
        options = shlex.join([
            "-p", str(port), "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={sockets}", *SERVER_OPTIONS,
        ])
        command = [*prefix, str(bindir / "pg_ctl"), "start", "-w", "-t", str(_START_TIMEOUT_S),
                   "-D", str(data), "-l", str(log), "-o", options]
        log_size = log.stat().st_size if log.exists() else 0
        try:
            _run(command, workdir, "PostgreSQL server did not start",
                 timeout=_START_TIMEOUT_S + 30, log=log)
        except PostgresServerError:
            if attempt < _PORT_ATTEMPTS and _port_clash(log, log_size):
                time.sleep(0.05)
                continue
            raise
        return port
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _port_clash(log: Path, since: int) -> bool:
    with log.open("rb") as f:
        f.seek(since)
        text = f.read().decode(errors="replace")
    return "Address already in use" in text or "could not bind" in text


def _stop(prefix: list[str], bindir: Path, workdir: Path, data: Path) -> None:
    pg_ctl = [*prefix, str(bindir / "pg_ctl"), "stop", "-w", "-t", "30", "-D", str(data)]
    try:
        _run([*pg_ctl, "-m", "fast"], workdir, "pg_ctl stop failed", timeout=60)
    except PostgresServerError:
        _run([*pg_ctl, "-m", "immediate"], workdir, "pg_ctl stop failed", timeout=60)
