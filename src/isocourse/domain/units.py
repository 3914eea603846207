"""Exact quantities: body weight, doses in mg/kg/day, and the parsing of numbers people type.

Every clinical quantity is a :class:`~decimal.Decimal` parsed from its text (never from a
float), so ``0.1 + 0.2`` style drift cannot change a dose, a target or a day count.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum

from isocourse.domain.errors import InvalidInput

__all__ = [
    "LB_IN_KG",
    "MAX_WEIGHT_KG",
    "MIN_WEIGHT_KG",
    "WeightUnit",
    "ceil_div",
    "parse_decimal",
    "to_json_float",
    "to_json_number",
    "weight_in_kg",
]

#: 1 lb = 0.45359237 kg exactly (international yard and pound agreement, 1959).
LB_IN_KG = Decimal("0.45359237")

#: Weights outside this range are refused as implausible input (plan-cli.md).
MIN_WEIGHT_KG = Decimal(20)
MAX_WEIGHT_KG = Decimal(250)


class WeightUnit(StrEnum):
    KG = "kg"
    LB = "lb"


def parse_decimal(text: str | int | float | Decimal, *, field: str) -> Decimal:
    """Read a finite decimal number from text a person typed (or a JSON number).

    Floats are read through their shortest repr, so ``0.5`` becomes ``Decimal("0.5")``.
    """
    if isinstance(text, bool):
        raise InvalidInput(f"{field}: expected a number", field=field)
    raw = text if isinstance(text, Decimal) else str(text).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"{field}: {text!r} is not a number", field=field) from None
    if not value.is_finite():
        raise InvalidInput(f"{field}: {text!r} is not a finite number", field=field)
    return value


def weight_in_kg(weight: Decimal, unit: WeightUnit) -> Decimal:
    """Convert a body weight to kg and check it is plausible (20-250 kg)."""
    kg = weight * LB_IN_KG if unit is WeightUnit.LB else weight
    if not MIN_WEIGHT_KG <= kg <= MAX_WEIGHT_KG:
        raise InvalidInput(
            f"weight must be between {MIN_WEIGHT_KG} and {MAX_WEIGHT_KG} kg "
            f"(got {weight} {unit.value})",
            field="weight",
        )
    return kg


def ceil_div(numerator: Decimal, denominator: Decimal) -> int:
    """The smallest whole n with ``n × denominator ≥ numerator`` (both positive), exactly.

    ``divmod`` on Decimals gives an exact integer quotient and remainder, so no rounding of
    a long quotient can move the answer by a day.
    """
    quotient, remainder = divmod(numerator, denominator)
    return int(quotient) + (1 if remainder > 0 else 0)


def to_json_number(value: Decimal, places: int = 3) -> int | float:
    """A Decimal for JSON output: an int when whole, else a float rounded to ``places``.

    Only for output; computations keep the exact Decimal.
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def to_json_float(value: Decimal, places: int = 3) -> float:
    """A Decimal for JSON output as a float rounded to ``places`` (``60`` → ``60.0``),
    for quantities the contract writes as floats (weights, mg/kg)."""
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
