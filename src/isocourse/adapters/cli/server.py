"""``isocourse serve``, ``isocourse db ...``, ``isocourse backup`` and ``isocourse restore``:
the commands that run and look after the clinic server.

Heavy imports (SQLAlchemy, FastAPI, uvicorn) happen inside the commands, so that
``isocourse plan`` keeps its fast start.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from isocourse.adapters.cli import output
from isocourse.domain.errors import InvalidInput

if TYPE_CHECKING:
    from isocourse.bootstrap import Clinic
    from isocourse.config import Settings

db_app = typer.Typer(help="The clinic database: migrations.", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Folder of the SQLite database (default: $XDG_DATA_HOME/isocourse, "
                       "else ~/.local/share/isocourse; env ISOCOURSE_DATA_DIR).")]
DatabaseUrl = Annotated[str | None, typer.Option(
    "--database-url", help="A PostgreSQL URL instead of SQLite (env ISOCOURSE_DATABASE_URL).")]


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the options given on the command line on top.
    A bad value is one line naming the setting, like any other bad input."""
    from pydantic import ValidationError

    from isocourse.config import Settings

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(p) for p in first.get("loc", ())) or "setting"
        raise InvalidInput(f"setting {name}: {first.get('msg', 'invalid')}",
                           field=name) from None


def _clinic(settings: Settings) -> Clinic:
    from isocourse.bootstrap import build

    return build(settings)


def serve_command(
    demo: Annotated[bool, typer.Option(
        "--demo", help="Fill an empty database with a demo clinic first.")] = False,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")
                    ] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 8000).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    timezone: Annotated[str | None, typer.Option(
        help="The clinic's time zone, e.g. Europe/London (default UTC).")] = None,
) -> None:
    """Run the clinic server: migrate the database, then serve the API."""
    import uvicorn

    from isocourse.adapters.api.app import create_app

    settings = load_settings(host=host, port=port, data_dir=data_dir,
                             database_url=database_url, timezone=timezone)
    clinic = _clinic(settings)
    try:
        database_ready_or_new(clinic)
        clinic.migrate()
        if demo:
            _seed_demo(clinic)
        app = create_app(clinic)
        where = f"http://{settings.host}:{settings.port}"
        output.write_line(f"isocourse is serving the clinic at {where}/ "
                          f"(API {where}/api/v1, interactive docs {where}/api/v1/docs; "
                          f"database: {_describe(settings)}). Stop with Ctrl-C.")
        # uvicorn's own access log prints whole paths and query strings: ours
        # (isocourse.access) names the route's template only.
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                    server_header=False, access_log=False, proxy_headers=True,
                    forwarded_allow_ips=settings.forwarded_allow_ips)
    finally:
        clinic.close()


def database_ready_or_new(clinic: Clinic) -> None:
    """Fail early, with the one storage error, when the database cannot be reached. A new
    SQLite file is fine (it is created); a missing schema is fine (``migrate`` follows)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from isocourse.domain.errors import StorageUnavailable

    try:
        with clinic.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError:
        raise StorageUnavailable(f"the database cannot be reached "
                                 f"({_describe(clinic.settings)})") from None


def _describe(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}"


def _seed_demo(clinic: Clinic) -> None:
    from isocourse.domain.errors import Conflict
    from isocourse.services.demo import seed_demo_clinic
    from isocourse.services.demo_accounts import DEMO_ACCOUNTS, add_demo_accounts

    try:
        summary = seed_demo_clinic(uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                                   rules=clinic.rules)
    except Conflict:
        output.write_line("The database already holds courses: --demo left it as it is.")
        return
    add_demo_accounts(uows=clinic.uows, clock=clinic.clock,
                      clinic_id=clinic.settings.clinic_id, policy=clinic.security)
    output.write_line(f"Demo clinic created: {summary.patients} patients, "
                      f"{summary.courses} courses, {summary.events} events.")
    output.write_line("Demo accounts (user name / password): " + ", ".join(
        f"{a.username} / {a.password}" for a in DEMO_ACCOUNTS))


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Bring the database schema to the newest revision (safe to repeat)."""
    from isocourse.adapters.db.migrate import current_revision

    clinic = _clinic(load_settings(data_dir=data_dir, database_url=database_url))
    try:
        database_ready_or_new(clinic)
        clinic.migrate()
        output.write_line(f"database at revision {current_revision(clinic.engine)} "
                          f"({_describe(clinic.settings)})")
    finally:
        clinic.close()


@db_app.command("current")
def db_current(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Show the database's schema revision and the newest this isocourse knows."""
    from isocourse.adapters.db.migrate import current_revision, head_revision

    clinic = _clinic(load_settings(data_dir=data_dir, database_url=database_url))
    try:
        database_ready_or_new(clinic)
        current = current_revision(clinic.engine) or "none (empty database)"
        output.write_line(f"current: {current}; newest: {head_revision()}")
    finally:
        clinic.close()


@db_app.command("check")
def db_check(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Check that the models and the migrations agree (``alembic check``), on a database
    upgraded to the newest revision."""
    from alembic.util.exc import AutogenerateDiffsDetected

    from isocourse.adapters.db.migrate import check_models

    clinic = _clinic(load_settings(data_dir=data_dir, database_url=database_url))
    try:
        database_ready_or_new(clinic)
        clinic.migrate()
        try:
            check_models(clinic.engine)
        except AutogenerateDiffsDetected as drift:
            raise InvalidInput(f"the models and the migrations differ: {drift}") from None
        output.write_line("models and migrations agree")
    finally:
        clinic.close()


def backup_command(
    dest: Annotated[Path, typer.Argument(help="File (or folder) to write the backup to.")],
    overwrite: Annotated[bool, typer.Option(help="Replace DEST if it exists.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Copy the SQLite database consistently, even while the server runs."""
    from isocourse.adapters.db.backup import backup_sqlite, postgres_backup_advice
    from isocourse.adapters.db.engine import sqlite_path

    settings = load_settings(data_dir=data_dir, database_url=database_url)
    url = settings.resolved_database_url()
    source = sqlite_path(url)
    if source is None:
        raise InvalidInput(postgres_backup_advice(url))
    if not source.exists():
        raise InvalidInput("there is no database to back up in the data directory",
                           field="data_dir")
    report = backup_sqlite(source, dest, now=dt.datetime.now(dt.UTC), overwrite=overwrite)
    output.write_line(f"backup written: {report.path} ({report.bytes} bytes, schema "
                      f"revision {report.revision})")


def restore_command(
    backup: Annotated[Path, typer.Argument(help="A backup file made by isocourse backup.")],
    force: Annotated[bool, typer.Option(
        help="Replace a database that holds data (a safety copy is kept).")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Put a backup back as the clinic's SQLite database (stop the server first)."""
    from isocourse.adapters.db.backup import postgres_backup_advice, restore_sqlite
    from isocourse.adapters.db.engine import sqlite_path

    settings = load_settings(data_dir=data_dir, database_url=database_url)
    url = settings.resolved_database_url()
    target = sqlite_path(url)
    if target is None:
        raise InvalidInput(postgres_backup_advice(url))
    target.parent.mkdir(parents=True, exist_ok=True)
    report = restore_sqlite(backup, target, force=force, now=dt.datetime.now(dt.UTC))
    output.write_line(f"restored {backup} into {target}" + (
        f" (previous database kept as {report.safety_copy})" if report.safety_copy else ""))
    if report.needs_upgrade:
        output.write_line("the backup is from an older schema: run `isocourse db upgrade` "
                          "(isocourse serve does it when it starts)")
