"""``isocourse serve``, ``db``, ``backup`` and ``restore`` as an administrator uses them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from isocourse.adapters.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_db_upgrade_current_and_check(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "current", "--data-dir", str(tmp_path))
    assert code == 0 and "none (empty database)" in out
    code, out, _ = run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))
    assert code == 0 and "database at revision" in out
    assert (tmp_path / "isocourse.db").exists()
    code, out, _ = run(capsys, "db", "check", "--data-dir", str(tmp_path))
    assert code == 0 and "agree" in out


def test_a_bad_setting_is_one_line_naming_it(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve", "--data-dir", str(tmp_path), "--timezone", "Mars/Base")
    assert code == 2
    assert "timezone" in err and "Traceback" not in err and err.count("\n") == 1


def test_an_unreachable_database_is_exit_6(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there
    code, _, err = run(capsys, "db", "upgrade", "--database-url",
                       f"postgresql://nobody@127.0.0.1:{port}/none")
    assert code == 6 and "cannot be reached" in err and "Traceback" not in err


def test_backup_and_restore_the_sqlite_database(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert run(capsys, "db", "upgrade", "--data-dir", str(data))[0] == 0
    dest = tmp_path / "backups"
    dest.mkdir()
    code, out, _ = run(capsys, "backup", str(dest), "--data-dir", str(data))
    assert code == 0 and "backup written" in out
    (backup,) = dest.iterdir()
    code, out, _ = run(capsys, "restore", str(backup), "--data-dir", str(tmp_path / "new"))
    assert code == 0 and "restored" in out
    code, _, err = run(capsys, "restore", str(tmp_path / "missing.db"), "--data-dir",
                       str(data))
    assert code == 2 and "Traceback" not in err


def test_backup_of_postgresql_points_to_pg_dump(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "backup", "/tmp/x.db", "--database-url",
                       "postgresql://clinic:secret@db.example:5432/isocourse")
    assert code == 2 and "pg_dump" in err and "secret" not in err


def test_serve_demo_serves_the_demo_clinic_until_stopped(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ISOCOURSE_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "isocourse", "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/health/ready", timeout=5) as ready:
                    assert json.load(ready)["status"] == "ok"
                    break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as browser:
            assert browser.get("/due").status_code == 401
            signed_in = browser.post("/session", json={
                "username": "prescriber", "password": "demo clinic bravo"})
            assert signed_in.status_code == 200, signed_in.text
            assert browser.get("/due", params={"per_page": 100}).json()["total"] >= 10
            assert browser.get("/courses", params={"per_page": 1}).json()["total"] >= 30
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/" in out
    assert "Demo clinic created" in out
    assert "Traceback" not in err
