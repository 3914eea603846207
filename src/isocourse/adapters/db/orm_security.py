"""The tables of accounts, sign-in and the audit trail (see ``orm.py`` for the clinical
ones). Secrets are stored only as digests or argon2 hashes.

``audit_entries`` is append-only: rows are inserted and never updated or deleted. Each
row's ``hash`` covers its content and the previous row's hash; ``audit_head`` (one row)
holds the last sequence number and hash, and is locked by every append so that entries
are chained one at a time. ``audit_subjects`` indexes entries by patient, for the
patient's own access log; it repeats the entry's ``subjects`` and is checked against them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from isocourse.adapters.db.orm import Base, Instant, Json

__all__ = [
    "ApiTokenRecord",
    "AuditEntryRecord",
    "AuditHeadRecord",
    "AuditSubjectRecord",
    "SessionRecord",
    "SignInFailureRecord",
    "UserRecord",
]


class UserRecord(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    clinic_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"))
    on_behalf_of: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[dt.datetime] = mapped_column(Instant)
    password_changed_at: Mapped[dt.datetime] = mapped_column(Instant)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(Instant)


class SessionRecord(Base):
    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Instant)
    last_seen_at: Mapped[dt.datetime] = mapped_column(Instant)
    expires_at: Mapped[dt.datetime] = mapped_column(Instant)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Instant)


class ApiTokenRecord(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(Json)
    created_at: Mapped[dt.datetime] = mapped_column(Instant)
    expires_at: Mapped[dt.datetime] = mapped_column(Instant)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Instant)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(Instant)


class SignInFailureRecord(Base):
    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[dt.datetime] = mapped_column(Instant)
    locked_until: Mapped[dt.datetime | None] = mapped_column(Instant)


class AuditEntryRecord(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_clinic_seq", "clinic_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(Instant)
    actor_id: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    clinic_id: Mapped[str | None] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300))
    subjects: Mapped[list[Any]] = mapped_column(Json)
    address: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(8))
    status: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditSubjectRecord(Base):
    __tablename__ = "audit_subjects"
    __table_args__ = (Index("ix_audit_subjects_patient_seq", "patient_id", "seq"),)

    seq: Mapped[int] = mapped_column(ForeignKey("audit_entries.seq"), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class AuditHeadRecord(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
