"""Fault-test harness: the clinic server as a real process (``python -m isocourse serve``)
that can be killed, a write load over HTTP whose every acknowledged write is written down,
and the checks made after a restart.

Every wait here is bounded by a deadline that only guards against a hang (a loaded 2-core
machine starts the server in about ten seconds without cached bytecode); no assertion
depends on how long something took.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from isocourse.services.access import Role
from tests.support.accounts import add_account, token_for
from tests.support.clinics import clinic_on
from tests.support.courses import start_us_course

__all__ = ["Load", "Prepared", "ServerProcess", "audit_verify", "cli", "prepare",
           "sqlite_integrity", "stored_events"]

#: Hang guards, in seconds (not expectations of speed).
START_DEADLINE_S = 120.0
STOP_DEADLINE_S = 30.0
CLI_DEADLINE_S = 120.0
HTTP_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(database_url: str | None) -> dict[str, str]:
    """The server's and the commands' environment: ours, without isocourse settings.

    Where bytecode is not written (PYTHONDONTWRITEBYTECODE, as in some sandboxes), every
    process would compile isocourse and its dependencies again: ten seconds and more of a
    loaded machine per server start. Their bytecode goes to a cache of its own instead
    (PYTHONPYCACHEPREFIX), outside the source tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOCOURSE_")}
    if env.pop("PYTHONDONTWRITEBYTECODE", None) and "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "isocourse-pycache")
    if database_url is not None:
        env["ISOCOURSE_DATABASE_URL"] = database_url
    env["ISOCOURSE_DEBUG"] = "1"  # a crash of the command shows its traceback
    return env


def cli(args: Sequence[str], data_dir: Path, database_url: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    """Run ``isocourse ARGS --data-dir DATA_DIR`` (the database URL in the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "isocourse", *args, "--data-dir", str(data_dir)],
        env=_environment(database_url), capture_output=True, text=True,
        timeout=CLI_DEADLINE_S, check=False, stdin=subprocess.DEVNULL)


def audit_verify(data_dir: Path, database_url: str | None = None) -> str:
    """``isocourse audit verify``: its output; fails the test unless it exits 0."""
    done = cli(["audit", "verify"], data_dir, database_url)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert "audit trail intact" in done.stdout, done.stdout
    return done.stdout


def sqlite_integrity(db: Path) -> None:
    """SQLite's own checks of the file: ``integrity_check`` and ``foreign_key_check``."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


class ServerProcess:
    """``isocourse serve`` in a process of its own; its output goes to ``log``."""

    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.log = data_dir.parent / f"{data_dir.name}-server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> str:
        """Start the server; return its base URL once it answers its health endpoint."""
        assert self.process is None, "already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        with self.log.open("ab") as log:
            log.write(f"--- start on port {port}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "isocourse", "serve", "--data-dir", str(self.data_dir),
                 "--port", str(port)],
                env=_environment(self.database_url), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited ({self.process.returncode}):\n"
                                     f"{self.log_text()}")
            try:
                if httpx.get(self.base + "/api/v1/health", timeout=5).status_code == 200:
                    return self.base
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the server did not start:\n{self.log_text()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, nothing the process can do about it."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(STOP_DEADLINE_S)
            self.process = None

    def stop(self) -> None:
        """An orderly stop (SIGTERM, as a service manager sends); SIGKILL if it hangs."""
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.kill()


# -- the clinic a fault test starts from ---------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    headers: dict[str, str]   # the prescriber's API token
    course_ids: list[str]


def prepare(database_url: str, data_dir: Path, courses: int) -> Prepared:
    """A prescriber with an API token and ``courses`` started courses, made through the
    services on the database the server will use (before it starts)."""
    with clinic_on(database_url, data_dir) as clinic:
        clinic.migrate()
        user = add_account(clinic, Role.PRESCRIBER)
        token = token_for(clinic, user)
        ids = [start_us_course(clinic, f"fault-{n}").header.id for n in range(courses)]
    return Prepared({"Authorization": f"Bearer {token}"}, ids)


# -- the write load ------------------------------------------------------------------------

#: Clinical dates of the load's events: after the courses start, before any test's today.
_FIRST_DAY = dt.date(2026, 10, 10)


def batch(tag: str, n: int) -> dict[str, Any]:
    """One request's body: a weight and a side effect, both noted with ``tag`` (they are
    written in one transaction: after a crash both are there, or neither)."""
    day = (_FIRST_DAY + dt.timedelta(days=n % 30)).isoformat()
    return {"events": [
        {"type": "weight", "date": day, "kg": 60 + n % 7, "note": tag},
        {"type": "side_effect", "date": day, "kind": "dry-skin", "grade": 1 + n % 3,
         "note": tag}]}


@dataclass
class Load:
    """Writer threads, one per course, each posting :func:`batch` bodies until stopped or
    until the server goes away. ``acknowledged`` maps a request's tag to the event ids its
    2xx answer returned; ``sent`` holds every tag whose request was begun; ``statuses`` every
    status received."""

    base: str
    headers: dict[str, str]
    course_ids: list[str]
    round: str = "r"
    acknowledged: dict[str, list[str]] = field(default_factory=dict)
    sent: dict[str, str] = field(default_factory=dict)   # tag -> course id
    statuses: list[int] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        for index, course_id in enumerate(self.course_ids):
            thread = threading.Thread(target=self._write, args=(index, course_id),
                                      name=f"writer-{index}", daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def _write(self, index: int, course_id: str) -> None:
        url = f"{self.base}/api/v1/courses/{course_id}/events"
        try:
            with httpx.Client(headers=self.headers, timeout=HTTP_TIMEOUT_S) as client:
                n = 0
                while not self._stop.is_set():
                    tag = f"{self.round}-{index}-{n}"
                    with self._lock:
                        self.sent[tag] = course_id
                    try:
                        answer = client.post(url, json=batch(tag, n))
                    except httpx.TransportError:
                        return  # the server went away: this request's fate is unknown
                    with self._lock:
                        self.statuses.append(answer.status_code)
                        if answer.is_success:
                            self.acknowledged[tag] = [
                                e["event"]["id"] for e in answer.json()["recorded"]]
                    n += 1
        except BaseException as error:  # reported by the test
            self.errors.append(error)

    def count(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def acknowledged_tags(self) -> set[str]:
        with self._lock:
            return set(self.acknowledged)

    def sent_tags(self) -> set[str]:
        with self._lock:
            return set(self.sent)

    def wait_for(self, acknowledged: int) -> None:
        """Until ``acknowledged`` writes were acknowledged (hang guard: the start deadline)."""
        deadline = time.monotonic() + START_DEADLINE_S
        while self.count() < acknowledged:
            assert not self.errors, self.errors
            assert any(t.is_alive() for t in self._threads), "every writer stopped"
            assert time.monotonic() < deadline, f"only {self.count()} writes acknowledged"
            time.sleep(0.005)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(HTTP_TIMEOUT_S + 5)
        assert not any(t.is_alive() for t in self._threads), "a writer hung"
        assert not self.errors, self.errors


def stored_events(base: str, headers: dict[str, str], course_ids: Sequence[str]
                  ) -> dict[str, list[dict[str, Any]]]:
    """Every stored event of the courses (bodies), by course, read over the API."""
    with httpx.Client(base_url=base + "/api/v1", headers=headers,
                      timeout=HTTP_TIMEOUT_S) as api:
        found = {}
        for course_id in course_ids:
            answer = api.get(f"/courses/{course_id}/events")
            assert answer.status_code == 200, answer.text
            found[course_id] = [item["event"] for item in answer.json()["items"]]
    return found


@contextmanager
def running(server: ServerProcess) -> Iterator[str]:
    """The server started for a block and stopped in order afterwards."""
    base = server.start()
    try:
        yield base
    finally:
        server.stop()
