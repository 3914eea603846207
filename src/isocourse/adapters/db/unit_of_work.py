"""The unit of work over SQLAlchemy: one session, one transaction, the four repositories.

Leaving the ``with`` block without :meth:`commit` rolls back. A database that cannot be
reached (refused, dropped, locked past the busy timeout) surfaces as
:class:`~isocourse.domain.errors.StorageUnavailable`, the one storage error the faces
translate (503 in the API), so no driver exception escapes as a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from isocourse.adapters.db.engine import WRITE_OPTION
from isocourse.adapters.db.repositories import (
    SqlAuthorizations,
    SqlCourses,
    SqlIdempotency,
    SqlPatients,
)
from isocourse.adapters.db.repositories_calendar import SqlCalendarFeeds
from isocourse.adapters.db.repositories_cds import SqlCdsCards, SqlCdsTokens
from isocourse.adapters.db.repositories_security import (
    SqlAudit,
    SqlSessions,
    SqlThrottle,
    SqlTokens,
    SqlUsers,
)
from isocourse.domain.errors import Conflict, InvalidInput, StorageUnavailable
from isocourse.services.audit import AccessContext

__all__ = ["SqlUnitOfWork", "SqlUnitOfWorkFactory", "is_unavailable"]


#: SQLSTATEs of a transaction the database gave up to let another go first (PostgreSQL
#: deadlock and serialization failure): a conflict to retry, not an outage.
_RETRYABLE = {"40P01", "40001"}


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def is_unavailable(error: BaseException) -> bool:
    """Whether a driver error means "the database is not there right now"."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        if _sqlstate(error) in _RETRYABLE:
            return False
        return error.connection_invalidated or isinstance(error, OperationalError)
    return False


class SqlUnitOfWork:
    """One transaction. When made for a request (``access``), it notes the patients whose
    records it touches, and a write appends the request's audit entry in the same
    transaction as the change, so that no change is ever committed without its entry."""

    def __init__(self, engine: Engine, *, write: bool = False,
                 access: AccessContext | None = None, now: Callable[[], dt.datetime]
                 | None = None) -> None:
        self._engine = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
        self._write = write
        self._access = access
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._session: Session | None = None

    def saw(self, patient_id: str) -> None:
        if self._access is not None:
            self._access.saw(patient_id)

    def __enter__(self) -> Self:
        session = Session(self._engine, expire_on_commit=False, autoflush=False)
        self._session = session
        self.patients = SqlPatients(session)
        self.courses = SqlCourses(session)
        self.authorizations = SqlAuthorizations(session)
        self.idempotency = SqlIdempotency(session)
        self.users = SqlUsers(session)
        self.sessions = SqlSessions(session)
        self.tokens = SqlTokens(session)
        self.throttle = SqlThrottle(session)
        self.audit = SqlAudit(session)
        self.cds_tokens = SqlCdsTokens(session)
        self.cds_cards = SqlCdsCards(session)
        self.calendar_feeds = SqlCalendarFeeds(session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        session = self._session
        self._session = None
        if session is None:
            return
        try:
            session.rollback()
        except DBAPIError as error:
            if exc is None and is_unavailable(error):
                raise StorageUnavailable(_UNAVAILABLE) from None
        finally:
            session.close()
        if exc is not None and is_unavailable(exc):
            raise StorageUnavailable(_UNAVAILABLE) from None
        if isinstance(exc, DBAPIError) and _sqlstate(exc) in _RETRYABLE:
            raise Conflict("this change clashed with another one made at the same moment; "
                           "nothing was saved. Try again.") from None
        if isinstance(exc, DataError):
            # A value the database cannot hold (the record parser refuses these; this covers
            # identifiers in paths and queries).
            raise InvalidInput("a value in the request cannot be stored or looked up "
                               "(control characters, or a number out of range)") from None
        if isinstance(exc, IntegrityError):
            # A uniqueness race that the services' locks did not prevent (two registrations
            # of one patient id at once): the loser is told, not given a 500.
            raise Conflict("this change clashed with another one made at the same moment; "
                           "nothing was saved. Look again and retry.") from None

    def commit(self) -> None:
        assert self._session is not None, "commit outside the unit of work"
        try:
            audited = self._write and self._access is not None
            if audited:
                assert self._access is not None
                self.audit.append(self._access.entry(at=self._now(), status=None))
            self._session.commit()
            if audited:
                assert self._access is not None
                self._access.written()
        except DBAPIError as error:
            if is_unavailable(error):
                raise StorageUnavailable(
                    "the database connection failed while saving; look whether the change "
                    "was saved before repeating it") from None
            raise

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()


_UNAVAILABLE = ("the database cannot be reached or is busy; nothing was changed. "
                "Try again shortly.")


class SqlUnitOfWorkFactory:
    """Makes units of work on one engine; what ``bootstrap.py`` hands to the faces."""

    def __init__(self, engine: Engine, *, access: AccessContext | None = None,
                 now: Callable[[], dt.datetime] | None = None) -> None:
        self.engine = engine
        self._access = access
        self._now = now

    def __call__(self, *, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, write=write, access=self._access, now=self._now)

    def for_access(self, access: AccessContext,
                   now: Callable[[], dt.datetime]) -> SqlUnitOfWorkFactory:
        """Units of work that report to one request's audit context."""
        return SqlUnitOfWorkFactory(self.engine, access=access, now=now)

    def record(self, access: AccessContext, *, at: dt.datetime, status: int | None) -> None:
        """Write what ``access`` has not yet written (a read, a refusal, a failure) as one
        entry, in a transaction of its own."""
        with SqlUnitOfWork(self.engine, write=True) as uow:
            uow.audit.append(access.entry(at=at, status=status))
            uow.commit()
        access.written()


if TYPE_CHECKING:  # the adapter satisfies the service layer's ports
    from isocourse.services.ports import UnitOfWork, UnitOfWorkFactory

    _uow: UnitOfWork = SqlUnitOfWork(cast(Engine, None))
    _factory: UnitOfWorkFactory = SqlUnitOfWorkFactory(cast(Engine, None))
