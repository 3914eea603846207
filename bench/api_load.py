"""The clinic server under load: the pharmacist's authorization request, the prescriber's
due list and the health endpoint, at 1, 16 and 64 concurrent clients, on SQLite and
PostgreSQL (issue 8's goals: authorization ≥ 50 % of the health endpoint's throughput,
p99 ≤ 100 ms at 16 clients).

Run: uv run python bench/api_load.py [--seconds 10] [--clients 1,16,64]
         [--backends sqlite,postgresql] [--courses 100] [--quick] [--json out.json]

For each backend: a fresh database is seeded through the services (``--courses`` ready
courses, each with a prescription that may be dispensed today; a pharmacist and a
prescriber with API tokens), then ``isocourse serve`` is started as a subprocess (one
uvicorn process, as in production) and driven by a closed-loop keep-alive client
(bench/load/driver.py) for ``--seconds`` per endpoint and concurrency, after a warm-up:

* ``health``: ``GET /api/v1/health`` (no authentication, no database), the baseline;
* ``due list``: ``GET /api/v1/due?per_page=25`` as the prescriber;
* ``authorization``: ``POST /api/v1/authorizations`` as the pharmacist for a prescription
  already granted (answer 200: the usable grant) — token check, course load with its lock,
  a full assessment and the audit entry on every request;
* ``authorization (new grant)``: the same for prescriptions never asked for (answer 201),
  a grant written each time, until the seeded pool is used up.

PostgreSQL is a throwaway server from tests/support/postgres.py (``fsync=off``); SQLite
runs with the server's own settings (WAL, ``synchronous=FULL``). The load generator runs on
the same machine as the server: on a 2-core machine they compete for the CPU.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench.load and tests.support, when run as a script
    sys.path.insert(0, str(ROOT))

from bench.load.driver import Request, Result, run_load  # noqa: E402
from bench.load.seed import Seeded, seed_clinic  # noqa: E402
from bench.load.server import Server, cpu_seconds, serve  # noqa: E402

FULL: dict[str, Any] = {"seconds": 10.0, "warmup": 2.0, "clients": [1, 16, 64],
                        "backends": ["sqlite", "postgresql"], "courses": 100,
                        "repeat_set": 30, "new_grant_clients": 16}
QUICK: dict[str, Any] = {"seconds": 2.0, "warmup": 0.5, "clients": [1, 4],
                         "backends": ["sqlite"], "courses": 20, "repeat_set": 10,
                         "new_grant_clients": 4}
HEALTH, DUE, AUTH, NEW_GRANT = "health", "due list", "authorization", "authorization (new grant)"


def _cycle(requests: list[Request]) -> Callable[[], Request | None]:
    it = itertools.cycle(requests)
    lock = threading.Lock()

    def next_request() -> Request | None:
        with lock:
            return next(it)
    return next_request


def _pool(requests: list[Request]) -> Callable[[], Request | None]:
    it = iter(requests)

    def next_request() -> Request | None:
        return next(it, None)
    return next_request


def _authorization(token: str, prescription_id: str) -> Request:
    # The pharmacist has the prescription the patient brings: its id is enough.
    return Request("POST", "/api/v1/authorizations", token, {"prescription_id": prescription_id})


def _measure(server: Server, name: str, clients: int, seconds: float, warmup: float,
             next_request: Callable[[], Request | None], expected: int) -> dict[str, Any]:
    cpu_before = cpu_seconds(server.pid)
    result: Result = run_load(server.host, server.port, clients=clients, seconds=seconds,
                              warmup=warmup, next_request=next_request,
                              expected=frozenset({expected}))
    cpu = cpu_seconds(server.pid) - cpu_before
    total = result.done + result.errors
    row = {"endpoint": name, "clients": clients, "requests": result.done,
           "seconds": round(result.seconds, 2), "rate": round(result.rate, 1),
           "p50_ms": round(result.percentile(50), 1), "p95_ms": round(result.percentile(95), 1),
           "p99_ms": round(result.percentile(99), 1), "errors": result.errors,
           "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
           "error_samples": result.error_samples,
           "loadavg_1min": round(os.getloadavg()[0], 2),
           # over warm-up and measurement alike: an estimate of the server's cost per request
           "server_cpu_ms_per_request": round(1000 * cpu / total, 2) if total else None}
    for sample in result.error_samples:
        print(f"    ! {name} @{clients}: {sample}", file=sys.stderr)
    return row


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None
        return
    from tests.support.postgres import create_database, running_postgres

    with running_postgres() as admin_url:
        yield create_database(admin_url, "isocourse_bench")


def run_backend(backend: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix=f"isocourse-load-{backend}-") as tmp, \
            _database(backend, Path(tmp)) as url:
        folder = Path(tmp)
        print(f"[{backend}] seeding {args.courses} ready courses ...", file=sys.stderr)
        seeded: Seeded = seed_clinic(folder, url, args.courses)
        print(f"[{backend}] seeded in {seeded.seconds:.1f} s; starting the server",
              file=sys.stderr)
        repeat = seeded.prescriptions[:args.repeat_set]
        fresh = seeded.prescriptions[args.repeat_set:]
        with serve(folder, url) as server:
            # Grant the repeat set once: from then on each ask answers 200 (the usable grant).
            granted = _measure(server, "grant the repeat set", 1, 3600, 0,
                               _pool([_authorization(seeded.pharmacist_token, rx)
                                      for _, rx in repeat]), 201)
            if granted["errors"] or granted["requests"] != len(repeat):
                raise RuntimeError(f"granting the repeat set failed: {granted}")
            scenarios: list[tuple[str, list[Request]]] = [
                (HEALTH, [Request("GET", "/api/v1/health")]),
                (DUE, [Request("GET", "/api/v1/due?per_page=25", seeded.prescriber_token)]),
                (AUTH, [_authorization(seeded.pharmacist_token, rx) for _, rx in repeat]),
            ]
            for name, requests in scenarios:
                if args.only and name not in args.only:
                    continue
                for clients in args.clients:
                    row = _measure(server, name, clients, args.seconds, args.warmup,
                                   _cycle(requests), 200)
                    rows.append({"backend": backend, **row})
                    _progress(rows[-1])
            if fresh and args.new_grant_clients and (not args.only or NEW_GRANT in args.only):
                row = _measure(server, NEW_GRANT, args.new_grant_clients, args.seconds, 0,
                               _pool([_authorization(seeded.pharmacist_token, rx)
                                      for _, rx in fresh]), 201)
                rows.append({"backend": backend, **row})
                _progress(rows[-1])
    return rows


def _progress(row: dict[str, Any]) -> None:
    print(f"  {row['backend']:10} {row['endpoint']:26} x{row['clients']:<3} "
          f"{row['rate']:8.1f} req/s  p50 {row['p50_ms']:6.1f}  p95 {row['p95_ms']:6.1f}  "
          f"p99 {row['p99_ms']:6.1f} ms  errors {row['errors']}", file=sys.stderr)


def _fmt(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:,.1f}"


def table(rows: list[dict[str, Any]]) -> str:
    health = {(r["backend"], r["clients"]): r["rate"] for r in rows if r["endpoint"] == HEALTH}
    lines = ["| backend | endpoint | clients | req/s | p50 ms | p95 ms | p99 ms | errors "
             "| server CPU ms/req | vs health | load avg |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        base = health.get((r["backend"], r["clients"]))
        ratio = f"{100 * r['rate'] / base:.0f} %" if base and r["endpoint"] != HEALTH else ""
        lines.append(f"| {r['backend']} | {r['endpoint']} | {r['clients']} | {_fmt(r['rate'])} "
                     f"| {_fmt(r['p50_ms'])} | {_fmt(r['p95_ms'])} | {_fmt(r['p99_ms'])} "
                     f"| {r['errors']} | {_fmt(r['server_cpu_ms_per_request'])} | {ratio} "
                     f"| {r['loadavg_1min']:.1f} |")
    return "\n".join(lines)


def goals(rows: list[dict[str, Any]]) -> str:
    lines = []
    for backend in dict.fromkeys(r["backend"] for r in rows):
        at = {(r["endpoint"], r["clients"]): r for r in rows if r["backend"] == backend}
        auth, health = at.get((AUTH, 16)), at.get((HEALTH, 16))
        if auth is None or health is None:
            continue
        ratio = auth["rate"] / health["rate"] if health["rate"] else 0.0
        lines.append(f"* {backend}, 16 clients: authorization/health throughput "
                     f"{100 * ratio:.0f} % (goal ≥ 50 %: {'met' if ratio >= 0.5 else 'MISSED'});"
                     f" authorization p99 {auth['p99_ms']:.1f} ms (goal ≤ 100 ms: "
                     f"{'met' if auth['p99_ms'] <= 100 else 'MISSED'})" + (
                         f"; due list p99 {at[(DUE, 16)]['p99_ms']:.1f} ms"
                         if (DUE, 16) in at else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float,
                        help="measured seconds per endpoint and concurrency (10; quick: 2)")
    parser.add_argument("--warmup", type=float, help="unmeasured seconds first (2; quick 0.5)")
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")],
                        help="concurrent clients (1,16,64; quick: 1,4)")
    parser.add_argument("--backends", type=lambda s: s.split(","),
                        help="sqlite,postgresql (quick: sqlite)")
    parser.add_argument("--courses", type=int, help="ready courses seeded (100; quick: 20)")
    parser.add_argument("--repeat-set", type=int,
                        help="prescriptions asked for again and again; the rest of the "
                             "courses are the pool of new grants (30; quick: 10)")
    parser.add_argument("--new-grant-clients", type=int,
                        help="clients asking for new grants (16; quick: 4; 0: skip)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: SQLite, 2 s per step, 1 and 4 clients, 20 courses")
    parser.add_argument("--only", type=lambda s: s.split(","), default=[],
                        help="only these steps: health, due list, authorization, "
                             "authorization (new grant), comma-separated")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    preset = QUICK if args.quick else FULL
    for name, value in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for backend in args.backends:
        rows += run_backend(backend, args)
    load = os.getloadavg()
    print(f"\n{table(rows)}\n\n{goals(rows)}\n")
    print(f"{os.cpu_count()} CPUs shared by the server and the load generator; load average "
          f"at the end {load[0]:.2f}; {time.perf_counter() - started:.0f} s in all.")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "cpus": os.cpu_count(),
                                         "loadavg": load}, indent=1))


if __name__ == "__main__":
    main()
