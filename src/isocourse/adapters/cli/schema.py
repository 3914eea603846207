"""``isocourse schema course``: the JSON Schema of the course record."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from isocourse.adapters.cli import output


class SchemaName(StrEnum):
    COURSE = "course"


def schema_command(
    name: Annotated[SchemaName, typer.Argument(help="Which schema: course.")],
) -> None:
    """Print a JSON Schema (draft 2020-12) of an isocourse document."""
    from isocourse.domain.record import course_schema

    output.write_json(course_schema())
