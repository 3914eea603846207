"""The ``isocourse`` command: one Typer app; errors become one line and a stable exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import typer

from isocourse.adapters.cli import exit_codes, output
from isocourse.adapters.cli.accounts import audit_app, users_app
from isocourse.adapters.cli.check import check_command
from isocourse.adapters.cli.export import export_command
from isocourse.adapters.cli.plan import plan_command
from isocourse.adapters.cli.products import products_command
from isocourse.adapters.cli.rules import rules_app
from isocourse.adapters.cli.schema import schema_command
from isocourse.adapters.cli.server import (
    backup_command,
    db_app,
    restore_command,
    serve_command,
)
from isocourse.domain.errors import IsocourseError

app = typer.Typer(
    name="isocourse",
    help="isocourse: plan and run isotretinoin courses.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("plan")(plan_command)
app.command("products")(products_command)
app.command("check")(check_command)
app.add_typer(rules_app, name="rules")
app.command("schema")(schema_command)
app.command("serve")(serve_command)
app.add_typer(db_app, name="db")
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.command("export")(export_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return (and, as a console script, exit with) a stable exit status."""
    command = typer.main.get_command(app)
    try:
        # Outside standalone mode click returns a command's typer.Exit code instead of
        # raising it.
        returned = command.main(args=list(argv) if argv is not None else None,
                                prog_name="isocourse", standalone_mode=False)
    except IsocourseError as error:
        output.write_error(error.message)
        return (error.exit_code)
    except typer.Exit as done:
        return (done.exit_code)
    except typer.Abort:
        return (exit_codes.INTERRUPTED)
    except typer.TyperException as error:  # a usage error from the option parser
        format_message = getattr(error, "format_message", None)
        output.write_error(format_message() if callable(format_message) else str(error))
        return (getattr(error, "exit_code", exit_codes.INVALID_INPUT))
    except KeyboardInterrupt:
        return (exit_codes.INTERRUPTED)
    except Exception as error:
        if os.environ.get("ISOCOURSE_DEBUG"):
            raise
        output.write_error(
            f"internal error ({type(error).__name__}); this is a bug in isocourse. "
            "Run again with ISOCOURSE_DEBUG=1 to see the details.")
        return (exit_codes.INTERNAL_ERROR)
    return returned if isinstance(returned, int) else exit_codes.OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
