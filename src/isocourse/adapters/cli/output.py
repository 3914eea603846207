"""The CLI's output layer: the one place that writes to stdout and stderr.

JSON goes out with ``json`` only (fast to import); tables use Rich, imported when a table
is actually drawn so that ``--format json`` starts quickly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any


def write_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def write_line(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def write_error(text: str) -> None:
    """One line on stderr: errors never print a traceback."""
    sys.stderr.write(f"isocourse: error: {text}\n")


def write_table(
    title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]],
    *, right_align: Sequence[int] = (),
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    for index, column in enumerate(columns):
        table.add_column(column, justify="right" if index in right_align else "left")
    for row in rows:
        table.add_row(*row)
    # Piped output is not wrapped to 80 columns: scripts and tests read whole lines.
    width = None if sys.stdout.isatty() else 160
    Console(soft_wrap=False, width=width).print(table)
