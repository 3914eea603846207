"""Scale: a synthetic clinic network in PostgreSQL, then the due list, a course page, an
assessment and the bulk export measured on it (issue 8; figures in docs/perf-notes/scale.md).

Run:
    uv run python bench/scale.py --courses 10000
    uv run python bench/scale.py --courses 100000
    uv run python bench/scale.py --courses 1000000 --repeats 100     # ~20 M events

A throwaway PostgreSQL is started from the machine's binaries (tests/support/postgres.py;
as root it runs as the ``postgres`` user) and removed afterwards; ``--database-url`` names
an admin URL of an existing server instead (a database ``isocourse_scale`` is made there).
The database is migrated with isocourse's Alembic migrations, then filled by
``bench/scale/load.py`` with copies of the demo clinic's patients (made through the
services, so every record is valid), spread over ``--clinics`` clinics sized by Zipf's law
and over start dates. The measures run through the service functions a request calls, on
the biggest clinic (clinic-01) and, for the due list, also the smallest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # bench.scale, and tests.support.postgres (the server)

import psycopg  # noqa: E402
from bench.scale.load import LoadSummary, NetworkShape, clinic_names, load_network  # noqa: E402
from bench.scale.measure import (  # noqa: E402
    FOLLOW_UP_DAYS,
    assessment,
    clinic_of,
    course_page,
    due_breakdown,
    due_page,
    export_figures,
    sample_courses,
    time_calls,
)
from bench.scale.templates import seed_templates  # noqa: E402
from tests.support.postgres import (  # noqa: E402
    create_database,
    drop_database,
    libpq_url,
    running_postgres,
)

from isocourse.adapters.db.engine import make_engine  # noqa: E402
from isocourse.adapters.db.migrate import upgrade  # noqa: E402

DATABASE = "isocourse_scale"


@contextmanager
def database(admin_url: str | None) -> Iterator[str]:
    with running_postgres() if admin_url is None else _given(admin_url) as admin:
        drop_database(admin, DATABASE)
        url = create_database(admin, DATABASE)
        with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
            for setting in ("max_wal_size = '16GB'", "checkpoint_timeout = '1h'"):
                conn.execute(f"ALTER SYSTEM SET {setting}")
            conn.execute("SELECT pg_reload_conf()")
        try:
            yield url
        finally:
            drop_database(admin, DATABASE)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--clinics", type=int, default=10)
    parser.add_argument("--active-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2026, 11, 21))
    parser.add_argument("--repeats", type=int, default=200,
                        help="calls per measure (the due list stops earlier at its budget)")
    parser.add_argument("--due-budget", type=float, default=60.0,
                        help="seconds spent timing the due list of one clinic")
    parser.add_argument("--due-max-candidates", type=int, default=20_000,
                        help="do not time the due list of a clinic with more candidates "
                             "(the estimate from the per-candidate cost is printed instead)")
    parser.add_argument("--export-sample", type=int, default=1000)
    parser.add_argument("--export-traced", type=int, default=100)
    parser.add_argument("--database-url", help="admin URL of an existing server")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    shape = NetworkShape(courses=args.courses, clinics=args.clinics,
                         active_share=args.active_share, seed=args.seed)
    command = "uv run python bench/scale.py " + " ".join(sys.argv[1:])
    with database(args.database_url) as url:
        upgrade(make_engine(url))
        started = time.perf_counter()
        groups = seed_templates(args.day)
        seed_s = time.perf_counter() - started
        print(f"templates: {len(groups)} demo patients, "
              f"{sum(len(g.courses) for g in groups)} courses, {seed_s:.1f} s", flush=True)
        last = [0.0]

        def progress(s: LoadSummary) -> None:
            if time.perf_counter() - last[0] > 15:
                last[0] = time.perf_counter()
                print(f"  … {s.courses:,} courses, {s.events:,} events", flush=True)

        load = load_network(libpq_url(url), groups, shape, progress=progress)
        with psycopg.connect(libpq_url(url)) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()
                      for t in ("patients", "courses", "course_events")}
        print(f"loaded {load.courses:,} courses, {load.events:,} events, "
              f"{load.authorizations:,} authorizations in {load.total_s:.1f} s "
              f"(COPY {load.copy_s:.1f} s, keys and indexes {load.index_s:.1f} s, "
              f"vacuum/analyze {load.analyze_s:.1f} s); database "
              f"{size[0] / 2**30:.2f} GiB; counted {counts}", flush=True)  # type: ignore[index]
        figures = measure(url, args, load)
    figures.update(command=command, courses=load.courses, events=load.events,
                   load_s=round(load.total_s, 1), copy_s=round(load.copy_s, 1),
                   index_s=round(load.index_s, 1), analyze_s=round(load.analyze_s, 1),
                   database_gib=round(size[0] / 2**30, 2),  # type: ignore[index]
                   per_clinic=load.per_clinic)
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


def measure(url: str, args: argparse.Namespace, load: LoadSummary) -> dict[str, object]:
    names = clinic_names(args.clinics)
    big, small = names[0], names[-1]
    out: dict[str, object] = {}
    for name in (small, big):
        with clinic_of(url, name, args.day) as clinic:
            candidates = count_candidates(url, name, args.day)
            if candidates > args.due_max_candidates:
                print(f"due list {name}: {candidates:,} candidates, not timed "
                      f"(--due-max-candidates {args.due_max_candidates:,})", flush=True)
                continue
            parts = due_breakdown(clinic)  # also the warm-up
            timing = time_calls(lambda i, c=clinic: due_page(c), count=args.repeats,  # type: ignore[misc]
                                budget_s=args.due_budget, warm=0)
            out[f"due {name}"] = {
                "courses": load.per_clinic[name], "candidates": parts.candidates,
                "listed": parts.listed, "p50_ms": round(timing.p50, 1),
                "p95_ms": round(timing.p95, 1), "n": timing.n,
                "headers_ms": round(parts.headers_ms, 1), "load_ms": round(parts.load_ms, 1),
                "assess_ms": round(parts.assess_ms, 1),
                "per_candidate_ms": round(parts.per_candidate_ms, 3)}
            print(f"due list {name}: {out[f'due {name}']}", flush=True)
    with clinic_of(url, big, args.day) as clinic:
        ids = sample_courses(libpq_url(url), big, args.repeats + 2, args.seed)
        for label, call in (("course page", course_page), ("assessment", assessment)):
            timing = time_calls(lambda i, f=call, c=clinic: f(c, ids[i % len(ids)]),  # type: ignore[misc]
                                count=args.repeats, budget_s=120)
            out[label] = {"p50_ms": round(timing.p50, 2), "p95_ms": round(timing.p95, 2),
                          "n": timing.n}
            print(f"{label}: {out[label]}", flush=True)
        export = export_figures(clinic, args.export_sample, args.export_traced)
        out["export"] = {
            "courses": export.courses, "seconds": round(export.seconds, 2),
            "courses_per_s": round(export.courses_per_s, 1),
            "mb_per_s": round(export.mb_per_s, 2),
            "bytes_per_course": round(export.bytes_written / export.courses),
            "traced_courses": export.traced_courses,
            "traced_peak_mib": round(export.traced_peak_bytes / 2**20, 2),
            "clinic_courses": load.per_clinic[big],
            "whole_clinic_s": round(load.per_clinic[big] / export.courses_per_s)}
        print(f"export: {out['export']}", flush=True)
    return out


def count_candidates(url: str, clinic: str, day: dt.date) -> int:
    """The courses the due list loads and assesses: running, or ended within the year."""
    since = day - dt.timedelta(days=FOLLOW_UP_DAYS)
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("SELECT count(*) FROM courses WHERE clinic_id = %s "
                           "AND (ended_on IS NULL OR ended_on >= %s)", (clinic, since)).fetchone()
    return int(row[0]) if row else 0


def print_table(f: dict[str, object]) -> None:
    def d(key: str) -> dict[str, float]:
        value = f[key]
        assert isinstance(value, dict)
        return value

    names = [k for k in f if k.startswith("due ")]
    print()
    print(f"`{f['command']}` — {f['courses']:,} courses, {f['events']:,} events, "
          f"loaded in {f['load_s']} s, {f['database_gib']} GiB")
    print()
    print("| measure | goal | p50 | p95 | n | note |")
    print("|---|---|---|---|---|---|")
    for key in names:
        x = d(key)
        print(f"| due list, first page, {key[4:]} ({x['courses']:,} courses, "
              f"{x['candidates']:,} active or in follow-up) | p95 ≤ 50 ms | {x['p50_ms']} ms "
              f"| {x['p95_ms']} ms | {x['n']} | {x['listed']:,} listed; "
              f"{x['per_candidate_ms']} ms per candidate (query {x['headers_ms']} ms, "
              f"load {x['load_ms']} ms, assess {x['assess_ms']} ms) |")
    for key in ("course page", "assessment"):
        x = d(key)
        print(f"| {key} (clinic-01, random courses) | p95 ≤ 50 ms | {x['p50_ms']} ms "
              f"| {x['p95_ms']} ms | {x['n']} | |")
    e = d("export")
    print(f"| bulk export, clinic-01 sample of {e['courses']:,} courses | — | "
          f"{e['courses_per_s']} courses/s | {e['mb_per_s']} MB/s | | "
          f"{e['bytes_per_course']} B/course; traced peak {e['traced_peak_mib']} MiB over "
          f"{e['traced_courses']} courses; whole clinic ({e['clinic_courses']:,}) "
          f"≈ {e['whole_clinic_s']} s |")


if __name__ == "__main__":
    main()
