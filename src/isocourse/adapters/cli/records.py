"""Reading a course record file for the CLI: JSON errors and record problems, no traceback."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
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
        # Exact digits (Decimal), and a repeated key is an error: json.loads would keep the
        # last one silently, so "result": "negative", "result": "positive" would pass.
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as exc:
        # The position only: the text around it may be patient data.
        raise RecordError([Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno} "
                                       f"column {exc.colno}")]) from None


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise RecordError([Problem("", f"the key {key!r} appears twice in one object")])
        document[key] = value
    return document


def read_record(path: str, catalog: Catalog) -> CourseRecord:
    return parse_record(read_json(path), known_products=catalog.products)
