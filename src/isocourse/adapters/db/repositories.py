"""Repositories: the service layer's storage ports (``services/ports.py``) over SQLAlchemy.

Each maps rows to the services' frozen dataclasses (``services/stored.py``) and back, so no
ORM object leaves this module. The two writes that decide races are single conditional
statements, atomic on both databases:

* :meth:`SqlCourses.claim` - ``UPDATE courses SET version = version + 1 WHERE id = ? [AND
  version = ?]``: it takes the course's row lock on PostgreSQL (SQLite's ``BEGIN
  IMMEDIATE`` already serializes writers), so the writes to one course happen one at a time
  and ``If-Match`` is checked against the version actually being replaced.
* :meth:`SqlAuthorizations.consume` - ``UPDATE ... SET status = 'dispensed' WHERE code = ?
  AND status = 'granted'``: of two pharmacies racing for one authorization, exactly one
  changes a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from isocourse.adapters.db.orm import (
    AuthorizationRecord,
    CourseEventRecord,
    CourseRecordRow,
    CourseRevisionRecord,
    IdempotencyRecord,
    PatientRecord,
)
from isocourse.domain.errors import NotFound, VersionMismatch
from isocourse.domain.record import course_info_to_json, parse_course_info
from isocourse.services.stored import (
    AuthorizationRow,
    AuthorizationStatus,
    CourseHeader,
    CourseListFilter,
    CourseStatus,
    IdempotentResponse,
    PatientRow,
    StoredEvent,
)

__all__ = ["SqlAuthorizations", "SqlCourses", "SqlIdempotency", "SqlPatients"]


class SqlPatients:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, patient: PatientRow) -> None:
        self._session.add(PatientRecord(
            id=patient.id, clinic_id=patient.clinic_id, external_id=patient.external_id,
            birth_date=patient.birth_date, can_get_pregnant=patient.can_get_pregnant,
            created_at=patient.created_at, created_by=patient.created_by))
        self._session.flush()

    def get(self, patient_id: str, *, lock: bool = False) -> PatientRow | None:
        row = self._session.get(PatientRecord, patient_id, with_for_update=lock or None)
        return None if row is None else _patient(row)

    def by_external_id(self, clinic_id: str, external_id: str) -> PatientRow | None:
        row = self._session.scalars(select(PatientRecord).where(
            PatientRecord.clinic_id == clinic_id,
            PatientRecord.external_id == external_id)).one_or_none()
        return None if row is None else _patient(row)

    def update(self, patient: PatientRow) -> None:
        self._session.execute(
            update(PatientRecord).where(PatientRecord.id == patient.id).values(
                birth_date=patient.birth_date, can_get_pregnant=patient.can_get_pregnant),
            execution_options={"synchronize_session": False})


def _patient(row: PatientRecord) -> PatientRow:
    return PatientRow(id=row.id, clinic_id=row.clinic_id, external_id=row.external_id,
                      birth_date=row.birth_date, can_get_pregnant=row.can_get_pregnant,
                      created_at=row.created_at, created_by=row.created_by)


class SqlCourses:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, header: CourseHeader) -> None:
        info = header.info
        self._session.add(CourseRecordRow(
            id=header.id, patient_id=header.patient_id, clinic_id=header.clinic_id,
            number=header.number, jurisdiction=info.jurisdiction.value, product=info.product,
            start_date=info.start_date, ended_on=header.ended_on,
            settings=course_info_to_json(info), weight_kg=str(header.weight_kg),
            plan=_plain(header.plan), extensions=_plain(header.extensions),
            version=header.version, created_at=header.created_at,
            created_by=header.created_by, updated_at=header.created_at))
        self._session.add(CourseRevisionRecord(
            course_id=header.id, version=header.version, changed_at=header.created_at,
            changed_by=header.created_by, change="created", detail=None))
        self._session.flush()

    def get(self, course_id: str, *, lock: bool = False) -> CourseHeader | None:
        """The course; ``lock`` takes its row lock (PostgreSQL ``FOR UPDATE``) so that the
        writes to one course run one after another. SQLite's write lock already does."""
        row = self._session.get(CourseRecordRow, course_id, with_for_update=lock or None,
                                populate_existing=True)
        return None if row is None else _header(row)

    def of_patient(self, patient_id: str) -> Sequence[CourseHeader]:
        rows = self._session.scalars(select(CourseRecordRow).where(
            CourseRecordRow.patient_id == patient_id).order_by(CourseRecordRow.number))
        return [_header(row) for row in rows]

    def claim(self, course_id: str, *, expected_version: int | None, by: str,
              at: dt.datetime, change: str, detail: dict[str, Any] | None = None) -> int:
        stmt = update(CourseRecordRow).where(CourseRecordRow.id == course_id)
        if expected_version is not None:
            stmt = stmt.where(CourseRecordRow.version == expected_version)
        stmt = stmt.values(version=CourseRecordRow.version + 1, updated_at=at) \
            .returning(CourseRecordRow.version)
        version = self._session.execute(
            stmt, execution_options={"synchronize_session": False}).scalar_one_or_none()
        if version is None:
            current = self._session.scalar(
                select(CourseRecordRow.version).where(CourseRecordRow.id == course_id))
            if current is None:
                raise NotFound("no such course")
            raise VersionMismatch(
                "the course was changed by someone else since you read it; reload it and "
                "apply your change again", current_version=current)
        self._session.add(CourseRevisionRecord(
            course_id=course_id, version=version, changed_at=at, changed_by=by,
            change=change, detail=detail))
        return version

    def update_header(self, header: CourseHeader) -> None:
        info = header.info
        self._session.execute(
            update(CourseRecordRow).where(CourseRecordRow.id == header.id).values(
                jurisdiction=info.jurisdiction.value, product=info.product,
                start_date=info.start_date, ended_on=header.ended_on,
                settings=course_info_to_json(info), weight_kg=str(header.weight_kg),
                plan=_plain(header.plan), extensions=_plain(header.extensions)),
            execution_options={"synchronize_session": False})

    def events(self, course_id: str) -> Sequence[StoredEvent]:
        rows = self._session.scalars(select(CourseEventRecord).where(
            CourseEventRecord.course_id == course_id).order_by(CourseEventRecord.seq))
        return [_event(row) for row in rows]

    def append_event(self, event: StoredEvent) -> StoredEvent:
        row = CourseEventRecord(
            course_id=event.course_id, seq=event.seq, event_id=event.event_id,
            type=event.type, date=event.date, supersedes=event.supersedes,
            body=dict(event.body), recorded_at=event.recorded_at,
            recorded_by=event.recorded_by, recorded_for=event.recorded_for)
        self._session.add(row)
        self._session.flush()
        return _event(row)

    def find_events(self, clinic_id: str, event_id: str, type_: str) -> Sequence[StoredEvent]:
        rows = self._session.scalars(
            select(CourseEventRecord)
            .join(CourseRecordRow, CourseRecordRow.id == CourseEventRecord.course_id)
            .where(CourseRecordRow.clinic_id == clinic_id,
                   CourseEventRecord.event_id == event_id,
                   CourseEventRecord.type == type_))
        return [_event(row) for row in rows]

    def listing(self, clinic_id: str, flt: CourseListFilter, *, offset: int,
                limit: int) -> tuple[Sequence[CourseHeader], int]:
        where = [CourseRecordRow.clinic_id == clinic_id]
        if flt.status is CourseStatus.ACTIVE:
            where.append(CourseRecordRow.ended_on.is_(None))
        elif flt.status is CourseStatus.ENDED:
            where.append(CourseRecordRow.ended_on.is_not(None))
        if flt.jurisdiction is not None:
            where.append(CourseRecordRow.jurisdiction == flt.jurisdiction)
        if flt.patient_id is not None:
            where.append(CourseRecordRow.patient_id == flt.patient_id)
        total = self._session.scalar(
            select(func.count()).select_from(CourseRecordRow).where(*where)) or 0
        rows = self._session.scalars(
            select(CourseRecordRow).where(*where)
            .order_by(CourseRecordRow.created_at.desc(), CourseRecordRow.id)
            .offset(offset).limit(limit))
        return [_header(row) for row in rows], total

    def active_or_recent(self, clinic_id: str, since: dt.date) -> Sequence[CourseHeader]:
        rows = self._session.scalars(
            select(CourseRecordRow).where(
                CourseRecordRow.clinic_id == clinic_id,
                or_(CourseRecordRow.ended_on.is_(None), CourseRecordRow.ended_on >= since))
            .order_by(CourseRecordRow.id))
        return [_header(row) for row in rows]

    def ids_of_clinic(self, clinic_id: str, *, after: str | None,
                      limit: int) -> Sequence[str]:
        stmt = select(CourseRecordRow.id).where(CourseRecordRow.clinic_id == clinic_id)
        if after is not None:
            stmt = stmt.where(CourseRecordRow.id > after)
        return list(self._session.scalars(stmt.order_by(CourseRecordRow.id).limit(limit)))


def _plain(value: Any) -> Any:
    return None if value is None else dict(value)


def _header(row: CourseRecordRow) -> CourseHeader:
    return CourseHeader(
        id=row.id, patient_id=row.patient_id, clinic_id=row.clinic_id, number=row.number,
        info=parse_course_info(row.settings), weight_kg=Decimal(row.weight_kg),
        version=row.version, created_at=row.created_at, created_by=row.created_by,
        ended_on=row.ended_on, plan=row.plan, extensions=row.extensions)


def _event(row: CourseEventRecord) -> StoredEvent:
    return StoredEvent(
        course_id=row.course_id, seq=row.seq, type=row.type, date=row.date, body=row.body,
        recorded_at=row.recorded_at, recorded_by=row.recorded_by,
        recorded_for=row.recorded_for, event_id=row.event_id,
        supersedes=row.supersedes, row_id=row.id)


class SqlAuthorizations:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: AuthorizationRow) -> None:
        self._session.add(AuthorizationRecord(
            code=row.code, course_id=row.course_id, prescription_id=row.prescription_id,
            prescription_row=row.prescription_row, status=row.status.value,
            granted_on=row.granted_on, granted_at=row.granted_at, granted_by=row.granted_by,
            do_not_dispense_after=row.do_not_dispense_after, daily_mg=row.daily_mg,
            days_supply=row.days_supply, product=row.product, capsules=dict(row.capsules),
            pharmacy=row.pharmacy))
        self._session.flush()

    def get(self, code: str) -> AuthorizationRow | None:
        row = self._session.get(AuthorizationRecord, code, populate_existing=True)
        return None if row is None else _authorization(row)

    def of_prescription(self, course_id: str, prescription_id: str) -> Sequence[AuthorizationRow]:
        rows = self._session.scalars(select(AuthorizationRecord).where(
            AuthorizationRecord.course_id == course_id,
            AuthorizationRecord.prescription_id == prescription_id)
            .order_by(AuthorizationRecord.granted_at))
        return [_authorization(row) for row in rows]

    def of_course(self, course_id: str) -> Sequence[AuthorizationRow]:
        rows = self._session.scalars(select(AuthorizationRecord).where(
            AuthorizationRecord.course_id == course_id)
            .order_by(AuthorizationRecord.granted_at))
        return [_authorization(row) for row in rows]

    def consume(self, code: str, *, dispense_event: int, at: dt.datetime, by: str) -> bool:
        return self._leave_granted(code, status=AuthorizationStatus.DISPENSED.value,
                                   dispense_row=dispense_event, dispensed_at=at,
                                   dispensed_by=by)

    def reverse(self, code: str, *, at: dt.datetime, by: str, reason: str) -> bool:
        return self._leave_granted(code, status=AuthorizationStatus.REVERSED.value,
                                   reversed_at=at, reversed_by=by, reversal_reason=reason)

    def _leave_granted(self, code: str, **values: Any) -> bool:
        """Move a *granted* authorization to another state: one conditional UPDATE, so of
        two racing callers exactly one changes the row (and gets True)."""
        result = self._session.execute(
            update(AuthorizationRecord).where(
                AuthorizationRecord.code == code,
                AuthorizationRecord.status == AuthorizationStatus.GRANTED.value)
            .values(**values),
            execution_options={"synchronize_session": False})
        return _rowcount(result) == 1


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def _authorization(row: AuthorizationRecord) -> AuthorizationRow:
    return AuthorizationRow(
        code=row.code, course_id=row.course_id, prescription_id=row.prescription_id,
        prescription_row=row.prescription_row, status=AuthorizationStatus(row.status),
        granted_on=row.granted_on, granted_at=row.granted_at, granted_by=row.granted_by,
        do_not_dispense_after=row.do_not_dispense_after, daily_mg=row.daily_mg,
        days_supply=row.days_supply, product=row.product, capsules=row.capsules,
        pharmacy=row.pharmacy, dispense_row=row.dispense_row, dispensed_at=row.dispensed_at,
        dispensed_by=row.dispensed_by, reversed_at=row.reversed_at,
        reversed_by=row.reversed_by, reversal_reason=row.reversal_reason)


class SqlIdempotency:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, actor_id: str, key: str, request_hash: str) -> IdempotentResponse | None:
        found = self._find(actor_id, key)
        if found is not None:
            return found
        try:
            # A savepoint, so that losing the race does not abort the whole transaction
            # (PostgreSQL). The loser's INSERT waits for the winner's commit, then fails.
            with self._session.begin_nested():
                self._session.add(IdempotencyRecord(
                    actor_id=actor_id, key=key, request_hash=request_hash, status=0,
                    body=None, created_at=dt.datetime.now(dt.UTC)))
                self._session.flush()
        except IntegrityError:
            return self._find(actor_id, key)
        return None

    def complete(self, actor_id: str, key: str, response: IdempotentResponse) -> None:
        self._session.execute(
            update(IdempotencyRecord).where(IdempotencyRecord.actor_id == actor_id,
                                            IdempotencyRecord.key == key)
            .values(status=response.status, body=_plain(response.body)),
            execution_options={"synchronize_session": False})

    def _find(self, actor_id: str, key: str) -> IdempotentResponse | None:
        row = self._session.execute(
            select(IdempotencyRecord.request_hash, IdempotencyRecord.status,
                   IdempotencyRecord.body)
            .where(IdempotencyRecord.actor_id == actor_id, IdempotencyRecord.key == key)
        ).one_or_none()
        if row is None:
            return None
        return IdempotentResponse(request_hash=row[0], status=row[1], body=row[2])
