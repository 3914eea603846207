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
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self
from zoneinfo import ZoneInfo

from isocourse.domain.products import Catalog
from isocourse.rules.library import RuleLibrary
from isocourse.services.stored import (
    AuthorizationRow,
    CourseHeader,
    CourseListFilter,
    IdempotentResponse,
    PatientRow,
    StoredEvent,
)

__all__ = [
    "Actor",
    "AuthorizationRepository",
    "Clock",
    "CourseRepository",
    "FixedClock",
    "IdempotencyRepository",
    "PatientRepository",
    "Rulebook",
    "SystemClock",
    "UnitOfWork",
]


@dataclass(frozen=True, slots=True)
class Actor:
    """The person or program acting. ``id`` is an account id (never a patient's name)."""

    id: str
    role: str
    clinic_id: str


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


class UnitOfWork(Protocol):
    @property
    def patients(self) -> PatientRepository: ...
    @property
    def courses(self) -> CourseRepository: ...
    @property
    def authorizations(self) -> AuthorizationRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...

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
