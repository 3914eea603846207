"""The measures on a loaded network, through the services a request calls.

Each measure is repeated and reported as p50/p95 (nearest rank) with its count: the due
list's first page (``due.due_list``, page size 50 as the API's default, follow-up year as
the default settings), a course page (``courses.get_course``), an assessment
(``assessments.assess_course``), and the bulk export (``bulk_export.export_clinic`` to the
ndjson writer) over a sample of a clinic, once for throughput and once under tracemalloc
for its peak. The due list is also taken apart once (headers query, loading the records,
assessing them) to show where its time goes.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from isocourse.adapters.fhir.bulk.ndjson import NdjsonWriter
from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.services import assessments, courses, due
from isocourse.services.assessments import assess_loaded
from isocourse.services.bulk_export import ExportCancelled, export_clinic
from isocourse.services.course_store import load_course
from isocourse.services.ports import FixedClock

__all__ = ["DueBreakdown", "ExportFigures", "Timing", "clinic_of", "due_breakdown",
           "export_figures", "time_calls"]

PAGE = 50
FOLLOW_UP_DAYS = 365


@dataclass(frozen=True, slots=True)
class Timing:
    samples_ms: tuple[float, ...]

    def pct(self, q: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]

    @property
    def p50(self) -> float:
        return self.pct(0.50)

    @property
    def p95(self) -> float:
        return self.pct(0.95)

    @property
    def n(self) -> int:
        return len(self.samples_ms)


@contextmanager
def clinic_of(url: str, clinic_id: str, day: dt.date) -> Iterator[Clinic]:
    with tempfile.TemporaryDirectory(prefix="isocourse-scale-") as folder:
        clinic = build(Settings(data_dir=Path(folder), database_url=url, clinic_id=clinic_id),
                       clock=FixedClock(day))
        try:
            yield clinic
        finally:
            clinic.close()


def time_calls(call: Callable[[int], object], *, count: int, budget_s: float,
               warm: int = 2) -> Timing:
    """``call(i)`` up to ``count`` times, stopping once ``budget_s`` seconds are spent (after
    at least one call): a call slower than the budget is measured once."""
    for i in range(warm):
        call(i)
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    for i in range(count):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    return Timing(tuple(samples))


def sample_courses(libpq_url: str, clinic_id: str, k: int, seed: int) -> list[str]:
    with psycopg.connect(libpq_url) as conn:
        ids = [str(r[0]) for r in conn.execute(
            "SELECT id FROM courses WHERE clinic_id = %s", (clinic_id,))]
    return random.Random(seed).sample(ids, min(k, len(ids)))


def due_page(clinic: Clinic) -> due.DuePage:
    return due.due_list(due.DueFilter(), offset=0, limit=PAGE, follow_up_days=FOLLOW_UP_DAYS,
                        on=None, uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                        rules=clinic.rules)


def course_page(clinic: Clinic, course_id: str) -> object:
    return courses.get_course(course_id, uows=clinic.uows, actor=clinic.actor,
                              rules=clinic.rules)


def assessment(clinic: Clinic, course_id: str) -> object:
    return assessments.assess_course(course_id, on=None, uows=clinic.uows, clock=clinic.clock,
                                     actor=clinic.actor, rules=clinic.rules)


@dataclass(frozen=True, slots=True)
class DueBreakdown:
    candidates: int
    listed: int
    headers_ms: float
    load_ms: float
    assess_ms: float

    @property
    def per_candidate_ms(self) -> float:
        return (self.headers_ms + self.load_ms + self.assess_ms) / max(1, self.candidates)


def due_breakdown(clinic: Clinic) -> DueBreakdown:
    """One due list taken apart, the way ``due.due_list`` does it."""
    today = clinic.clock.today()
    since = today - dt.timedelta(days=FOLLOW_UP_DAYS)
    with clinic.uows() as uow:
        t0 = time.perf_counter()
        headers = uow.courses.active_or_recent(clinic.actor.clinic_id, since)
        t1 = time.perf_counter()
        loaded = [load_course(uow, h.id, clinic.actor, clinic.rules, audited=False)
                  for h in headers]
        t2 = time.perf_counter()
        for course in loaded:
            assess_loaded(course, today, clinic.rules)
        t3 = time.perf_counter()
    listed = due_page(clinic).total
    return DueBreakdown(len(headers), listed, (t1 - t0) * 1000, (t2 - t1) * 1000,
                        (t3 - t2) * 1000)


@dataclass(frozen=True, slots=True)
class ExportFigures:
    courses: int
    seconds: float
    bytes_written: int
    traced_courses: int
    traced_peak_bytes: int

    @property
    def courses_per_s(self) -> float:
        return self.courses / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.bytes_written / self.seconds / 1e6


def _export(clinic: Clinic, folder: Path, courses_wanted: int) -> int:
    asked = iter(range(courses_wanted + 1))
    with NdjsonWriter(folder) as writer:
        try:
            summary = export_clinic(writer, uows=clinic.uows, actor=clinic.actor,
                                    rules=clinic.rules,
                                    cancelled=lambda: next(asked) >= courses_wanted)
            return summary.courses
        except ExportCancelled:
            return courses_wanted


def export_figures(clinic: Clinic, sample: int, traced: int) -> ExportFigures:
    with tempfile.TemporaryDirectory(prefix="isocourse-export-") as tmp:
        root = Path(tmp)
        for name in ("warm", "timed", "traced"):
            (root / name).mkdir()
        _export(clinic, root / "warm", 20)
        started = time.perf_counter()
        done = _export(clinic, root / "timed", sample)
        seconds = time.perf_counter() - started
        written = sum(p.stat().st_size for p in (root / "timed").iterdir())
        tracemalloc.start()
        try:
            traced_done = _export(clinic, root / "traced", traced)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return ExportFigures(done, seconds, written, traced_done, peak)
