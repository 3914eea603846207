"""Repositories of accounts, sessions, API tokens, sign-in throttling and the audit trail
(the ports in ``services/ports.py``), over SQLAlchemy."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from isocourse.adapters.db.orm_security import (
    ApiTokenRecord,
    AuditEntryRecord,
    AuditHeadRecord,
    AuditSubjectRecord,
    SessionRecord,
    SignInFailureRecord,
    UserRecord,
)
from isocourse.services.audit import GENESIS, AuditEntry, entry_hash
from isocourse.services.stored_accounts import SessionRow, SignInFailures, TokenRow, UserRow

__all__ = ["SqlAudit", "SqlSessions", "SqlThrottle", "SqlTokens", "SqlUsers"]

_USER_FIELDS = [f.name for f in dataclasses.fields(UserRow)]
_SESSION_FIELDS = [f.name for f in dataclasses.fields(SessionRow)]


class SqlUsers:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: UserRow) -> None:
        self._session.add(UserRecord(**{f: getattr(user, f) for f in _USER_FIELDS}))
        self._session.flush()

    def get(self, user_id: str) -> UserRow | None:
        row = self._session.get(UserRecord, user_id)
        return _user(row) if row is not None else None

    def by_username(self, username: str) -> UserRow | None:
        row = self._session.scalars(
            select(UserRecord).where(UserRecord.username == username)).first()
        return _user(row) if row is not None else None

    def listing(self) -> Sequence[UserRow]:
        rows = self._session.scalars(select(UserRecord).order_by(UserRecord.username))
        return [_user(r) for r in rows]

    def update(self, user: UserRow) -> None:
        values = {f: getattr(user, f) for f in _USER_FIELDS if f != "id"}
        self._session.execute(update(UserRecord).where(UserRecord.id == user.id)
                              .values(**values))

    def names(self, user_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        if not user_ids:
            return {}
        rows = self._session.execute(
            select(UserRecord.id, UserRecord.display_name, UserRecord.role)
            .where(UserRecord.id.in_(list(user_ids))))
        return {i: (name, role) for i, name, role in rows}


def _user(row: UserRecord) -> UserRow:
    return UserRow(**{f: getattr(row, f) for f in _USER_FIELDS})


class SqlSessions:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: SessionRow) -> None:
        self._session.add(SessionRecord(**{f: getattr(row, f) for f in _SESSION_FIELDS}))
        self._session.flush()

    def get(self, id_hash: str) -> SessionRow | None:
        row = self._session.get(SessionRecord, id_hash)
        if row is None:
            return None
        return SessionRow(**{f: getattr(row, f) for f in _SESSION_FIELDS})

    def touch(self, id_hash: str, at: dt.datetime) -> None:
        self._session.execute(update(SessionRecord).where(SessionRecord.id_hash == id_hash)
                              .values(last_seen_at=at))

    def revoke(self, id_hash: str, at: dt.datetime) -> None:
        self._session.execute(update(SessionRecord).where(
            SessionRecord.id_hash == id_hash, SessionRecord.revoked_at.is_(None))
            .values(revoked_at=at))

    def revoke_all(self, user_id: str, at: dt.datetime) -> int:
        result = self._session.execute(update(SessionRecord).where(
            SessionRecord.user_id == user_id, SessionRecord.revoked_at.is_(None))
            .values(revoked_at=at))
        return int(getattr(result, "rowcount", 0) or 0)


class SqlTokens:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, token: TokenRow) -> None:
        self._session.add(ApiTokenRecord(
            id=token.id, user_id=token.user_id, name=token.name, prefix=token.prefix,
            token_hash=token.token_hash, scopes=list(token.scopes),
            created_at=token.created_at, expires_at=token.expires_at,
            revoked_at=token.revoked_at, last_used_at=token.last_used_at))
        self._session.flush()

    def get(self, token_id: str) -> TokenRow | None:
        row = self._session.get(ApiTokenRecord, token_id)
        return _token(row) if row is not None else None

    def of_user(self, user_id: str) -> Sequence[TokenRow]:
        rows = self._session.scalars(select(ApiTokenRecord).where(
            ApiTokenRecord.user_id == user_id).order_by(ApiTokenRecord.created_at))
        return [_token(r) for r in rows]

    def touch(self, token_id: str, at: dt.datetime) -> None:
        self._session.execute(update(ApiTokenRecord).where(ApiTokenRecord.id == token_id)
                              .values(last_used_at=at))

    def revoke(self, token_id: str, at: dt.datetime) -> bool:
        result = self._session.execute(update(ApiTokenRecord).where(
            ApiTokenRecord.id == token_id, ApiTokenRecord.revoked_at.is_(None))
            .values(revoked_at=at))
        return bool(getattr(result, "rowcount", 0))

    def revoke_all(self, user_id: str, at: dt.datetime) -> int:
        result = self._session.execute(update(ApiTokenRecord).where(
            ApiTokenRecord.user_id == user_id, ApiTokenRecord.revoked_at.is_(None))
            .values(revoked_at=at))
        return int(getattr(result, "rowcount", 0) or 0)


def _token(row: ApiTokenRecord) -> TokenRow:
    return TokenRow(id=row.id, user_id=row.user_id, name=row.name, prefix=row.prefix,
                    token_hash=row.token_hash, scopes=tuple(row.scopes),
                    created_at=row.created_at, expires_at=row.expires_at,
                    revoked_at=row.revoked_at, last_used_at=row.last_used_at)


class SqlThrottle:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str) -> SignInFailures | None:
        row = self._session.get(SignInFailureRecord, key)
        if row is None:
            return None
        return SignInFailures(key=row.key, count=row.count, window_start=row.window_start,
                              locked_until=row.locked_until)

    def put(self, failures: SignInFailures) -> None:
        row = self._session.get(SignInFailureRecord, failures.key)
        if row is None:
            self._session.add(SignInFailureRecord(
                key=failures.key, count=failures.count, window_start=failures.window_start,
                locked_until=failures.locked_until))
        else:
            row.count, row.window_start = failures.count, failures.window_start
            row.locked_until = failures.locked_until
        self._session.flush()

    def clear(self, key: str) -> None:
        self._session.execute(delete(SignInFailureRecord).where(SignInFailureRecord.key == key))


class SqlAudit:
    """The chain: :meth:`append` locks the head row (PostgreSQL: ``FOR UPDATE``; SQLite's
    writers are serialized already), links the entry and moves the head, in the caller's
    transaction - so an entry written with a change commits or rolls back with it."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, entry: AuditEntry) -> AuditEntry:
        head = self._session.scalars(select(AuditHeadRecord).where(AuditHeadRecord.id == 1)
                                     .with_for_update()).one()
        linked = dataclasses.replace(entry, seq=head.seq + 1, prev_hash=head.hash,
                                     at=entry.at.astimezone(dt.UTC))
        linked = dataclasses.replace(linked, hash=entry_hash(linked))
        self._session.add(AuditEntryRecord(
            seq=linked.seq, at=linked.at, actor_id=linked.actor_id, role=linked.role,
            on_behalf_of=linked.on_behalf_of, clinic_id=linked.clinic_id, via=linked.via,
            action=linked.action,
            target=linked.target, subjects=list(linked.subjects), address=linked.address,
            outcome=linked.outcome, status=linked.status, prev_hash=linked.prev_hash,
            hash=linked.hash))
        self._session.flush()
        self._session.add_all(AuditSubjectRecord(seq=linked.seq, patient_id=p)
                              for p in linked.subjects)
        head.seq, head.hash = linked.seq, linked.hash
        self._session.flush()
        return linked

    def entries(self, *, subject: str | None = None, clinic: str | None = None,
                offset: int = 0, limit: int | None = None,
                newest_first: bool = False) -> Sequence[AuditEntry]:
        query = select(AuditEntryRecord)
        if clinic is not None:
            query = query.where(AuditEntryRecord.clinic_id == clinic)
        if subject is not None:
            query = query.join(AuditSubjectRecord,
                               AuditSubjectRecord.seq == AuditEntryRecord.seq).where(
                AuditSubjectRecord.patient_id == subject)
        order = AuditEntryRecord.seq.desc() if newest_first else AuditEntryRecord.seq
        query = query.order_by(order).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [_entry(r) for r in self._session.scalars(query)]

    def count(self, *, subject: str | None = None, clinic: str | None = None) -> int:
        if clinic is not None:
            query = select(func.count()).select_from(AuditEntryRecord).where(
                AuditEntryRecord.clinic_id == clinic)
        elif subject is None:
            query = select(func.count()).select_from(AuditEntryRecord)
        else:
            query = select(func.count()).select_from(AuditSubjectRecord).where(
                AuditSubjectRecord.patient_id == subject)
        return int(self._session.scalar(query) or 0)

    def walk(self) -> Iterator[AuditEntry]:
        rows = self._session.execute(
            select(AuditEntryRecord).order_by(AuditEntryRecord.seq)
            .execution_options(yield_per=1000)).scalars()
        for row in rows:
            yield _entry(row)

    def head(self) -> tuple[int, str] | None:
        row = self._session.get(AuditHeadRecord, 1)
        if row is None or (row.seq, row.hash) == (0, GENESIS):
            return None
        return row.seq, row.hash

    def index_mismatches(self) -> list[int]:
        """Sequence numbers whose subject index differs from the entry's subjects."""
        index: dict[int, set[str]] = {}
        for seq, patient in self._session.execute(
                select(AuditSubjectRecord.seq, AuditSubjectRecord.patient_id)):
            index.setdefault(seq, set()).add(patient)
        wrong = []
        for seq, subjects in self._session.execute(
                select(AuditEntryRecord.seq, AuditEntryRecord.subjects)):
            if set(subjects) != index.pop(seq, set()):
                wrong.append(seq)
        return sorted(wrong + list(index))


def _entry(row: AuditEntryRecord) -> AuditEntry:
    return AuditEntry(seq=row.seq, at=row.at, actor_id=row.actor_id, role=row.role,
                      on_behalf_of=row.on_behalf_of, clinic_id=row.clinic_id, via=row.via,
                      action=row.action,
                      target=row.target, subjects=tuple(row.subjects), address=row.address,
                      outcome=row.outcome, status=row.status, prev_hash=row.prev_hash,
                      hash=row.hash)
