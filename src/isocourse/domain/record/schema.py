"""The JSON Schema (draft 2020-12) of the course-record format.

The schema is a data file beside this module, so that it can be read, diffed and served
as-is (``isocourse schema course`` prints it). It states the structure that
:func:`~isocourse.domain.record.parse.parse_record` checks; rules across members that a
schema cannot state (date order, unique ids, corrections, real calendar dates, catalog
product ids) are listed in its ``description``. Tests keep the two in agreement.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["SCHEMA_FILE", "course_schema"]

SCHEMA_FILE = "course.schema.json"


def course_schema() -> dict[str, Any]:
    """The schema as a fresh dict (callers may change their copy without affecting others)."""
    text = resources.files("isocourse.domain.record").joinpath(SCHEMA_FILE).read_text(
        encoding="utf-8"
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
