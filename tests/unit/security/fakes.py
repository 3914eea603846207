"""An in-memory unit of work for the accounts services: the repositories that sign-in,
sessions, tokens and account management use, over plain dicts.

A unit of work works on a copy of the store and writes it back only on ``commit``: leaving
the ``with`` block without committing loses its changes, as with the database adapter. So
a service that forgets to commit (a failed sign-in that must still be counted) is caught.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TYPE_CHECKING, Self

from isocourse.services.audit import GENESIS, AuditEntry, entry_hash
from isocourse.services.ports import (
    AuthorizationRepository,
    CourseRepository,
    IdempotencyRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from isocourse.services.stored import PatientRow
from isocourse.services.stored_accounts import SessionRow, SignInFailures, TokenRow, UserRow
from isocourse.services.stored_calendar import CalendarFeedRow

__all__ = ["FakeStore", "FakeUnitOfWork", "FakeUnitOfWorks"]


@dataclass
class FakeStore:
    """What the fake database holds (rows are frozen dataclasses, so a shallow copy of each
    table is a snapshot)."""

    users: dict[str, UserRow] = field(default_factory=dict)
    sessions: dict[str, SessionRow] = field(default_factory=dict)
    tokens: dict[str, TokenRow] = field(default_factory=dict)
    throttle: dict[str, SignInFailures] = field(default_factory=dict)
    patients: dict[str, PatientRow] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    commits: int = 0
    calendar_feeds: dict[str, CalendarFeedRow] = field(default_factory=dict)

    def snapshot(self) -> FakeStore:
        return FakeStore(dict(self.users), dict(self.sessions), dict(self.tokens),
                         dict(self.throttle), dict(self.patients), list(self.audit),
                         self.commits, dict(self.calendar_feeds))


class _Users:
    def __init__(self, data: FakeStore) -> None:
        self._d = data

    def add(self, user: UserRow) -> None:
        assert user.id not in self._d.users
        self._d.users[user.id] = user

    def get(self, user_id: str) -> UserRow | None:
        return self._d.users.get(user_id)

    def by_username(self, username: str) -> UserRow | None:
        return next((u for u in self._d.users.values() if u.username == username), None)

    def listing(self) -> Sequence[UserRow]:
        return sorted(self._d.users.values(), key=lambda u: u.username)

    def update(self, user: UserRow) -> None:
        assert user.id in self._d.users
        self._d.users[user.id] = user

    def names(self, user_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        return {i: (u.display_name, u.role) for i in user_ids
                if (u := self._d.users.get(i)) is not None}


class _Sessions:
    def __init__(self, data: FakeStore) -> None:
        self._d = data

    def add(self, session: SessionRow) -> None:
        assert session.id_hash not in self._d.sessions
        self._d.sessions[session.id_hash] = session

    def get(self, id_hash: str) -> SessionRow | None:
        return self._d.sessions.get(id_hash)

    def touch(self, id_hash: str, at: dt.datetime) -> None:
        if id_hash in self._d.sessions:
            self._d.sessions[id_hash] = replace(self._d.sessions[id_hash], last_seen_at=at)

    def revoke(self, id_hash: str, at: dt.datetime) -> None:
        row = self._d.sessions.get(id_hash)
        if row is not None and row.revoked_at is None:
            self._d.sessions[id_hash] = replace(row, revoked_at=at)

    def revoke_all(self, user_id: str, at: dt.datetime) -> int:
        hit = [k for k, s in self._d.sessions.items()
               if s.user_id == user_id and s.revoked_at is None]
        for key in hit:
            self._d.sessions[key] = replace(self._d.sessions[key], revoked_at=at)
        return len(hit)


class _Tokens:
    def __init__(self, data: FakeStore) -> None:
        self._d = data

    def add(self, token: TokenRow) -> None:
        assert token.id not in self._d.tokens
        self._d.tokens[token.id] = token

    def get(self, token_id: str) -> TokenRow | None:
        return self._d.tokens.get(token_id)

    def of_user(self, user_id: str) -> Sequence[TokenRow]:
        return sorted((t for t in self._d.tokens.values() if t.user_id == user_id),
                      key=lambda t: t.created_at)

    def touch(self, token_id: str, at: dt.datetime) -> None:
        if token_id in self._d.tokens:
            self._d.tokens[token_id] = replace(self._d.tokens[token_id], last_used_at=at)

    def revoke(self, token_id: str, at: dt.datetime) -> bool:
        row = self._d.tokens.get(token_id)
        if row is None or row.revoked_at is not None:
            return False
        self._d.tokens[token_id] = replace(row, revoked_at=at)
        return True

    def revoke_all(self, user_id: str, at: dt.datetime) -> int:
        hit = [t.id for t in self._d.tokens.values()
               if t.user_id == user_id and t.revoked_at is None]
        for token_id in hit:
            self.revoke(token_id, at)
        return len(hit)


class _Throttle:
    def __init__(self, data: FakeStore) -> None:
        self._d = data

    def get(self, key: str) -> SignInFailures | None:
        return self._d.throttle.get(key)

    def put(self, failures: SignInFailures) -> None:
        self._d.throttle[failures.key] = failures

    def clear(self, key: str) -> None:
        self._d.throttle.pop(key, None)


class _Patients:
    def __init__(self, data: FakeStore) -> None:
        self._d = data

    def add(self, patient: PatientRow) -> None:
        self._d.patients[patient.id] = patient

    def get(self, patient_id: str, *, lock: bool = False) -> PatientRow | None:
        return self._d.patients.get(patient_id)

    def by_external_id(self, clinic_id: str, external_id: str) -> PatientRow | None:
        return next((p for p in self._d.patients.values()
                     if p.clinic_id == clinic_id and p.external_id == external_id), None)

    def update(self, patient: PatientRow) -> None:
        self._d.patients[patient.id] = patient


class _CalendarFeeds:
    def __init__(self, data: FakeStore) -> None:
        self._d = data

    def add(self, feed: CalendarFeedRow) -> None:
        assert feed.id not in self._d.calendar_feeds
        self._d.calendar_feeds[feed.id] = feed

    def get(self, feed_id: str) -> CalendarFeedRow | None:
        return self._d.calendar_feeds.get(feed_id)

    def of_patient(self, patient_id: str) -> Sequence[CalendarFeedRow]:
        return sorted((f for f in self._d.calendar_feeds.values()
                       if f.patient_id == patient_id), key=lambda f: (f.created_at, f.id))

    def touch(self, feed_id: str, at: dt.datetime) -> None:
        if feed_id in self._d.calendar_feeds:
            self._d.calendar_feeds[feed_id] = replace(self._d.calendar_feeds[feed_id],
                                                      last_used_at=at)

    def revoke(self, feed_id: str, at: dt.datetime) -> bool:
        row = self._d.calendar_feeds.get(feed_id)
        if row is None or row.revoked_at is not None:
            return False
        self._d.calendar_feeds[feed_id] = replace(row, revoked_at=at)
        return True


class _Audit:
    """The chain, linked as ``SqlAudit.append`` links it."""

    def __init__(self, data: FakeStore) -> None:
        self._d = data

    def append(self, entry: AuditEntry) -> AuditEntry:
        last = self._d.audit[-1] if self._d.audit else None
        linked = replace(entry, seq=(last.seq if last else 0) + 1,
                         prev_hash=last.hash if last else GENESIS,
                         at=entry.at.astimezone(dt.UTC))
        linked = replace(linked, hash=entry_hash(linked))
        self._d.audit.append(linked)
        return linked

    def entries(self, *, subject: str | None = None, offset: int = 0,
                limit: int | None = None, newest_first: bool = False) -> Sequence[AuditEntry]:
        found = [e for e in self._d.audit if subject is None or subject in e.subjects]
        if newest_first:
            found.reverse()
        return found[offset:None if limit is None else offset + limit]

    def count(self, *, subject: str | None = None) -> int:
        return len(self.entries(subject=subject))

    def walk(self) -> Iterator[AuditEntry]:
        return iter(list(self._d.audit))

    def head(self) -> tuple[int, str] | None:
        return (self._d.audit[-1].seq, self._d.audit[-1].hash) if self._d.audit else None

    def index_mismatches(self) -> list[int]:
        return []


class FakeUnitOfWork:
    users: _Users
    sessions: _Sessions
    tokens: _Tokens
    throttle: _Throttle
    patients: _Patients
    audit: _Audit
    calendar_feeds: _CalendarFeeds

    def __init__(self, store: FakeStore, *, write: bool) -> None:
        self._store, self.write = store, write
        self._work: FakeStore | None = None
        self.seen: set[str] = set()

    def saw(self, patient_id: str) -> None:
        self.seen.add(patient_id)

    # Not used by the accounts services: a call would be a surprise worth a failure.
    @property
    def courses(self) -> CourseRepository:
        raise AssertionError("the accounts services do not read courses")

    @property
    def authorizations(self) -> AuthorizationRepository:
        raise AssertionError("the accounts services do not read authorizations")

    @property
    def idempotency(self) -> IdempotencyRepository:
        raise AssertionError("the accounts services do not use idempotency keys")

    def __enter__(self) -> Self:
        self._work = self._store.snapshot()
        self.users, self.sessions = _Users(self._work), _Sessions(self._work)
        self.tokens, self.throttle = _Tokens(self._work), _Throttle(self._work)
        self.patients, self.audit = _Patients(self._work), _Audit(self._work)
        self.calendar_feeds = _CalendarFeeds(self._work)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._work = None  # whatever was not committed is gone

    def commit(self) -> None:
        assert self._work is not None, "commit outside the unit of work"
        assert self.write, "a read-only unit of work committed a change"
        self._work.commits = self._store.commits + 1
        for f in dataclasses.fields(FakeStore):
            setattr(self._store, f.name, getattr(self._work, f.name))
        self._work = self._store.snapshot()
        self.users, self.sessions = _Users(self._work), _Sessions(self._work)
        self.tokens, self.throttle = _Tokens(self._work), _Throttle(self._work)
        self.patients, self.audit = _Patients(self._work), _Audit(self._work)
        self.calendar_feeds = _CalendarFeeds(self._work)

    def rollback(self) -> None:
        assert self._work is not None
        self.__enter__()


class FakeUnitOfWorks:
    """The factory the services take as ``uows``; ``store`` is what is committed."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()

    def __call__(self, *, write: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, write=write)


if TYPE_CHECKING:  # the fakes satisfy the service layer's ports
    _uow: UnitOfWork = FakeUnitOfWork(FakeStore(), write=False)
    _factory: UnitOfWorkFactory = FakeUnitOfWorks()
