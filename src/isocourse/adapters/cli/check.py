"""``isocourse check``: assess a course record as of a date (the safety engine)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from isocourse.adapters.cli import output
from isocourse.adapters.cli.parsing import date_option, today
from isocourse.adapters.cli.plan import Format
from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.errors import InvalidInput

if TYPE_CHECKING:  # the engine is imported when a check runs, not when the CLI starts
    from isocourse.rules.model import Assessment


def effective_dates(values: list[str] | None) -> dict[str, dt.date]:
    dates = {}
    for value in values or []:
        name, _, day = value.partition("=")
        if not name or not day:
            raise InvalidInput("--effective-date: expected PACK=YYYY-MM-DD, e.g. "
                               "us-ipledge@2026-08-08=2026-11-15")
        dates[name] = date_option(day, "--effective-date")
    return dates


def check_command(
    record: Annotated[str, typer.Argument(help="Course record JSON file ('-' for stdin).")],
    on: Annotated[str | None, typer.Option(help="Assess as of this date (YYYY-MM-DD); "
                                                "default today.")] = None,
    rules_dir: Annotated[Path | None, typer.Option(
        help="A folder of extra rule packs (*.toml) to load beside the built-in ones.")] = None,
    effective_date: Annotated[list[str] | None, typer.Option(
        help="Move a pack's go-live date: PACK=DATE (repeatable).")] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
) -> None:
    """Check a course record: may a pharmacist dispense today, what is wrong, what is due."""
    from isocourse.adapters.cli.records import read_record
    from isocourse.rules.engine import assess
    from isocourse.rules.output import assessment_to_json

    day = date_option(on, "--on") if on else today()
    catalog = load_catalog()
    library = load_rule_library(rules_dir, effective_dates(effective_date))
    assessment = assess(read_record(record, catalog), on=day, library=library, catalog=catalog)
    if format is Format.JSON:
        output.write_json(assessment_to_json(assessment))
    else:
        write_report(assessment)


def write_report(assessment: Assessment) -> None:
    verdict = "DISPENSE ALLOWED" if assessment.dispense_allowed else "DO NOT DISPENSE"
    output.write_line(f"{verdict} on {assessment.as_of.isoformat()} "
                      f"(rules: {', '.join(assessment.rule_sets)})")
    window = assessment.window
    output.write_line("Window: " + (f"{window.start.isoformat()} to {window.end.isoformat()} "
                                    f"({window.kind})" if window else "none open"))
    cumulative = assessment.cumulative
    output.write_line(f"Cumulative dose: {cumulative.mg:f} mg = {cumulative.mg_per_kg:.1f} "
                      f"mg/kg ({cumulative.basis} basis)")
    if assessment.findings:
        output.write_table("Findings", ["severity", "rule", "finding", "source"], [
            [f.severity.value, f.rule_id, f.message, f.source] for f in assessment.findings])
    else:
        output.write_line("No findings.")
    if assessment.due:
        output.write_table("Due", ["by", "what", "why"], [
            [d.due_date.isoformat(),
             d.item + (f" ({', '.join(d.analytes)})" if d.analytes else ""), d.reason]
            for d in assessment.due])
