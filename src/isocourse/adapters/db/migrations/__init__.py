"""Alembic migrations of the isocourse database (run by ``isocourse db upgrade``)."""
