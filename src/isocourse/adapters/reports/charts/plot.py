"""Drawing a line chart: axes with ticks and titles, dated series, labelled levels, legend.

One layout for every chart (a 720 × 400 viewBox): the plot area :data:`PLOT`, level labels
in the right margin (moved apart when two levels are close), tick labels and axis titles
below and to the left, the legend at the bottom. Each series is a ``polyline`` (its points
in date order) with markers; each level a full-width line with its own dash pattern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from xml.etree.ElementTree import Element

from isocourse.adapters.reports.charts.model import Level, Series, Style
from isocourse.adapters.reports.charts.scale import (
    Box,
    DateScale,
    ValueScale,
    coord,
    date_ticks,
    decimal_text,
    value_scale,
)
from isocourse.adapters.reports.charts.svg import SvgDocument

__all__ = ["HEIGHT", "PLOT", "WIDTH", "Frame", "render"]

WIDTH, HEIGHT = 720, 400
PLOT = Box(left=72, top=20, right=540, bottom=296)
INK = "#1f1f1f"
GRID = "#d9d9d9"
_LABEL_GAP = 13  # the least vertical distance between two level labels
_CHAR = Fraction(13, 2)  # the width of one character of 12-unit text, roughly


@dataclass(frozen=True, slots=True)
class Frame:
    """What the axes show: titles, the date range and the words inside an empty plot."""

    x_title: str
    y_title: str
    first: dt.date
    last: dt.date
    note: str = ""  # inside an empty plot ("No doses recorded yet")
    margin_note: str = ""  # in the right margin where level labels go ("No threshold")


def render(
    *,
    chart_id: str,
    title: str,
    desc: str,
    frame: Frame,
    series: Sequence[Series],
    levels: Sequence[Level],
) -> str:
    """The chart as SVG markup. Every point must lie within ``frame.first..frame.last``."""
    values = [v for s in series for _, v in s.points] + [level.value for level in levels]
    ys = value_scale(max(values, default=Fraction(0)), top=PLOT.top, bottom=PLOT.bottom)
    xs = DateScale(frame.first, frame.last, PLOT.left, PLOT.right)
    doc = SvgDocument(chart_id=chart_id, width=WIDTH, height=HEIGHT, title=title, desc=desc)
    _axes(doc, xs, ys, frame)
    _levels(doc, ys, levels)
    for one in series:
        _series(doc, xs, ys, one)
    if frame.note:
        doc.add(
            doc.group("note"),
            "text",
            {
                "x": str((PLOT.left + PLOT.right) // 2),
                "y": str((PLOT.top + PLOT.bottom) // 2),
                "text-anchor": "middle",
                "fill": INK,
                "font-size": "14",
            },
            frame.note,
        )
    if frame.margin_note:
        doc.add(
            doc.group("margin-note"),
            "text",
            {
                "x": str(PLOT.right + 6),
                "y": str(PLOT.top + 12),
                "fill": INK,
                "font-size": "11",
                "font-style": "italic",
            },
            frame.margin_note,
        )
    _legend(doc, series)
    return doc.to_string()


def _line(
    doc: SvgDocument,
    parent: Element,
    x1: str,
    y1: str,
    x2: str,
    y2: str,
    stroke: str,
    width: str = "1",
    dash: str = "",
) -> None:
    attrs = {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke, "stroke-width": width}
    if dash:
        attrs["stroke-dasharray"] = dash
    doc.add(parent, "line", attrs)


def _axes(doc: SvgDocument, xs: DateScale, ys: ValueScale, frame: Frame) -> None:
    grid, axes = doc.group("grid"), doc.group("axes")
    left, right, bottom = str(PLOT.left), str(PLOT.right), str(PLOT.bottom)
    for value in ys.ticks():
        y = coord(ys.y(value))
        _line(doc, grid, left, y, right, y, GRID)
        doc.add(
            axes,
            "text",
            {"x": str(PLOT.left - 8), "y": y, "dy": "4", "text-anchor": "end", "fill": INK},
            decimal_text(value),
        )
    for tick in date_ticks(frame.first, frame.last):
        x = coord(xs.x(tick.day))
        _line(doc, axes, x, bottom, x, str(PLOT.bottom + 5), INK)
        label = doc.add(
            axes,
            "text",
            {"x": x, "y": str(PLOT.bottom + 18), "text-anchor": "middle", "fill": INK},
            tick.label,
        )
        if tick.sublabel:
            doc.add(label, "tspan", {"x": x, "dy": "14"}, tick.sublabel)
    _line(doc, axes, left, str(PLOT.top), left, bottom, INK, "1.5")
    _line(doc, axes, left, bottom, right, bottom, INK, "1.5")
    doc.add(
        axes,
        "text",
        {
            "x": str((PLOT.left + PLOT.right) // 2),
            "y": str(PLOT.bottom + 52),
            "text-anchor": "middle",
            "fill": INK,
            "font-weight": "600",
        },
        frame.x_title,
    )
    middle = (PLOT.top + PLOT.bottom) // 2
    doc.add(
        axes,
        "text",
        {
            "x": "18",
            "y": str(middle),
            "text-anchor": "middle",
            "fill": INK,
            "font-weight": "600",
            "transform": f"rotate(-90 18 {middle})",
        },
        frame.y_title,
    )


def _label_positions(wanted: list[Fraction]) -> list[Fraction]:
    """Label baselines near ``wanted`` (sorted top to bottom), at least a line apart."""
    placed: list[Fraction] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + _LABEL_GAP) if placed else y)
    overflow = placed[-1] - (PLOT.bottom + 4) if placed else 0
    if overflow > 0:
        placed = [y - overflow for y in placed]
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - _LABEL_GAP)
    return placed


def _levels(doc: SvgDocument, ys: ValueScale, levels: Sequence[Level]) -> None:
    group = doc.group("levels")
    ordered = sorted(levels, key=lambda level: -level.value)
    lines = [ys.y(level.value) for level in ordered]
    for level, y, label_y in zip(
        ordered, lines, _label_positions([y + 4 for y in lines]), strict=True
    ):
        one = doc.group(level.style.css_class, group)
        _line(
            doc,
            one,
            str(PLOT.left),
            coord(y),
            str(PLOT.right),
            coord(y),
            level.style.stroke,
            level.style.width,
            level.style.dash,
        )
        doc.add(
            one,
            "text",
            {
                "x": str(PLOT.right + 6),
                "y": coord(label_y),
                "fill": level.style.stroke,
                "font-size": "11",
            },
            level.label,
        )


def _marker(doc: SvgDocument, parent: Element, style: Style, x: Fraction, y: Fraction) -> None:
    shape = style.marker or "circle"
    common = {"fill": style.stroke, "stroke": "#ffffff", "stroke-width": "1"}
    if shape == "circle":
        doc.add(parent, "circle", {"cx": coord(x), "cy": coord(y), "r": "4", **common})
    elif shape == "square":
        doc.add(
            parent,
            "rect",
            {"x": coord(x - 4), "y": coord(y - 4), "width": "8", "height": "8", **common},
        )
    else:
        corners = ((x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y))
        doc.add(
            parent,
            "polygon",
            {"points": " ".join(f"{coord(a)},{coord(b)}" for a, b in corners), **common},
        )


def _series(doc: SvgDocument, xs: DateScale, ys: ValueScale, series: Series) -> None:
    group = doc.group(f"series {series.style.css_class}")
    points = [(xs.x(day), ys.y(value)) for day, value in series.points]
    if len(points) > 1:
        attrs = {
            "points": " ".join(f"{coord(x)},{coord(y)}" for x, y in points),
            "fill": "none",
            "stroke": series.style.stroke,
            "stroke-width": series.style.width,
            "stroke-linejoin": "round",
        }
        if series.style.dash:
            attrs["stroke-dasharray"] = series.style.dash
        doc.add(group, "polyline", attrs)
    marked = points if series.marks == "all" else points[-1:]
    if series.style.marker or len(points) == 1:
        for x, y in marked:
            _marker(doc, group, series.style, x, y)


def _legend(doc: SvgDocument, series: Sequence[Series]) -> None:
    group = doc.group("legend")
    x, y = Fraction(PLOT.left), Fraction(HEIGHT - 14)
    for one in series:
        width = 40 + _CHAR * len(one.label) + 24
        if x + width > WIDTH and x > PLOT.left:
            x, y = Fraction(PLOT.left), y - 18
        _line(
            doc,
            group,
            coord(x),
            coord(y - 4),
            coord(x + 32),
            coord(y - 4),
            one.style.stroke,
            one.style.width,
            one.style.dash,
        )
        if one.style.marker:
            _marker(doc, group, one.style, x + 16, y - 4)
        doc.add(group, "text", {"x": coord(x + 40), "y": coord(y), "fill": INK}, one.label)
        x += width
