"""The ports of the service layer: what a use case needs from the world, as protocols.

Each use case is a function with keyword-only ports (``record_event(cmd, *, uow, clock,
actor, rules)``). The adapters provide real implementations (``adapters/db`` for the unit of
work); tests may provide their own. Nothing here imports a framework.

* :class:`Actor` - who is acting. Every use case takes one, so that accounts and roles can
  be enforced and audited without changing signatures.
* :class:`Clock` - today's date in the clinic's time zone, and the current instant. The core
  never reads a clock; services read this one, so tests can fix the date.
* :class:`UnitOfWork` - one transaction, with the repositories that work inside it. Leaving
  the ``with`` block without :meth:`UnitOfWork.commit` rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self
from zoneinfo import ZoneInfo

from isocourse.domain.products import Catalog
from isocourse.rules.library import RuleLibrary
from isocourse.services.audit import AuditEntry
from isocourse.services.cds.stored import CardOutcome, FeedbackRow, ShownCard
from isocourse.services.stored import (
    AuthorizationRow,
    CourseHeader,
    CourseListFilter,
    IdempotentResponse,
    PatientRow,
    StoredEvent,
)
from isocourse.services.stored_accounts import SessionRow, SignInFailures, TokenRow, UserRow
from isocourse.services.stored_calendar import CalendarFeedRow

__all__ = [
    "Actor",
    "AuditRepository",
    "AuthorizationRepository",
    "CalendarFeedRepository",
    "CdsCardRepository",
    "CdsTokenRepository",
    "Clock",
    "CourseRepository",
    "FixedClock",
    "IdempotencyRepository",
    "PatientRepository",
    "Rulebook",
    "SessionRepository",
    "SignInThrottle",
    "SystemClock",
    "TokenRepository",
    "UnitOfWork",
    "UserRepository",
]


@dataclass(frozen=True, slots=True)
class Actor:
    """The person or program acting. ``id`` is an account id (never a patient's name).

    ``role`` is one of :class:`isocourse.services.access.Role`. ``patient_id`` links a
    patient's account to their own patient record; ``on_behalf_of`` is the prescriber a
    delegate records for (changes are attributed to both); ``scopes`` is ``None`` for a
    person signed in, or the scopes of the API token a program used.
    """

    id: str
    role: str
    clinic_id: str
    patient_id: str | None = None
    on_behalf_of: str | None = None
    scopes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Rulebook:
    """The static knowledge a use case applies: the product catalog and the rule packs.
    Loaded once at start-up by ``bootstrap.py``."""

    catalog: Catalog
    library: RuleLibrary


class Clock(Protocol):
    def today(self) -> dt.date:
        """Today's calendar date in the clinic's time zone."""
        ...

    def now(self) -> dt.datetime:
        """The current instant, time-zone aware (UTC)."""
        ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    """The real clock. Dates are the clinic's calendar dates (house rule), so a dispense at
    00:30 local time counts on the local day, whatever the server's own zone."""

    timezone: ZoneInfo

    def today(self) -> dt.date:
        return dt.datetime.now(self.timezone).date()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class FixedClock:
    """A clock that reads a date someone chose (tests, the demo clinic, what-if views)."""

    day: dt.date
    instant: dt.datetime | None = None

    def today(self) -> dt.date:
        return self.day

    def now(self) -> dt.datetime:
        if self.instant is not None:
            return self.instant
        return dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC)


class PatientRepository(Protocol):
    def add(self, patient: PatientRow) -> None: ...
    def get(self, patient_id: str, *, lock: bool = False) -> PatientRow | None: ...
    def by_external_id(self, clinic_id: str, external_id: str) -> PatientRow | None: ...
    def update(self, patient: PatientRow) -> None: ...


class CourseRepository(Protocol):
    def add(self, header: CourseHeader) -> None: ...
    def get(self, course_id: str, *, lock: bool = False) -> CourseHeader | None:
        """The course; ``lock`` holds it for writing until the unit of work ends."""
        ...
    def of_patient(self, patient_id: str) -> Sequence[CourseHeader]: ...
    def claim(self, course_id: str, *, expected_version: int | None, by: str,
              at: dt.datetime, change: str, detail: dict[str, Any] | None = None) -> int:
        """Take the course for writing: lock it, check ``expected_version`` (raising
        VersionMismatch), bump and return the new version, and log the change."""
        ...
    def update_header(self, header: CourseHeader) -> None: ...
    def events(self, course_id: str) -> Sequence[StoredEvent]: ...
    def append_event(self, event: StoredEvent) -> StoredEvent: ...
    def find_events(self, clinic_id: str, event_id: str, type_: str) -> Sequence[StoredEvent]:
        ...
    def listing(self, clinic_id: str, flt: CourseListFilter, *, offset: int,
                limit: int) -> tuple[Sequence[CourseHeader], int]: ...
    def active_or_recent(self, clinic_id: str, since: dt.date) -> Sequence[CourseHeader]: ...
    def ids_of_clinic(self, clinic_id: str, *, after: str | None,
                      limit: int) -> Sequence[str]:
        """Up to ``limit`` ids of the clinic's courses, in id order, after ``after``
        (keyset paging: a page costs the same however far into the clinic it is)."""
        ...


class AuthorizationRepository(Protocol):
    def add(self, row: AuthorizationRow) -> None: ...
    def get(self, code: str) -> AuthorizationRow | None: ...
    def of_prescription(self, course_id: str, prescription_id: str) -> Sequence[AuthorizationRow]:
        ...
    def of_course(self, course_id: str) -> Sequence[AuthorizationRow]: ...
    def consume(self, code: str, *, dispense_event: int, at: dt.datetime, by: str) -> bool:
        """Mark a granted authorization dispensed; False when it was no longer granted.
        Atomic: of two racing callers exactly one gets True."""
        ...
    def reverse(self, code: str, *, at: dt.datetime, by: str, reason: str) -> bool: ...


class IdempotencyRepository(Protocol):
    def claim(self, actor_id: str, key: str, request_hash: str) -> IdempotentResponse | None:
        """Reserve ``key`` for this request, or return the response already stored for it.
        Concurrent claims of one key wait for the first and then see its response."""
        ...
    def complete(self, actor_id: str, key: str, response: IdempotentResponse) -> None: ...


class UserRepository(Protocol):
    def add(self, user: UserRow) -> None: ...
    def get(self, user_id: str) -> UserRow | None: ...
    def by_username(self, username: str) -> UserRow | None: ...
    def listing(self) -> Sequence[UserRow]: ...
    def update(self, user: UserRow) -> None: ...
    def names(self, user_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """``{id: (display name, role)}`` of the given accounts that exist."""
        ...


class SessionRepository(Protocol):
    def add(self, session: SessionRow) -> None: ...
    def get(self, id_hash: str) -> SessionRow | None: ...
    def touch(self, id_hash: str, at: dt.datetime) -> None: ...
    def revoke(self, id_hash: str, at: dt.datetime) -> None: ...
    def revoke_all(self, user_id: str, at: dt.datetime) -> int: ...


class TokenRepository(Protocol):
    def add(self, token: TokenRow) -> None: ...
    def get(self, token_id: str) -> TokenRow | None: ...
    def of_user(self, user_id: str) -> Sequence[TokenRow]: ...
    def touch(self, token_id: str, at: dt.datetime) -> None: ...
    def revoke(self, token_id: str, at: dt.datetime) -> bool: ...
    def revoke_all(self, user_id: str, at: dt.datetime) -> int: ...


class SignInThrottle(Protocol):
    def get(self, key: str) -> SignInFailures | None: ...
    def put(self, failures: SignInFailures) -> None: ...
    def clear(self, key: str) -> None: ...


class AuditRepository(Protocol):
    def append(self, entry: AuditEntry) -> AuditEntry:
        """Give the entry the next sequence number and link it to the chain (under the
        chain's lock, so that concurrent writers queue); return it as stored."""
        ...
    def entries(self, *, subject: str | None = None, clinic: str | None = None,
                offset: int = 0, limit: int | None = None,
                newest_first: bool = False) -> Sequence[AuditEntry]:
        ...
    def count(self, *, subject: str | None = None, clinic: str | None = None) -> int: ...
    def walk(self) -> Iterable[AuditEntry]:
        """Every entry in sequence order, streamed (for verification)."""
        ...
    def head(self) -> tuple[int, str] | None: ...
    def index_mismatches(self) -> list[int]:
        """Entries whose patient index differs from the patients the entry names."""
        ...


class CdsTokenRepository(Protocol):
    def remember(self, issuer: str, jti: str, *, expires_at: dt.datetime,
                 now: dt.datetime) -> bool:
        """Remember a CDS client JWT's ``jti`` until it expires (forgetting those that
        have); False when it was already seen (a replay). A concurrent use of the same
        jti fails at commit instead."""
        ...


class CdsCardRepository(Protocol):
    def add(self, card: ShownCard) -> None: ...
    def get(self, uuid: str) -> ShownCard | None: ...
    def add_feedback(self, row: FeedbackRow) -> None: ...
    def outcomes(self, clinic_id: str, *, since: dt.datetime | None = None
                 ) -> Iterable[CardOutcome]:
        """Every card shown in the clinic (since ``since``), each with its latest feedback."""
        ...


class CalendarFeedRepository(Protocol):
    """A patient's calendar feed links (``services/calendar_feeds.py``)."""

    def add(self, feed: CalendarFeedRow) -> None: ...
    def get(self, feed_id: str) -> CalendarFeedRow | None: ...
    def of_patient(self, patient_id: str) -> Sequence[CalendarFeedRow]:
        """The patient's links, oldest first (revoked ones included)."""
        ...
    def touch(self, feed_id: str, at: dt.datetime) -> None: ...
    def revoke(self, feed_id: str, at: dt.datetime) -> bool:
        """Revoke a link still in use; False when it was revoked already."""
        ...


class UnitOfWork(Protocol):
    @property
    def patients(self) -> PatientRepository: ...
    @property
    def courses(self) -> CourseRepository: ...
    @property
    def authorizations(self) -> AuthorizationRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def throttle(self) -> SignInThrottle: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def cds_tokens(self) -> CdsTokenRepository: ...
    @property
    def cds_cards(self) -> CdsCardRepository: ...
    @property
    def calendar_feeds(self) -> CalendarFeedRepository: ...

    def saw(self, patient_id: str) -> None:
        """Note that this work reads or changes the patient's record (for the audit
        trail of the request it belongs to, if any)."""
        ...

    def __enter__(self) -> Self: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = False) -> UnitOfWork:
        """A new unit of work; ``write=True`` when it will change anything (SQLite then
        takes the write lock at the start, so two writers never deadlock)."""
        ...
