"""Loading the network into PostgreSQL with COPY, fast.

Each copy of a template group (see ``templates``) is its rendered COPY text with the holes
filled: a clinic, a patient external id, fresh UUIDs, fresh authorization codes and fresh
event row ids. The five tables are fed at once, one COPY per table on its own connection
(a writer thread each, ``QueuedLibpqWriter``), while Python fills in the next batch.

For speed the loaded tables' constraints and indexes are dropped first and made again
after the load, from their own definitions read from the catalog (``pg_get_constraintdef``,
``pg_indexes``): building an index once, sorted, is many times faster than inserting
twenty million keys into it in random order, and re-adding the foreign keys checks every
copied reference. Then the event id sequence is moved past the ids used, and the tables
are vacuumed and analyzed so that the planner knows their size.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from .templates import TABLES, Group, Rendered, render

__all__ = ["LoadSummary", "NetworkShape", "clinic_names", "load_network"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SCRAMBLE = 0x5DEECE66D1  # odd: n -> n * _SCRAMBLE mod 2**60 is a bijection
_MASK = (1 << 60) - 1


@dataclass(frozen=True, slots=True)
class NetworkShape:
    """``courses``: at least this many courses. ``clinics``: sized by Zipf's law (the first
    clinic is the biggest, clinic k has 1/k of its courses). ``active_share``: the share of
    patients copied from a demo patient whose course is running (moved back 0–27 days);
    the others are copied from finished courses, moved back 0–156 weeks (history; those
    ended within the follow-up year are still on the due list)."""

    courses: int
    clinics: int = 10
    active_share: float = 0.2
    seed: int = 8


def clinic_names(clinics: int) -> list[str]:
    return [f"clinic-{k:02d}" for k in range(1, clinics + 1)]


@dataclass(slots=True)
class LoadSummary:
    patients: int = 0
    courses: int = 0
    events: int = 0
    revisions: int = 0
    authorizations: int = 0
    copy_s: float = 0.0
    index_s: float = 0.0
    analyze_s: float = 0.0
    per_clinic: dict[str, int] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        return self.copy_s + self.index_s + self.analyze_s


def _code(n: int) -> str:
    x = (n * _SCRAMBLE) & _MASK
    chars = "".join(_CROCKFORD[(x >> (5 * i)) & 31] for i in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def load_network(url: str, groups: Sequence[Group], shape: NetworkShape, *,
                 batch: int = 2000,
                 progress: Callable[[LoadSummary], None] = lambda s: None) -> LoadSummary:
    """Copy ``groups`` into the database at ``url`` (a libpq URL) until ``shape.courses``
    courses are there. Returns what was loaded and how long each phase took."""
    rng = random.Random(shape.seed)
    active = [g for g in groups if g.active]
    finished = [g for g in groups if not g.active]
    if not active or not finished:
        raise ValueError("the templates need both running and finished courses")
    names = clinic_names(shape.clinics)
    cumulative = list(itertools.accumulate(1 / k for k in range(1, shape.clinics + 1)))
    cache: dict[tuple[int, int], Rendered] = {}
    summary = LoadSummary(per_clinic=dict.fromkeys(names, 0))

    with psycopg.connect(url, autocommit=True) as admin:
        dropped = _drop_constraints(admin)
        row_base = admin.execute("SELECT coalesce(max(id), 0) + 1 FROM course_events") \
            .fetchone()[0]  # type: ignore[index]
        offset = admin.execute("SELECT count(*) FROM patients").fetchone()[0]  # type: ignore[index]
        codes = admin.execute("SELECT count(*) FROM authorizations").fetchone()[0]  # type: ignore[index]
    started = time.perf_counter()
    connections = [psycopg.connect(url) for _ in TABLES]
    try:
        with ExitStack() as stack:
            copies = []
            for conn, (table, columns) in zip(connections, TABLES.items(), strict=True):
                cursor = conn.cursor()
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
                copies.append(stack.enter_context(
                    cursor.copy(statement, writer=QueuedLibpqWriter(cursor))))
            n = offset
            while summary.courses < shape.courses:
                chunks: dict[str, list[str]] = {t: [] for t in TABLES}
                for _ in range(batch):
                    if summary.courses >= shape.courses:
                        break
                    if rng.random() < shape.active_share:
                        index = rng.randrange(len(active))
                        group, key = active[index], (index, rng.randrange(28))
                    else:
                        index = rng.randrange(len(finished))
                        group, key = finished[index], (-1 - index, 7 * rng.randrange(157))
                    rendered = cache.get(key)
                    if rendered is None:
                        rendered = cache[key] = render(group, key[1])
                    clinic = names[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
                    n += 1
                    args: list[object] = [clinic, f"syn-{n:07d}"]
                    args += [uuid.UUID(int=rng.getrandbits(128), version=4)
                             for _ in range(1 + rendered.courses)]
                    args += [_code(codes + k) for k in range(rendered.authorizations)]
                    codes += rendered.authorizations
                    args += range(row_base, row_base + rendered.events)
                    row_base += rendered.events
                    for table, text in rendered.text.items():
                        if text:
                            chunks[table].append(text.format(*args))
                    summary.patients += 1
                    summary.courses += rendered.courses
                    summary.events += rendered.events
                    summary.revisions += text_lines(rendered.text["course_revisions"])
                    summary.authorizations += rendered.authorizations
                    summary.per_clinic[clinic] += rendered.courses
                for copy, table in zip(copies, TABLES, strict=True):
                    if chunks[table]:
                        copy.write("".join(chunks[table]))
                progress(summary)
        for conn in connections:
            conn.commit()
    finally:
        for conn in connections:
            conn.close()
    summary.copy_s = time.perf_counter() - started

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SET maintenance_work_mem = '1GB'")
        _restore_constraints(admin, dropped)
        admin.execute("SELECT setval(pg_get_serial_sequence('course_events', 'id'), %s)",
                      (row_base,))
        summary.index_s = time.perf_counter() - started
        started = time.perf_counter()
        for table in TABLES:
            admin.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    summary.analyze_s = time.perf_counter() - started
    return summary


def text_lines(text: str) -> int:
    return text.count("\n")


# -- constraints and indexes -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Dropped:
    constraints: list[tuple[str, str, str, str]]  # table, name, definition, kind
    indexes: list[str]                            # CREATE INDEX statements


def _drop_constraints(conn: psycopg.Connection[tuple[object, ...]]) -> _Dropped:
    tables = list(TABLES)
    constraints = [
        (str(t), str(n), str(d), str(k)) for t, n, d, k in conn.execute(
            """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid),
                      c.contype
                 FROM pg_constraint c
                WHERE c.contype IN ('p', 'u', 'f')
                  AND (c.conrelid::regclass::text = ANY(%(t)s)
                       OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY(%(t)s)))
                ORDER BY c.contype = 'f' DESC""", {"t": tables})]
    names = {n for _, n, _, _ in constraints}
    indexes = [(str(n), str(d)) for n, d in conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename = ANY(%s)", (tables,)) if n not in names]
    for table, name, _, _ in constraints:  # foreign keys first
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            sql.Identifier(table), sql.Identifier(name)))
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return _Dropped(constraints, [d for _, d in indexes])


def _restore_constraints(conn: psycopg.Connection[tuple[object, ...]],
                         dropped: _Dropped) -> None:
    for table, name, definition, _ in reversed(dropped.constraints):  # keys, then references
        conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
            sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)))
    for definition in dropped.indexes:
        conn.execute(sql.SQL(definition))
