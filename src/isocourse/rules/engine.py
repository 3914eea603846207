"""``assess(record, on=…)``: the safety engine. Pure and deterministic: no clock, no I/O.

The programme's rule pack in force on ``on`` (chosen by the course's jurisdiction) and the
monitoring pack in force on ``on`` are applied to the facts of the course as of that day.
Each rule adds findings and due items; the programme's window rule sets the window. Any
``block`` or ``urgent`` finding means ``dispense_allowed`` is false.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.errors import InvalidInput
from isocourse.domain.products import Catalog, Family, Product
from isocourse.domain.record import CourseRecord
from isocourse.rules.facts import CourseFacts
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import Assessment, Cumulative, DueItem, Finding, Window
from isocourse.rules.registry import lookup

__all__ = ["MONITORING", "assess"]

#: The programme name of the monitoring packs (labs, mood, side effects) shared by all.
MONITORING = "monitoring"


def _basis(product: Product | None) -> CumulativeBasis:
    # Micronized products count conventional-equivalent mg, as the planner does (ADR 0002).
    if product is not None and product.family is Family.MICRONIZED:
        return CumulativeBasis.EQUIVALENT
    return CumulativeBasis.RAW


def assess(record: CourseRecord, *, on: dt.date, library: RuleLibrary,
           catalog: Catalog | None = None) -> Assessment:
    """Assess a course as of ``on`` with the rules in force that day."""
    product = None
    if catalog is not None:
        try:
            product = catalog.get(record.course.product)
        except InvalidInput:
            product = None  # the record parser checks product ids; tolerate a foreign one
    facts = CourseFacts(record, on, product, _basis(product))
    jurisdiction = record.course.jurisdiction.value
    programme = library.in_force(jurisdiction, on)
    packs = [programme]
    if library.versions(MONITORING):
        packs.append(library.in_force(MONITORING, on))

    findings: list[Finding] = []
    due: list[DueItem] = []
    window: Window | None = None
    for pack in packs:
        for spec in pack.rules:
            if not spec.applies_to.applies(facts.can_get_pregnant):
                continue
            result = lookup(spec.kind).run(facts, spec)
            findings.extend(result.findings)
            due.extend(result.due)
            if result.window is not None and window is None:
                window = result.window

    findings.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.message))
    due.sort(key=lambda d: (d.due_date, d.item, d.rule_id))
    totals = facts.cumulative
    per_kg = Decimal(totals.mg_per_kg.numerator) / Decimal(totals.mg_per_kg.denominator)
    return Assessment(
        as_of=on,
        jurisdiction=jurisdiction,
        rule_set=programme.name,
        rule_sets=tuple(p.name for p in packs),
        dispense_allowed=not any(f.severity.stops_dispensing for f in findings),
        window=window,
        cumulative=Cumulative(mg=totals.mg, mg_per_kg=per_kg, basis=facts.basis.value),
        findings=tuple(findings),
        due=tuple(_unique(due)),
    )


def _unique(items: list[DueItem]) -> list[DueItem]:
    """One entry per (item, date, analytes): two rules asking for the same test on the same
    day are one thing to do."""
    seen: set[tuple[str, dt.date, tuple[str, ...]]] = set()
    unique = []
    for item in items:
        key = (item.item, item.due_date, item.analytes)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
