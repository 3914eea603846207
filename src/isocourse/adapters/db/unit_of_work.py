"""The unit of work over SQLAlchemy: one session, one transaction, the four repositories.

Leaving the ``with`` block without :meth:`commit` rolls back. A database that cannot be
reached (refused, dropped, locked past the busy timeout) surfaces as
:class:`~isocourse.domain.errors.StorageUnavailable`, the one storage error the faces
translate (503 in the API), so no driver exception escapes as a 500.
"""

from __future__ import annotations

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
from isocourse.domain.errors import Conflict, InvalidInput, StorageUnavailable

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
    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._engine = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = Session(self._engine, expire_on_commit=False, autoflush=False)
        self._session = session
        self.patients = SqlPatients(session)
        self.courses = SqlCourses(session)
        self.authorizations = SqlAuthorizations(session)
        self.idempotency = SqlIdempotency(session)
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
            self._session.commit()
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

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, *, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, write=write)


if TYPE_CHECKING:  # the adapter satisfies the service layer's ports
    from isocourse.services.ports import UnitOfWork, UnitOfWorkFactory

    _uow: UnitOfWork = SqlUnitOfWork(cast(Engine, None))
    _factory: UnitOfWorkFactory = SqlUnitOfWorkFactory(cast(Engine, None))
