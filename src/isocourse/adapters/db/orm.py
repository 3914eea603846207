"""The tables, as typed SQLAlchemy 2 mappings. Separate from the core's dataclasses on
purpose: the repositories translate, so the domain never carries a session.

Clinical tables are append-only by construction: ``course_events`` rows are inserted and
never updated or deleted (a correction is a new row whose ``supersedes`` names the old
event). ``courses`` holds the course's settings and the optimistic-concurrency ``version``;
each change to a course is logged in ``course_revisions`` with who and when, and a changed
setting keeps its previous value there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuthorizationRecord",
    "Base",
    "CourseEventRecord",
    "CourseRecordRow",
    "CourseRevisionRecord",
    "IdempotencyRecord",
    "PatientRecord",
]

#: Constraint names are fixed so that migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON on SQLite, JSONB on PostgreSQL.
Json = JSON().with_variant(JSONB(), "postgresql")
#: An auto-incrementing key: BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An instant, always time-zone aware in Python and stored as UTC. SQLite has no time
    zones, so the value is written there as naive UTC and given its zone back on reading."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must be time-zone aware")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None,
                             dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


Instant = UtcDateTime()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PatientRecord(Base):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("clinic_id", "external_id",
                                       name="uq_patients_clinic_external"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    clinic_id: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    can_get_pregnant: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(Instant)
    created_by: Mapped[str] = mapped_column(String(64))


class CourseRecordRow(Base):
    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("patient_id", "number", name="uq_courses_patient_number"),
        Index("ix_courses_clinic_ended", "clinic_id", "ended_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    clinic_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    #: The course object of the course record (everything in CourseInfo), as JSON.
    settings: Mapped[dict[str, Any]] = mapped_column(Json)
    #: Exact decimal text of the enrollment weight in kg (no binary float in between).
    weight_kg: Mapped[str] = mapped_column(String(32))
    plan: Mapped[dict[str, Any] | None] = mapped_column(Json)
    extensions: Mapped[dict[str, Any] | None] = mapped_column(Json)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(Instant)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(Instant)


class CourseRevisionRecord(Base):
    """One line per change of a course: the version it produced, who, when, what."""

    __tablename__ = "course_revisions"
    __table_args__ = (UniqueConstraint("course_id", "version",
                                       name="uq_course_revisions_course_version"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime] = mapped_column(Instant)
    changed_by: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)


class CourseEventRecord(Base):
    __tablename__ = "course_events"
    __table_args__ = (
        UniqueConstraint("course_id", "seq", name="uq_course_events_course_seq"),
        UniqueConstraint("course_id", "event_id", name="uq_course_events_course_event"),
        Index("ix_course_events_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str | None] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    date: Mapped[dt.date] = mapped_column(Date)
    supersedes: Mapped[str | None] = mapped_column(String(128))
    #: The event exactly as the course record writes it.
    body: Mapped[dict[str, Any]] = mapped_column(Json)
    recorded_at: Mapped[dt.datetime] = mapped_column(Instant)
    recorded_by: Mapped[str] = mapped_column(String(64))
    #: The prescriber a delegate recorded this for (attributed to both).
    recorded_for: Mapped[str | None] = mapped_column(String(64))


class AuthorizationRecord(Base):
    __tablename__ = "authorizations"
    __table_args__ = (Index("ix_authorizations_course", "course_id", "prescription_id"),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    prescription_id: Mapped[str] = mapped_column(String(128))
    prescription_row: Mapped[int] = mapped_column(ForeignKey("course_events.id"))
    status: Mapped[str] = mapped_column(String(16))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    granted_at: Mapped[dt.datetime] = mapped_column(Instant)
    granted_by: Mapped[str] = mapped_column(String(64))
    do_not_dispense_after: Mapped[dt.date] = mapped_column(Date)
    daily_mg: Mapped[int] = mapped_column(Integer)
    days_supply: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(64))
    capsules: Mapped[dict[str, Any]] = mapped_column(Json)
    pharmacy: Mapped[str | None] = mapped_column(String(128))
    dispense_row: Mapped[int | None] = mapped_column(ForeignKey("course_events.id"))
    dispensed_at: Mapped[dt.datetime | None] = mapped_column(Instant)
    dispensed_by: Mapped[str | None] = mapped_column(String(64))
    reversed_at: Mapped[dt.datetime | None] = mapped_column(Instant)
    reversed_by: Mapped[str | None] = mapped_column(String(64))
    reversal_reason: Mapped[str | None] = mapped_column(Text)


class IdempotencyRecord(Base):
    """The stored outcome of a request sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"

    actor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[dt.datetime] = mapped_column(Instant)


# The accounts and audit tables share this metadata (imported last: they use Base).
import isocourse.adapters.db.orm_cds  # noqa: E402,F401  (the CDS Hooks tables)
from isocourse.adapters.db import orm_calendar, orm_security  # noqa: E402,F401  (calendar feeds)
