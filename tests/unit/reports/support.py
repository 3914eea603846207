"""Building records for the report tests, and reading the SVG the charts draw."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.planner import Plan, PlanRequest, plan_course
from isocourse.domain.products import Catalog
from isocourse.domain.record import CourseRecord, parse_record
from isocourse.rules.library import RuleLibrary
from tests.spec.harness import course

__all__ = [
    "CATALOG",
    "LIBRARY",
    "NS",
    "day",
    "level_values",
    "parse_svg",
    "plan",
    "record",
    "series_points",
]

NS = "{http://www.w3.org/2000/svg}"
CATALOG: Catalog = load_catalog()
LIBRARY: RuleLibrary = load_rule_library()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def record(events: Sequence[Mapping[str, Any]] = (), **course_fields: Any) -> CourseRecord:
    """A course record (through the real parser) with the harness's defaults."""
    document = course(events=events, **course_fields)
    return parse_record(json.loads(json.dumps(document)), known_products=CATALOG.products)


def plan(
    start: str = "2026-01-01",
    *,
    weight: str = "60",
    mg_per_kg: str = "1",
    product: str = "us-conventional",
    target: str = "120",
) -> Plan:
    return plan_course(
        PlanRequest(
            product,
            Decimal(weight),
            Decimal(mg_per_kg),
            day(start),
            target_mg_per_kg=Decimal(target),
        ),
        CATALOG,
    )


def parse_svg(svg: str) -> ET.Element:
    """The SVG parsed as XML (raises if it is not well formed)."""
    return ET.fromstring(svg)


def series_points(svg: str, css_class: str) -> list[tuple[Fraction, Fraction]]:
    """The vertices of a series' polyline, or its marker's centre when it has one point."""
    root = parse_svg(svg)
    for group in root.iter(f"{NS}g"):
        if group.get("class") == f"series {css_class}":
            line = group.find(f"{NS}polyline")
            if line is not None:
                pairs = (p.split(",") for p in line.get("points", "").split())
                return [(Fraction(x), Fraction(y)) for x, y in pairs]
            circle = group.find(f"{NS}circle")
            assert circle is not None
            return [(Fraction(circle.get("cx", "")), Fraction(circle.get("cy", "")))]
    return []


def level_values(svg: str) -> dict[str, list[str]]:
    """The label of every level line, by the line's class."""
    root = parse_svg(svg)
    found: dict[str, list[str]] = {}
    for levels in root.iter(f"{NS}g"):
        if levels.get("class") != "levels":
            continue
        for group in levels.findall(f"{NS}g"):
            text = group.find(f"{NS}text")
            assert text is not None and text.text is not None
            found.setdefault(group.get("class", ""), []).append(text.text)
    return found
