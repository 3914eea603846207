"""The repository of patients' calendar feed links (the port ``CalendarFeedRepository`` in
``services/ports.py``), over SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from isocourse.adapters.db.orm_calendar import CalendarFeedRecord
from isocourse.services.stored_calendar import CalendarFeedRow

__all__ = ["SqlCalendarFeeds"]


class SqlCalendarFeeds:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, feed: CalendarFeedRow) -> None:
        self._session.add(CalendarFeedRecord(
            id=feed.id, secret_hash=feed.secret_hash, patient_id=feed.patient_id,
            clinic_id=feed.clinic_id, created_by=feed.created_by, created_at=feed.created_at,
            revoked_at=feed.revoked_at, last_used_at=feed.last_used_at))
        self._session.flush()

    def get(self, feed_id: str) -> CalendarFeedRow | None:
        row = self._session.get(CalendarFeedRecord, feed_id)
        return _feed(row) if row is not None else None

    def of_patient(self, patient_id: str) -> Sequence[CalendarFeedRow]:
        rows = self._session.scalars(select(CalendarFeedRecord).where(
            CalendarFeedRecord.patient_id == patient_id).order_by(
            CalendarFeedRecord.created_at, CalendarFeedRecord.id))
        return [_feed(r) for r in rows]

    def touch(self, feed_id: str, at: dt.datetime) -> None:
        self._session.execute(update(CalendarFeedRecord).where(
            CalendarFeedRecord.id == feed_id).values(last_used_at=at))

    def revoke(self, feed_id: str, at: dt.datetime) -> bool:
        result = self._session.execute(update(CalendarFeedRecord).where(
            CalendarFeedRecord.id == feed_id, CalendarFeedRecord.revoked_at.is_(None))
            .values(revoked_at=at))
        return bool(getattr(result, "rowcount", 0))


def _feed(row: CalendarFeedRecord) -> CalendarFeedRow:
    return CalendarFeedRow(id=row.id, secret_hash=row.secret_hash, patient_id=row.patient_id,
                           clinic_id=row.clinic_id, created_by=row.created_by,
                           created_at=row.created_at, revoked_at=row.revoked_at,
                           last_used_at=row.last_used_at)
