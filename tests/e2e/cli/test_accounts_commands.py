"""``isocourse users ...`` and ``isocourse audit verify`` as the server's operator uses
them, on a real SQLite clinic (the commands run in-process, as the console script does)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from isocourse.adapters.cli import exit_codes
from isocourse.adapters.cli.main import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISOCOURSE_DATA_DIR", str(tmp_path))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_are_added_listed_disabled_and_given_new_passwords(
        data_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "users", "add", "root", "--role", "admin",
                       "--name", "Root Admin", "--generate")
    assert code == 0 and "added root (admin)" in out
    shown = out.split("password (shown once): ")[1].strip()
    assert len(shown) >= 20
    code, _, _ = run(capsys, monkeypatch, "users", "add", "dr.a", "--role", "prescriber",
                     "--name", "Dr A", "--password-stdin", stdin="a long enough passphrase 1\n")
    assert code == 0
    code, _, _ = run(capsys, monkeypatch, "users", "add", "helper", "--role", "delegate",
                     "--name", "Helper", "--for", "dr.a", "--password-stdin",
                     stdin="another long passphrase 2\n")
    assert code == 0
    code, out, _ = run(capsys, monkeypatch, "users", "list")
    assert code == 0
    assert [line.split()[1] for line in out.splitlines() if "active" in line] == [
        "dr.a", "helper", "root"]
    code, out, _ = run(capsys, monkeypatch, "users", "disable", "helper")
    assert code == 0 and "disabled helper" in out
    code, out, _ = run(capsys, monkeypatch, "users", "list")
    assert "disabled" in next(line for line in out.splitlines() if "helper" in line)
    code, out, _ = run(capsys, monkeypatch, "users", "reset-password", "dr.a", "--generate")
    assert code == 0 and "password (shown once)" in out


def test_bad_accounts_are_refused_with_one_line_and_a_stable_status(
        data_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, monkeypatch, "users", "add", "short", "--role", "admin",
                       "--name", "S", "--password-stdin", stdin="tooshort\n")
    assert code == exit_codes.INVALID_INPUT and "at least 12 characters" in err
    code, _, err = run(capsys, monkeypatch, "users", "add", "who", "--role", "wizard",
                       "--name", "W", "--generate")
    assert code == exit_codes.INVALID_INPUT and "role" in err
    code, _, err = run(capsys, monkeypatch, "users", "add", "pat", "--role", "patient",
                       "--name", "P", "--patient", "nobody", "--generate")
    assert code == exit_codes.NOT_FOUND
    code, _, err = run(capsys, monkeypatch, "users", "disable", "nobody")
    assert code == exit_codes.NOT_FOUND
    assert err.count("\n") == 1 and "Traceback" not in err


def test_audit_verify_passes_then_names_a_changed_entry(
        data_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, monkeypatch, "users", "add", "root", "--role", "admin", "--name", "R",
        "--generate")
    run(capsys, monkeypatch, "users", "list")
    code, out, _ = run(capsys, monkeypatch, "audit", "verify")
    assert code == 0 and "audit trail intact: 2 entries" in out
    with sqlite3.connect(data_dir / "isocourse.db") as db:
        db.execute("UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 1")
    code, out, _ = run(capsys, monkeypatch, "audit", "verify")
    assert code == exit_codes.AUDIT_BROKEN
    assert "entry 1: its content was changed" in out


def test_audit_verify_notices_entries_cut_from_the_end(
        data_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        run(capsys, monkeypatch, "users", "list")
    with sqlite3.connect(data_dir / "isocourse.db") as db:
        db.execute("DELETE FROM audit_entries WHERE seq = 3")
    code, out, _ = run(capsys, monkeypatch, "audit", "verify")
    assert code == exit_codes.AUDIT_BROKEN and "removed from the end" in out
