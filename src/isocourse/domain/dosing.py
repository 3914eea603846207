"""Choosing a daily dose: mg/kg/day × weight, checked against the label, rounded to capsules.

Rules (plan-cli.md; clinical.md §1 and §10; product ranges from the catalog):

* Below the product's usual minimum: allowed, warned as an off-label low dose (low-dose
  regimens of 0.25-0.4 mg/kg/day are published practice: Amichai 2006; Lee 2011).
* Above the usual maximum: only with the severe-disease indication (very severe, scarring
  or truncal disease), and never above the label ceiling.
* The daily target is rounded to the nearest achievable total (ties go lower). If that
  total would exceed the ceiling, the largest achievable total within the ceiling is used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from isocourse.domain.advisories import Advisory
from isocourse.domain.capsules import CapsuleTable, DailyDose, capsule_table
from isocourse.domain.errors import DoseRefused, InvalidInput
from isocourse.domain.products import Product
from isocourse.domain.units import MAX_WEIGHT_KG

__all__ = ["DoseChoice", "Regimen", "choose_daily_dose", "classify_regimen", "table_for"]


class Regimen(StrEnum):
    LOW_DOSE = "low-dose"
    USUAL = "usual"
    SEVERE = "severe"


def table_for(product: Product) -> CapsuleTable:
    """The capsule table of a product, large enough for its ceiling at the heaviest weight."""
    return _table(product.strengths_mg, product.ceiling_mg_per_kg)


@functools.lru_cache(maxsize=64)
def _table(strengths: tuple[int, ...], ceiling_mg_per_kg: Decimal) -> CapsuleTable:
    limit = int(ceiling_mg_per_kg * MAX_WEIGHT_KG) + 2 * strengths[-1]
    return capsule_table(strengths, limit)


def classify_regimen(product: Product, mg_per_kg: Decimal, *, severe: bool) -> Regimen:
    """Which regimen a requested mg/kg/day is, or :class:`DoseRefused` when not allowed."""
    if mg_per_kg <= 0:
        raise InvalidInput("the dose in mg/kg/day must be positive", field="mg_per_kg")
    if mg_per_kg > product.ceiling_mg_per_kg:
        raise DoseRefused(
            f"{mg_per_kg} mg/kg/day is above the label maximum of "
            f"{product.ceiling_mg_per_kg} mg/kg/day for {product.id}"
        )
    if mg_per_kg > product.usual_max_mg_per_kg:
        if not severe:
            raise DoseRefused(
                f"{mg_per_kg} mg/kg/day is above the usual range "
                f"({product.usual_min_mg_per_kg}-{product.usual_max_mg_per_kg}) for "
                f"{product.id}; doses up to {product.ceiling_mg_per_kg} need the "
                "severe-disease indication (--severe)"
            )
        return Regimen.SEVERE
    if mg_per_kg < product.usual_min_mg_per_kg:
        return Regimen.LOW_DOSE
    return Regimen.USUAL


@dataclass(frozen=True, slots=True)
class DoseChoice:
    requested_mg_per_kg: Decimal
    requested_mg: Decimal
    regimen: Regimen
    dose: DailyDose
    warnings: tuple[Advisory, ...]


def choose_daily_dose(
    product: Product, weight_kg: Decimal, mg_per_kg: Decimal, *, severe: bool, label: str = ""
) -> DoseChoice:
    """The daily dose for ``mg_per_kg`` at ``weight_kg``, with the warnings it raises.

    ``label`` names the phase in warnings ("starting dose", "maintenance dose").
    """
    regimen = classify_regimen(product, mg_per_kg, severe=severe)
    which = f"{label}: " if label else ""
    table = table_for(product)
    requested_mg = mg_per_kg * weight_kg
    ceiling_mg = product.ceiling_mg_per_kg * weight_kg
    warnings: list[Advisory] = []
    dose = table.nearest(requested_mg)
    if dose is None or dose.total_mg > ceiling_mg:
        within = table.at_most(ceiling_mg)
        if within is None:
            raise DoseRefused(
                f"{which}no capsule total of {product.id} stays within the label maximum "
                f"of {product.ceiling_mg_per_kg} mg/kg/day at this weight"
            )
        if dose is not None:
            warnings.append(Advisory(
                "rounded-down-to-ceiling",
                f"{which}the nearest capsule total ({dose.total_mg} mg) would exceed the label "
                f"maximum of {product.ceiling_mg_per_kg} mg/kg/day; {within.total_mg} mg is used",
            ))
        dose = within
    actual = Decimal(dose.total_mg) / weight_kg
    if regimen is Regimen.LOW_DOSE:
        warnings.append(Advisory(
            "off-label-low-dose",
            f"{which}{mg_per_kg} mg/kg/day is below the usual range "
            f"({product.usual_min_mg_per_kg}-{product.usual_max_mg_per_kg}); low-dose "
            "regimens (0.25-0.4 mg/kg/day) are published practice but off-label",
        ))
    elif regimen is Regimen.SEVERE:
        warnings.append(Advisory(
            "severe-disease-dose",
            f"{which}{mg_per_kg} mg/kg/day is above the usual range; the label allows up to "
            f"{product.ceiling_mg_per_kg} mg/kg/day for very severe, scarring or truncal disease",
        ))
    elif not product.usual_min_mg_per_kg <= actual <= product.usual_max_mg_per_kg:
        warnings.append(Advisory(
            "achievable-dose-outside-usual-range",
            f"{which}the nearest capsule total, {dose.total_mg} mg/day, is "
            f"{actual:.3f} mg/kg/day, outside the usual range "
            f"({product.usual_min_mg_per_kg}-{product.usual_max_mg_per_kg})",
        ))
    if dose.once_daily:
        advice = (
            "the label does not recommend once-daily dosing"
            if product.once_daily.value == "not-recommended"
            else "the label allows once-daily dosing"
        )
        warnings.append(Advisory(
            "once-daily",
            f"{which}{dose.total_mg} mg/day is below two of the smallest capsule "
            f"({product.smallest_strength_mg} mg) and is given once daily; {advice}",
        ))
    return DoseChoice(
        requested_mg_per_kg=mg_per_kg,
        requested_mg=requested_mg,
        regimen=regimen,
        dose=dose,
        warnings=tuple(warnings),
    )
