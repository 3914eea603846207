"""Is the database there? Used by the readiness endpoint and ``serve`` at start-up."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from isocourse.domain.errors import StorageUnavailable

__all__ = ["database_ready"]


def database_ready(engine: Engine) -> str | None:
    """The schema revision, or :class:`StorageUnavailable` when the database cannot be
    reached."""
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except (DBAPIError, PoolTimeout):
        raise StorageUnavailable("the database cannot be reached") from None
