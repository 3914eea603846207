"""The PostgreSQL server stops (an immediate shutdown: the crash of the database server)
under a running clinic server and a load of reads and writes, then starts again.

While it is away every API request that needs it gets a clear 503 problem document with
Retry-After, never a 500, and the server's log holds no traceback; once it is back, the
same server process (not restarted) answers again, every acknowledged write is there and
new writes work. tests/e2e/api/test_database_outage.py covers refused connections to a
running PostgreSQL with an in-process server; this one takes the whole database server
away, under load, with the clinic server as a real process."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.server import (
    HTTP_TIMEOUT_S,
    START_DEADLINE_S,
    Load,
    ServerProcess,
    prepare,
    stored_events,
)
from tests.support.postgres import (
    SERVER_OPTIONS,
    SERVER_USER,
    URL_ENV,
    create_database,
    find_pg_bindir,
    skip_or_fail_without_postgres,
)

PATHS = ("/courses", "/due", "/health/ready")


class Cluster:
    """A PostgreSQL server of this test's own, that it can stop and start on one port."""

    def __init__(self) -> None:
        bindir = find_pg_bindir()
        assert bindir is not None
        self.bindir = bindir
        as_root = os.geteuid() == 0
        self.prefix = ["runuser", "-u", SERVER_USER, "--"] if as_root else []
        self.workdir = Path(tempfile.mkdtemp(prefix="isocourse-outage-",
                                             dir="/tmp" if as_root else None))
        self.data = self.workdir / "data"
        sockets = self.workdir / "sockets"
        sockets.mkdir()
        if as_root:
            user = pwd.getpwnam(SERVER_USER)
            for path in (self.workdir, sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
        with socket_port() as port:
            self.port = port
        self.options = " ".join(["-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                                 "-c", f"unix_socket_directories={sockets}", *SERVER_OPTIONS])
        self._pg(["initdb", "-D", str(self.data), "--auth=trust",
                  f"--username={SERVER_USER}", "--encoding=UTF8", "--no-locale", "--no-sync"])
        self.start()

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def _pg(self, command: list[str]) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        done = subprocess.run([*self.prefix, str(self.bindir / command[0]), *command[1:]],
                              cwd=self.workdir, env=env, capture_output=True, text=True,
                              timeout=START_DEADLINE_S, check=False, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        self._pg(["pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.workdir / "server.log"), "-o", self.options])

    def crash(self) -> None:
        """``pg_ctl stop -m immediate``: every backend ends at once, no checkpoint."""
        self._pg(["pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data)])

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.crash()
        subprocess.run(["rm", "-rf", str(self.workdir)], check=False)


class socket_port:
    """A free local TCP port (the socket is closed when the block ends)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return int(self.sock.getsockname()[1])

    def __exit__(self, *_exc: object) -> None:
        self.sock.close()


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    skip_or_fail_without_postgres()
    if os.environ.get(URL_ENV):
        pytest.skip(f"{URL_ENV} names a server this test may not stop")
    made = Cluster()
    try:
        yield made
    finally:
        made.remove()


class Readers:
    """Threads that read PATHS over and over, writing down every status and body type."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.seen: list[tuple[str, int, str]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(base, headers, path),
                                          daemon=True) for path in PATHS]
        for thread in self._threads:
            thread.start()

    def _read(self, base: str, headers: dict[str, str], path: str) -> None:
        with httpx.Client(base_url=base + "/api/v1", headers=headers,
                          timeout=HTTP_TIMEOUT_S) as api:
            while not self._stop.is_set():
                answer = api.get(path)
                self.seen.append((path, answer.status_code,
                                  answer.headers.get("content-type", "")))
                time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(HTTP_TIMEOUT_S + 5)


def assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"].endswith("/database-unavailable"), problem
    assert problem["status"] == 503 and problem["detail"], problem
    assert int(answer.headers["retry-after"]) > 0


def test_a_database_crash_gives_clear_503s_and_the_same_server_recovers_when_it_is_back(
        cluster: Cluster, tmp_path: Path) -> None:
    url = create_database(cluster.admin_url, "isocourse")
    data = tmp_path / "data"
    prepared = prepare(url, data, courses=2)
    server = ServerProcess(data, url)
    with server, httpx.Client(headers=prepared.headers, timeout=HTTP_TIMEOUT_S) as http:
        base = server.start()
        api = base + "/api/v1"
        assert server.process is not None
        pid = server.process.pid
        load = Load(base, prepared.headers, prepared.course_ids, round="o").start()
        readers = Readers(base, prepared.headers)
        load.wait_for(5)

        cluster.crash()
        for path in PATHS:
            assert_unavailable(http.get(api + path))
        course = prepared.course_ids[0]
        assert_unavailable(http.get(f"{api}/courses/{course}"))
        assert_unavailable(http.post(f"{api}/courses/{course}/events", json={
            "type": "weight", "date": "2026-10-10", "kg": 61}))
        assert http.get(api + "/health").status_code == 200  # the process itself is fine
        during = load.count()

        cluster.start()
        deadline = time.monotonic() + START_DEADLINE_S
        while http.get(api + "/health/ready").status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover"
            time.sleep(0.1)
        load.wait_for(during + 5)  # the writers carry on by themselves
        readers.stop()
        load.stop()
        assert server.process is not None and server.process.pid == pid  # not restarted
        assert http.get(f"{api}/courses/{course}").status_code == 200

        statuses = Counter(load.statuses) + Counter(s for _, s, _ in readers.seen)
        assert set(statuses) <= {200, 201, 503}, statuses
        assert statuses[503] > 0, statuses  # the load did meet the outage
        assert all(kind.startswith("application/problem+json")
                   for _, status, kind in readers.seen if status == 503)
        found = stored_events(base, prepared.headers, prepared.course_ids)
        notes = Counter(e.get("note") for events in found.values() for e in events)
        for tag in load.acknowledged:
            assert notes[tag] == 2, tag
        server.stop()
    log = server.log_text()
    assert "Traceback" not in log, log
    assert not re.search(r"\b500\b|internal-error", log), log
