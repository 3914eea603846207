"""The API load benchmark (bench/api_load.py) still runs: a real server on SQLite, seeded,
driven for about a second per endpoint. Its figures are not judged here (benchmarks are
not timed assertions); only that it measured something and every answer was the expected
one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_the_api_load_benchmark_measures_every_endpoint_without_an_error(
        tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "api_load.py"), "--quick", "--seconds", "1",
         "--warmup", "0.2", "--clients", "2", "--courses", "12", "--repeat-set", "4",
         "--new-grant-clients", "2", "--json", str(figures)],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = json.loads(figures.read_text())["rows"]
    measured = {(r["backend"], r["endpoint"]): r for r in rows}
    assert set(measured) == {("sqlite", e) for e in (
        "health", "due list", "authorization", "authorization (new grant)")}
    for row in rows:
        assert row["requests"] > 0 and row["rate"] > 0, row
        assert row["errors"] == 0, row
    assert measured["sqlite", "authorization"]["statuses"] == {
        "200": measured["sqlite", "authorization"]["requests"]}
    assert set(measured["sqlite", "authorization (new grant)"]["statuses"]) == {"201"}
    assert "| sqlite | authorization | 2 |" in run.stdout
