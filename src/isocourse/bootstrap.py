"""The one place that wires isocourse together: settings, database engine, clock, rules.

Faces (API, CLI commands that use the database) call :func:`build` once and take what they
need from the :class:`Clinic` it returns. Nothing connects to a database at import time;
the engine connects on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from isocourse.adapters.db.engine import make_engine, sqlite_path
from isocourse.adapters.db.migrate import upgrade
from isocourse.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from isocourse.catalog import load_catalog, load_rule_library
from isocourse.config import Settings
from isocourse.services.ports import Actor, Clock, Rulebook, SystemClock
from isocourse.services.security.policy import SecurityPolicy

__all__ = ["DEMO_ACTOR", "Clinic", "build"]

#: The prescriber the demo clinic's records are made by (also the demo prescriber's account
#: id), and the actor of server-side jobs that act as a prescriber (seeding the demo).
#: Requests never use it: each acts as its signed-in user or API token.
DEMO_ACTOR_ID = "demo-prescriber"
DEMO_ACTOR = Actor(id=DEMO_ACTOR_ID, role="prescriber", clinic_id="main")


@dataclass
class Clinic:
    """Everything a face needs, built once."""

    settings: Settings
    engine: Engine
    uows: SqlUnitOfWorkFactory
    clock: Clock
    rules: Rulebook
    actor: Actor = field(default=DEMO_ACTOR)
    security: SecurityPolicy = field(default_factory=SecurityPolicy)

    @property
    def operator(self) -> Actor:
        """The server's operator at the command line (``isocourse users``): an admin of the
        configured clinic."""
        return Actor(id="operator", role="admin", clinic_id=self.settings.clinic_id)

    def migrate(self) -> None:
        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings | None = None, *, clock: Clock | None = None) -> Clinic:
    settings = settings or Settings()
    url = settings.resolved_database_url()
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Patient data: readable by the server's user only (SQLite gives its -wal and -shm
        # files the same permissions as the database file).
        path.touch(mode=0o600, exist_ok=True)
    engine = make_engine(url, pool_size=settings.db_pool_size)
    rules = Rulebook(catalog=load_catalog(settings.catalog),
                     library=load_rule_library(settings.rules_dir,
                                               settings.effective_dates or None))
    actor = Actor(id=DEMO_ACTOR_ID, role="prescriber", clinic_id=settings.clinic_id)
    return Clinic(settings=settings, engine=engine, uows=SqlUnitOfWorkFactory(engine),
                  clock=clock or SystemClock(settings.zone), rules=rules, actor=actor,
                  security=settings.security_policy())
