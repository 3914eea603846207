"""The words the course page and the summary use for the record's codes: event types, due
items, severities, capsules. Plain English, no clinical numbers (those come from the record,
the catalog and the rule packs)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from isocourse.adapters.reports.charts.labs import ANALYTE_NAMES
from isocourse.domain.capsules import CapsuleCount, DailyDose
from isocourse.domain.products import Food, Product
from isocourse.domain.record import LabAnalyte
from isocourse.rules.model import Severity

__all__ = [
    "DUE_NAMES",
    "EVENT_NAMES",
    "SEVERITY_NAMES",
    "analyte_names",
    "capsule_text",
    "dose_words",
    "due_item_name",
    "food_words",
    "words",
]

EVENT_NAMES = {
    "enrollment": "Enrolment",
    "risk_acknowledgement": "Risk acknowledgement",
    "counseling": "Counselling",
    "comprehension": "Comprehension questions",
    "contraception": "Contraception",
    "pregnancy_test": "Pregnancy test",
    "lab": "Lab result",
    "weight": "Weight",
    "prescription": "Prescription",
    "dispense": "Dispense",
    "dose": "Dose diary",
    "phq2": "PHQ-2 mood screen",
    "phq9": "PHQ-9 mood check",
    "side_effect": "Side effect",
    "sexual_function_check": "Sexual-function assessment",
    "mental_health_check": "Mental-health assessment",
    "prescriber_agreement": "Second prescriber's agreement",
    "course_end": "Course ended",
}

#: The due items' names (the engine's ``DueItem.item`` codes), shared by every page.
DUE_NAMES = {
    "pregnancy_test": "Pregnancy test",
    "lab": "Blood tests",
    "phq9": "PHQ-9 mood check",
    "comprehension": "Comprehension questions",
    "counseling": "Counselling",
    "visit": "Visit",
    "mental_health_check": "Mental-health assessment",
    "sexual_function_check": "Sexual-function assessment",
    "risk_acknowledgement": "Risk acknowledgement form",
}

#: What each severity means for the course, in the words the page shows.
SEVERITY_NAMES = {
    Severity.URGENT: "Urgent",
    Severity.BLOCK: "Blocks dispensing",
    Severity.WARNING: "Warning",
    Severity.INFO: "Information",
}


def words(code: str) -> str:
    """A code as words: ``dry-skin`` → ``dry skin``."""
    return code.replace("_", " ").replace("-", " ")


def due_item_name(item: str) -> str:
    return DUE_NAMES.get(item, words(item).capitalize())


def analyte_names(codes: Iterable[str]) -> list[str]:
    """``["alt", "triglycerides"]`` → ``["ALT", "Triglycerides"]`` (unknown codes as words)."""
    names = []
    for code in codes:
        try:
            names.append(ANALYTE_NAMES[LabAnalyte(code)])
        except ValueError:
            names.append(words(code))
    return names


def capsule_text(counts: Sequence[CapsuleCount] | Sequence[Sequence[int]]) -> str:
    """``1 × 20 mg + 1 × 10 mg``; ``none`` for no capsules."""
    pairs = [(c.strength_mg, c.count) if isinstance(c, CapsuleCount) else (c[0], c[1])
             for c in counts]
    if not pairs:
        return "none"
    return " + ".join(f"{n} × {mg} mg" for mg, n in pairs)


def dose_words(dose: DailyDose) -> tuple[str, str]:
    """The morning and evening capsules of a day's dose, as text."""
    return capsule_text(dose.am), capsule_text(dose.pm)


def food_words(product: Product | None) -> str:
    """How the product is taken with respect to food (from the catalog's ``food``)."""
    if product is None:
        return ""
    if product.food is Food.WITH_FOOD:
        return "Take with food."
    return "Can be taken with or without food."
