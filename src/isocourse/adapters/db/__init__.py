"""Storage: SQLAlchemy 2 mappings, the unit of work, repositories and Alembic migrations.

SQLite (one file in the data directory) is the default; PostgreSQL is used when a URL names
it. Nothing here connects at import time: :func:`~isocourse.adapters.db.engine.make_engine`
is called by ``bootstrap.py``.
"""
