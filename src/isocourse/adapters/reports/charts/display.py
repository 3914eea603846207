"""How the charts write numbers, with the rounding rule next to the code that applies it.

* mg/kg: 2 decimal places, half to even, computed as the assessment JSON does
  (:mod:`isocourse.rules.output`): the exact fraction written as a Decimal, then quantized.
  So a chart and the assessment on the same page never disagree in the last digit.
* mg, lab values, thresholds: as recorded or as the rule pack writes them, with no
  trailing zeros (:func:`~isocourse.rules.kinds.lab_units.plain`).
* ratios to the upper limit of normal: 2 decimal places rounded *up*, as the liver-enzyme
  rule's messages do, so a value just above 3×ULN never reads "3".
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from isocourse.rules.kinds.lab_units import plain

__all__ = ["MG_PER_KG_ROUNDING", "mg_per_kg", "plain", "ratio", "to_decimal"]

MG_PER_KG_ROUNDING = "mg/kg values are rounded to 0.01, half to even"
_HUNDREDTH = Decimal("0.01")


def to_decimal(value: Fraction) -> Decimal:
    """The fraction as a Decimal (exact for the terminating fractions the charts produce;
    28 significant digits otherwise, as the engine's own conversion)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def mg_per_kg(value: Fraction) -> str:
    """``12.345…`` → ``"12.35"`` (see the module docstring)."""
    return str(to_decimal(value).quantize(_HUNDREDTH, rounding=ROUND_HALF_EVEN))


def ratio(value: Fraction) -> str:
    """A multiple of the upper limit of normal, rounded up to 0.01: ``3.001`` → ``"3.01"``."""
    return plain(to_decimal(value).quantize(_HUNDREDTH, rounding=ROUND_CEILING))
