"""Tampering with the audit trail in the database is found by GET /audit/verify, and an entry
for a change commits with the change or not at all.

A clinic per backend gets some traffic and a check that the chain is intact; each test then
tampers with SQL through the clinic's engine - an UPDATE, a DELETE in the middle or at the
end, a changed patient index row, a forged entry - checks again, and afterwards the audit
tables are put back as they were, so that the next test starts from the same intact chain.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from isocourse.adapters.db.orm_security import (
    AuditEntryRecord,
    AuditHeadRecord,
    AuditSubjectRecord,
)
from isocourse.services.audit import entry_hash
from tests.e2e.security.world import (
    READY_DAY,
    Course,
    World,
    make_course,
    serve_world,
    unique,
)
from tests.support.clinics import BACKENDS

ENTRIES = AuditEntryRecord.__table__
SUBJECTS = AuditSubjectRecord.__table__
HEAD = AuditHeadRecord.__table__
EVENT = {"type": "counseling", "date": READY_DAY.isoformat()}


@dataclasses.dataclass
class Traced:
    world: World
    course: Course
    denied_seq: int     # a refusal someone would like to hide
    read_seq: int       # a read of the patient's record


@pytest.fixture(scope="module", params=BACKENDS)
def intact(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Traced]:
    folder = tmp_path_factory.mktemp(f"audit-{request.param}")
    with serve_world(request, request.param, folder) as world:
        prescriber = world["prescriber"]
        world["admin"]  # made before the traffic, so that the entries are numbered as below
        course = make_course(world.clinic, prescriber, prescriber, "started", unique("traced"))
        cid, headers, http = course.course_id, prescriber.bearer, world.http
        assert http.get(f"/courses/{cid}", headers=headers).status_code == 200
        assert http.post(f"/courses/{cid}/events", json=EVENT, headers=headers).status_code \
            == 201
        assert http.get("/users", headers=headers).status_code == 403
        assert http.get("/courses").status_code == 401
        assert http.get(f"/courses/{cid}/assessment", headers=headers).status_code == 200
        entries = world.entries_after(0)
        assert [e.action for e in entries] == ["get_course", "record_events", "list_users",
                                               "list_courses", "assess"]
        report = verify(world)
        assert (report["intact"], report["problems"], report["entries"],
                report["head_seq"]) == (True, [], 5, 5)
        yield Traced(world, course, denied_seq=3, read_seq=1)


@pytest.fixture
def traced(intact: Traced) -> Iterator[Traced]:
    """The intact chain; put back as it was after the test."""
    tables = (SUBJECTS, ENTRIES, HEAD)
    with intact.world.clinic.engine.connect() as connection:
        kept = {t.name: [dict(r) for r in connection.execute(select(t)).mappings()]
                for t in tables}
    try:
        yield intact
    finally:
        with intact.world.clinic.engine.begin() as connection:
            for table in tables:
                connection.execute(delete(table))
            for table in reversed(tables):
                connection.execute(table.insert(), kept[table.name])
        assert verify(intact.world)["intact"] is True


def verify(world: World) -> dict[str, Any]:
    answer = world.http.get("/audit/verify", headers=world["admin"].bearer)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def tamper(world: World, *statements: Any) -> None:
    with world.clinic.engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)


def problems_about(report: dict[str, Any], seq: int) -> list[str]:
    return [p for p in report["problems"] if p.startswith(f"entry {seq}:")]


def test_an_entry_changed_in_place_is_found(traced: Traced) -> None:
    world, seq = traced.world, traced.denied_seq
    tamper(world, update(ENTRIES).where(ENTRIES.c.seq == seq).values(outcome="allowed"))
    report = verify(world)
    assert report["intact"] is False
    assert problems_about(report, seq) == [
        f"entry {seq}: its content was changed after it was written"]


def test_an_entry_deleted_from_the_middle_is_found(traced: Traced) -> None:
    world, seq = traced.world, traced.denied_seq
    tamper(world, delete(SUBJECTS).where(SUBJECTS.c.seq == seq),
           delete(ENTRIES).where(ENTRIES.c.seq == seq))
    report = verify(world)
    assert report["intact"] is False
    found = problems_about(report, seq + 1)
    assert any(f"expected entry {seq} here" in p for p in found), report
    assert any("does not link to the entry before it" in p for p in found), report


def test_the_last_entry_deleted_is_found_against_the_chain_head(traced: Traced) -> None:
    world = traced.world
    last = world.head()  # the entry of the verification the fixture made
    tamper(world, delete(SUBJECTS).where(SUBJECTS.c.seq == last),
           delete(ENTRIES).where(ENTRIES.c.seq == last))
    report = verify(world)
    assert report["intact"] is False
    assert report["problems"] == [
        f"the chain ends at entry {last - 1} but its head says entry {last}: entries were "
        "removed from the end or added around it"]


def test_a_changed_patient_index_row_is_found(traced: Traced) -> None:
    world, seq = traced.world, traced.read_seq
    elsewhere = make_course(world.clinic, world["prescriber"], world["prescriber"],
                            "patient", unique("elsewhere")).patient_id
    # Move the read to another patient's log: it leaves this patient's access log.
    tamper(world, update(SUBJECTS).where(SUBJECTS.c.seq == seq).values(patient_id=elsewhere))
    log = world.http.get(f"/patients/{traced.course.patient_id}/access-log",
                         headers=world["prescriber"].bearer).json()["items"]
    assert "get_course" not in [line["action"] for line in log]
    report = verify(world)
    assert report["intact"] is False
    assert report["problems"] == [
        f"the patient index of entries {seq} differs from the entries"]


def test_a_forged_entry_is_found(traced: Traced) -> None:
    world = traced.world
    with world.clinic.uows() as uow:
        last = uow.audit.entries(offset=world.head() - 1)[0]
    # Someone adds an entry that says the admin read the record, links it to the last one
    # and moves the head - but cannot produce the hash the server would have written.
    forged = dataclasses.replace(
        last, seq=last.seq + 1, actor_id=world["admin"].id, role="admin",
        action="get_course", target=f"/courses/{traced.course.course_id}",
        subjects=(traced.course.patient_id,), prev_hash=last.hash)
    wrong = entry_hash(dataclasses.replace(forged, action="get_course "))
    tamper(world,
           ENTRIES.insert().values(
               seq=forged.seq, at=forged.at, actor_id=forged.actor_id, role=forged.role,
               on_behalf_of=None, via=forged.via, action=forged.action, target=forged.target,
               subjects=list(forged.subjects), address=forged.address,
               outcome=forged.outcome, status=forged.status, prev_hash=forged.prev_hash,
               hash=wrong),
           SUBJECTS.insert().values(seq=forged.seq, patient_id=traced.course.patient_id),
           update(HEAD).where(HEAD.c.id == 1).values(seq=forged.seq, hash=wrong))
    report = verify(world)
    assert report["intact"] is False
    assert problems_about(report, forged.seq) == [
        f"entry {forged.seq}: its content was changed after it was written"]


_REFUSE_SQLITE = """
CREATE TRIGGER refuse_change_entry BEFORE INSERT ON audit_entries
WHEN NEW.status IS NULL AND NEW.action = 'record_events'
BEGIN SELECT RAISE(ABORT, 'audit entry refused'); END
"""
_REFUSE_POSTGRESQL = ("""
CREATE FUNCTION refuse_change_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS NULL AND NEW.action = 'record_events' THEN
    RAISE EXCEPTION 'audit entry refused' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$
""", """
CREATE TRIGGER refuse_change_entry BEFORE INSERT ON audit_entries
FOR EACH ROW EXECUTE FUNCTION refuse_change_entry()
""")


def test_a_change_is_saved_with_its_audit_entry_or_not_at_all(traced: Traced) -> None:
    world, cid = traced.world, traced.course.course_id
    headers = world["prescriber"].bearer
    sqlite = world.clinic.engine.dialect.name == "sqlite"
    # The database refuses the entry that a change writes at its commit.
    refuse = (_REFUSE_SQLITE,) if sqlite else _REFUSE_POSTGRESQL
    tamper(world, *(text(sql) for sql in refuse))
    try:
        version, before = world.version(cid), world.head()
        failed = world.http.post(f"/courses/{cid}/events", json=EVENT, headers=headers)
        assert failed.status_code == 409, failed.text
        assert world.version(cid) == version  # the change went with its entry
        written = [(e.action, e.outcome, e.status) for e in world.entries_after(before)]
        assert written == [("record_events", "allowed", 409)]  # none says it was saved
    finally:
        tamper(world, *(text(sql) for sql in (
            ("DROP TRIGGER refuse_change_entry",) if sqlite else (
                "DROP TRIGGER refuse_change_entry ON audit_entries",
                "DROP FUNCTION refuse_change_entry()"))))
    before = world.head()
    done = world.http.post(f"/courses/{cid}/events", json=EVENT, headers=headers)
    assert done.status_code == 201
    assert world.version(cid) == version + 1
    written = [(e.action, e.outcome, e.status) for e in world.entries_after(before)]
    assert written == [("record_events", "allowed", None)]  # written at the commit
    assert verify(world)["intact"] is True
