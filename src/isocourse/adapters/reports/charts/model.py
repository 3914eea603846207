"""What a chart is made of, and what it gives back to a page.

A :class:`Chart` is the drawing (``svg``, inline markup) plus the same numbers as a table
(``columns`` and ``rows``, already formatted as text): a page shows the table visually hidden
beside the drawing, or printed under it, so the data reach screen-reader and keyboard users
and survive a black-and-white print. ``summary`` is the chart's ``<desc>`` in words.

Styles never rely on colour alone: each kind of line has its own dash pattern and marker,
and every colour has at least 4.5:1 contrast on white (WCAG 2.1 AA for text, which the
direct labels are).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "ACTUAL",
    "BLOCK",
    "INFO",
    "LAB_RESULTS",
    "PLANNED",
    "PROJECTION",
    "REFERENCE",
    "TARGET",
    "WARNING",
    "Chart",
    "Level",
    "Series",
    "Style",
]


@dataclass(frozen=True, slots=True)
class Chart:
    """A rendered chart. ``chart_id`` is the SVG element's id (unique on its page); the
    ``<title>`` and ``<desc>`` ids are ``{chart_id}-title`` and ``{chart_id}-desc``."""

    chart_id: str
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    svg: str


@dataclass(frozen=True, slots=True)
class Style:
    """How one kind of line is drawn: ``dash`` is an SVG ``stroke-dasharray`` ("" = solid),
    ``marker`` one of ``circle``, ``square``, ``diamond`` or "" (none)."""

    css_class: str
    stroke: str
    width: str
    dash: str = ""
    marker: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """A line through dated values; ``marks`` is ``all`` (a marker on every point) or
    ``last`` (on the last point only)."""

    label: str
    style: Style
    points: tuple[tuple[dt.date, Fraction], ...]
    marks: str = "all"


@dataclass(frozen=True, slots=True)
class Level:
    """A horizontal line across the plot (a target, a threshold), labelled at its end."""

    value: Fraction
    label: str
    style: Style


# Colours: contrast on white ≥ 4.5:1 (blue 8.2, purple 9.0, grey 7.5, green 7.4,
# brown 6.6, red 6.9).
ACTUAL = Style("actual", "#0b4f8a", "2.5", "", "circle")
PROJECTION = Style("projection", "#0b4f8a", "2", "7 5", "diamond")
PLANNED = Style("planned", "#4d4d4d", "2", "2 4", "diamond")
TARGET = Style("target", "#5b1a8c", "2", "14 4 3 4")
REFERENCE = Style("reference", "#4d4d4d", "1.5", "3 3")
LAB_RESULTS = Style("results", "#0b4f8a", "2", "", "circle")
INFO = Style("threshold-info", "#1e6b34", "1.5", "2 3")
WARNING = Style("threshold-warning", "#8a4300", "2", "8 4")
BLOCK = Style("threshold-block", "#a3001b", "2.5", "14 4 3 4")
