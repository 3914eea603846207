"""``isocourse users ...`` and ``isocourse audit verify``: the server operator's commands for
accounts and the audit trail. They act as an admin of the configured clinic and are
recorded in the audit trail like any request (``via`` = ``cli``).

Passwords are never taken as command-line arguments (they would stay in the shell's
history and be visible to other users in the process list): they are asked for twice
without echo, read from standard input with ``--password-stdin``, or generated with
``--generate`` and shown once.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from isocourse.adapters.cli import exit_codes, output
from isocourse.adapters.cli.server import (
    DatabaseUrl,
    DataDir,
    _clinic,
    database_ready_or_new,
    load_settings,
)
from isocourse.domain.errors import InvalidInput

if TYPE_CHECKING:
    from isocourse.bootstrap import Clinic
    from isocourse.services.ports import UnitOfWorkFactory

users_app = typer.Typer(help="Accounts: add, list, disable, reset a password.",
                        no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)

T = TypeVar("T")

PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from standard input (one line).")]
Generate = Annotated[bool, typer.Option(
    "--generate", help="Make a random password and show it once.")]


@contextmanager
def _operating(data_dir: object, database_url: object) -> Iterator[Clinic]:
    clinic = _clinic(load_settings(data_dir=data_dir, database_url=database_url))
    try:
        database_ready_or_new(clinic)
        clinic.migrate()
        yield clinic
    finally:
        clinic.close()


def _audited(clinic: Clinic, action: str, target: str,
             use: Callable[[UnitOfWorkFactory], T]) -> T:
    """Run ``use`` with units of work that record the command in the audit trail."""
    from isocourse.services.audit import AccessContext

    operator = clinic.operator
    access = AccessContext(action=action, target=target, via="cli", actor_id=operator.id,
                           role=operator.role, clinic_id=operator.clinic_id)
    uows = clinic.uows.for_access(access, clinic.clock.now)
    try:
        result = use(uows)
    except Exception:
        clinic.uows.record(access, at=clinic.clock.now(), status=None)
        raise
    if access.pending:
        clinic.uows.record(access, at=clinic.clock.now(), status=None)
    return result


def _password(stdin: bool, generate: bool) -> tuple[str, bool]:
    """The new password, and whether it was generated (and must be shown)."""
    if stdin and generate:
        raise InvalidInput("give either --password-stdin or --generate", field="password")
    if generate:
        return "-".join(secrets.token_urlsafe(6) for _ in range(4)), True
    if stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n"), False
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        raise InvalidInput("the two passwords differ", field="password")
    return str(first), False


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name: lower-case letters, digits, "
                                                 "'.', '_' or '-'.")],
    role: Annotated[str, typer.Option(help="admin, prescriber, delegate, pharmacist or "
                                           "patient.")],
    name: Annotated[str, typer.Option("--name", help="The name shown to others.")],
    patient: Annotated[str | None, typer.Option(
        help="For a patient account: the clinic's patient id of their record.")] = None,
    on_behalf_of: Annotated[str | None, typer.Option(
        "--for", help="For a delegate: the user name of the prescriber they record for.")]
        = None,
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add an account to the clinic."""
    from isocourse.services.security.accounts import NewUser, add_user

    password, show = _password(password_stdin, generate)
    with _operating(data_dir, database_url) as clinic:
        user = _audited(clinic, "users.add", f"/users/{username}", lambda uows: add_user(
            NewUser(username=username, display_name=name, role=role, password=password,
                    patient_external_id=patient, on_behalf_of=on_behalf_of),
            uows=uows, clock=clinic.clock, actor=clinic.operator, policy=clinic.security))
    output.write_line(f"added {user.username} ({user.role})")
    if show:
        output.write_line(f"password (shown once): {password}")


@users_app.command("list")
def users_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List the clinic's accounts."""
    from isocourse.services.security.accounts import list_users

    with _operating(data_dir, database_url) as clinic:
        users = _audited(clinic, "users.list", "/users", lambda uows: list_users(
            uows=uows, actor=clinic.operator))
    output.write_table(None, ["user name", "role", "name", "status", "since"], [
        [u.username, u.role, u.display_name, "active" if u.active else "disabled",
         u.created_at.date().isoformat()] for u in users])


@users_app.command("disable")
def users_disable(username: str, data_dir: DataDir = None,
                  database_url: DatabaseUrl = None) -> None:
    """Disable an account: it cannot sign in, and its sessions and tokens end now."""
    from isocourse.services.security.accounts import disable_user

    with _operating(data_dir, database_url) as clinic:
        user = _audited(clinic, "users.disable", f"/users/{username}", lambda uows:
                        disable_user(username, uows=uows, clock=clinic.clock,
                                     actor=clinic.operator))
    output.write_line(f"disabled {user.username}; their sessions and API tokens ended")


@users_app.command("reset-password")
def users_reset_password(username: str, password_stdin: PasswordStdin = False,
                         generate: Generate = False, data_dir: DataDir = None,
                         database_url: DatabaseUrl = None) -> None:
    """Set a new password; the account's sessions and API tokens end."""
    from isocourse.services.security.accounts import reset_password

    password, show = _password(password_stdin, generate)
    with _operating(data_dir, database_url) as clinic:
        user = _audited(clinic, "users.reset_password", f"/users/{username}", lambda uows:
                        reset_password(username, password, uows=uows, clock=clinic.clock,
                                       actor=clinic.operator, policy=clinic.security))
    output.write_line(f"new password set for {user.username}; their sessions and API "
                      "tokens ended")
    if show:
        output.write_line(f"password (shown once): {password}")


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Check the audit trail's hash chain: every entry unchanged, none removed or added.
    Exit status 8 when it is broken. Keep the printed head hash somewhere else now and
    then: a later check that still contains it proves nothing before it was rewritten."""
    from isocourse.services.access_log import verify_audit

    with _operating(data_dir, database_url) as clinic:
        report = verify_audit(uows=clinic.uows, actor=clinic.operator)
    if report.intact:
        output.write_line(f"audit trail intact: {report.entries} entries; head "
                          f"{report.head_seq} {report.head_hash}")
        return
    output.write_line(f"audit trail BROKEN: {len(report.problems)} problem(s) in "
                      f"{report.entries} entries")
    for problem in report.problems:
        output.write_line(f"  {problem}")
    raise typer.Exit(exit_codes.AUDIT_BROKEN)
