"""Reading a course record file for the CLI: JSON errors and record problems, no traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from isocourse.domain.errors import InvalidInput, Problem, RecordError
from isocourse.domain.products import Catalog
from isocourse.domain.record import CourseRecord, parse_record


def read_json(path: str) -> Any:
    """The JSON document in ``path`` (``-`` for standard input)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="record") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text", field="record") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # The position only: the text around it may be patient data.
        raise RecordError([Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno} "
                                       f"column {exc.colno}")]) from None


def read_record(path: str, catalog: Catalog) -> CourseRecord:
    return parse_record(read_json(path), known_products=catalog.products)
