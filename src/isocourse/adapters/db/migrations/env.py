"""Alembic environment: migrations run on the connection that ``adapters/db/migrate.py``
passes in, or, for the ``alembic`` command line (alembic.ini at the project root), on the
database that isocourse's settings name."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import JSON, Connection

from isocourse.adapters.db.orm import Base, UtcDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Write isocourse's own column types as the plain types they store, so migrations do
    not import the models (a migration must keep working when the models change)."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, JSON) and "postgresql" in obj._variant_mapping:
        autogen.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from isocourse.adapters.db.engine import make_engine
    from isocourse.config import Settings

    engine = make_engine(Settings().resolved_database_url())
    with engine.connect() as fresh:
        _run(fresh)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("isocourse migrations run online only (isocourse db upgrade)")
_main()
