"""What the service layer keeps and gets back from storage, as plain frozen dataclasses.

These are *not* ORM objects: the database adapter maps its rows to and from them, so the
services never see a session or a lazy-loading attribute. Clinical content stays in the
core's own form: a course's settings are a :class:`~isocourse.domain.record.CourseInfo`, and
each event keeps its course-record JSON (``body``), parsed back by the core's record parser,
so storage can never drift from the interchange format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from isocourse.domain.record import CourseInfo

__all__ = [
    "AuthorizationRow",
    "AuthorizationStatus",
    "CourseHeader",
    "CourseListFilter",
    "CourseStatus",
    "IdempotentResponse",
    "PatientRow",
    "StoredEvent",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRow:
    """A patient of a clinic. ``external_id`` is the course record's opaque ``patient.id``."""

    id: str
    clinic_id: str
    external_id: str
    birth_date: dt.date
    can_get_pregnant: bool
    created_at: dt.datetime
    created_by: str


class CourseStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseHeader:
    """One course without its events. ``version`` is the optimistic-concurrency counter
    behind the API's ETag: every change to the course increments it.

    ``ended_on`` repeats the date of the course's standing ``course_end`` event so that
    "active courses" is a query, not a scan; it is written in the same transaction as
    that event and never otherwise (see ``services.courses``).
    """

    id: str
    patient_id: str
    clinic_id: str
    number: int
    info: CourseInfo
    weight_kg: Decimal
    version: int
    created_at: dt.datetime
    created_by: str
    ended_on: dt.date | None = None
    plan: Mapping[str, Any] | None = field(default=None, hash=False)
    extensions: Mapping[str, Any] | None = field(default=None, hash=False)

    @property
    def status(self) -> CourseStatus:
        return CourseStatus.ENDED if self.ended_on is not None else CourseStatus.ACTIVE


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredEvent:
    """One clinical event as stored: its course-record JSON plus who recorded it, when.

    ``seq`` is its place in the course (0, 1, 2 ...); ``row_id`` is the storage key, set by
    the repository. Stored events are never updated or deleted.
    """

    course_id: str
    seq: int
    type: str
    date: dt.date
    body: Mapping[str, Any] = field(hash=False)
    recorded_at: dt.datetime
    recorded_by: str
    #: The prescriber a delegate recorded the event for (attributed to both).
    recorded_for: str | None = None
    event_id: str | None = None
    supersedes: str | None = None
    row_id: int | None = None


@dataclass(frozen=True, slots=True)
class CourseListFilter:
    status: CourseStatus | None = None
    jurisdiction: str | None = None
    patient_id: str | None = None


class AuthorizationStatus(StrEnum):
    GRANTED = "granted"
    DISPENSED = "dispensed"
    REVERSED = "reversed"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationRow:
    """A dispense authorization. ``capsules`` is ``{"am": [[mg, n], ...], "pm": [...],
    "by_strength": {"20": n, ...}}`` for the whole supply."""

    code: str
    course_id: str
    prescription_id: str
    prescription_row: int
    status: AuthorizationStatus
    granted_on: dt.date
    granted_at: dt.datetime
    granted_by: str
    do_not_dispense_after: dt.date
    daily_mg: int
    days_supply: int
    product: str
    capsules: Mapping[str, Any] = field(hash=False)
    pharmacy: str | None = None
    dispense_row: int | None = None
    dispensed_at: dt.datetime | None = None
    dispensed_by: str | None = None
    reversed_at: dt.datetime | None = None
    reversed_by: str | None = None
    reversal_reason: str | None = None

    def usable_on(self, day: dt.date) -> bool:
        return self.status is AuthorizationStatus.GRANTED and day <= self.do_not_dispense_after


@dataclass(frozen=True, slots=True)
class IdempotentResponse:
    """The outcome stored under an ``Idempotency-Key``: ``body`` is ``None`` while the first
    request with that key is still running."""

    request_hash: str
    status: int
    body: Mapping[str, Any] | None
