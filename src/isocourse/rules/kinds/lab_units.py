"""Pure lab arithmetic: lipid unit conversion and CTCAE grading of liver enzymes.

No rule kinds live here; the lab kinds (``labs.py``) call these functions with the factors
and bounds of their rule pack, so every number has its provenance in the pack.

Exactness (the house rule "numbers that matter are exact"): values are :class:`Decimal`.
A conversion from mg/dL to mmol/L is a multiplication by the pack's factor (TG × 0.0113,
cholesterol × 0.0259; clinical.md §5.3), which is exact in ``Decimal``. Comparisons are made
in mmol/L by multiplying *both* sides by the same factor, so "value ≥ threshold" in mmol/L
gives exactly the answer "value ≥ threshold" gives in mg/dL: there is no rounding at a
boundary. The reverse conversion (mmol/L → mg/dL, a division) is used only to *show* a value,
rounded to whole mg/dL with ROUND_HALF_EVEN.

CTCAE v5 grades ALT/AST by multiples of the upper limit of normal: grade 1 >ULN–3×ULN,
grade 2 >3–5×, grade 3 >5–20×, grade 4 >20× (clinical.md §5.2). Each range is open at its
lower end, so a value exactly at 3×ULN is grade 1 and exactly at 5×ULN is grade 2. The test
``value > k × ULN`` is a multiplication, never a division, so 120 U/L with ULN 40 is exactly
3.0× (grade 1), not 2.9999….
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from isocourse.domain.record import LabUnit

__all__ = [
    "as_mmol_per_l",
    "ctcae_grade",
    "mg_per_dl_for_display",
    "plain",
]


def as_mmol_per_l(value: Decimal, unit: LabUnit, factor: Decimal) -> Decimal:
    """A lipid value in mmol/L: mg/dL values × ``factor`` (exact); mmol/L values as given."""
    if unit is LabUnit.MG_PER_DL:
        return value * factor
    if unit is LabUnit.MMOL_PER_L:
        return value
    raise ValueError(f"{unit.value} is not a lipid unit")


def mg_per_dl_for_display(mmol: Decimal, factor: Decimal) -> Decimal:
    """A mmol/L value shown in mg/dL, to the whole unit (display only, never compared)."""
    return (mmol / factor).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)


def ctcae_grade(value: Decimal, uln: Decimal, bounds: Sequence[Decimal]) -> int:
    """The CTCAE grade of an enzyme value: how many of the multiples ``bounds`` (ascending,
    CTCAE v5: 1, 3, 5, 20) the value is strictly above, as multiples of ``uln``.

    0 means at or below the ULN (normal). Monotonic in ``value`` by construction.
    """
    if uln <= 0:
        raise ValueError("the upper limit of normal must be positive")
    return sum(1 for multiple in bounds if value > multiple * uln)


def plain(value: Decimal) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros (``9.0400`` → ``9.04``,
    ``500`` → ``500``)."""
    return format(value.normalize(), "f")
