"""Cumulative dose: how much isotretinoin a course has given, and when it reaches its target.

Two views of the same arithmetic:

* :class:`DoseSchedule` looks forward: segments of daily doses (a titration, then a
  maintenance dose, possibly alternating between two totals) and the first day on which the
  running total reaches an amount.
* :class:`CumulativeLedger` looks back: periods of daily dose with the weight that applied,
  giving mg and mg/kg to a date, what remains of a target, and the projected end date at the
  current dose and at a given adherence.

Counting basis. For micronized products the running total can be counted as raw mg or as
conventional-equivalent mg (raw ÷ the family's equivalence factor, 0.8); see
docs/adr/0002-micronized-cumulative-basis.md. Everything here takes *counted* mg per day,
so the basis is applied once, by :func:`counted_mg`.

Exactness: Decimal for mg and kg, :class:`~fractions.Fraction` where a sum of quotients
(mg/kg over periods of different weights) must not drift. A target counts as reached on the
first day the running total is ≥ the target (clinical.md §10).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from isocourse.domain.errors import InvalidInput
from isocourse.domain.units import ceil_div

__all__ = [
    "CumulativeBasis",
    "CumulativeLedger",
    "CumulativeTotals",
    "DosePeriod",
    "DoseSchedule",
    "Projection",
    "Segment",
    "counted_mg",
]


class CumulativeBasis(StrEnum):
    RAW = "raw"
    EQUIVALENT = "equivalent"


def counted_mg(mg: Decimal | int, basis: CumulativeBasis, equivalence_factor: Decimal) -> Decimal:
    """The mg that count toward the target: raw, or raw ÷ factor on the equivalent basis."""
    amount = Decimal(mg)
    return amount / equivalence_factor if basis is CumulativeBasis.EQUIVALENT else amount


@dataclass(frozen=True, slots=True)
class Segment:
    """``days`` days (None: open-ended) cycling through ``pattern`` counted mg per day."""

    pattern: tuple[Decimal, ...]
    days: int | None = None

    def __post_init__(self) -> None:
        if not self.pattern or min(self.pattern) <= 0:
            raise InvalidInput("a dose segment needs positive daily amounts")
        if self.days is not None and self.days <= 0:
            raise InvalidInput("a dose segment needs a positive number of days")

    def total(self, days: int) -> Decimal:
        """Counted mg over the first ``days`` days of this segment."""
        if len(self.pattern) == 1:
            return days * self.pattern[0]
        cycles, rest = divmod(days, len(self.pattern))
        return cycles * sum(self.pattern, Decimal(0)) + sum(self.pattern[:rest], Decimal(0))

    def days_to_reach(self, amount: Decimal) -> int:
        """The first day (1-based) of this segment on which its running total is ≥ amount."""
        if amount <= 0:
            return 0
        if len(self.pattern) == 1:
            return ceil_div(amount, self.pattern[0])
        per_cycle = sum(self.pattern, Decimal(0))
        cycles = ceil_div(amount, per_cycle) - 1
        day, running = cycles * len(self.pattern), cycles * per_cycle
        for mg in self.pattern:
            day += 1
            running += mg
            if running >= amount:
                return day
        raise AssertionError("unreachable: a whole cycle reaches the amount")


@dataclass(frozen=True, slots=True)
class DoseSchedule:
    """Consecutive segments from day 1; only the last may be open-ended."""

    segments: tuple[Segment, ...]

    def __post_init__(self) -> None:
        if any(s.days is None for s in self.segments[:-1]):
            raise InvalidInput("only the last dose segment may be open-ended")

    def total_through(self, day: int) -> Decimal:
        """Counted mg from day 1 through ``day`` inclusive."""
        total, remaining = Decimal(0), day
        for segment in self.segments:
            take = remaining if segment.days is None else min(segment.days, remaining)
            total += segment.total(take)
            remaining -= take
            if remaining <= 0:
                break
        return total

    def first_day_reaching(self, amount: Decimal) -> int | None:
        """The first day on which the running total is ≥ amount; None if it never is."""
        before, running = 0, Decimal(0)
        for segment in self.segments:
            if segment.days is None:
                return before + segment.days_to_reach(amount - running)
            segment_total = segment.total(segment.days)
            if running + segment_total >= amount:
                return before + segment.days_to_reach(amount - running)
            before += segment.days
            running += segment_total
        return None


@dataclass(frozen=True, slots=True)
class DosePeriod:
    """From ``start`` for ``days`` days, ``daily_mg`` a day, at body weight ``weight_kg``."""

    start: dt.date
    days: int
    daily_mg: Decimal
    weight_kg: Decimal

    @property
    def last_day(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)


@dataclass(frozen=True, slots=True)
class CumulativeTotals:
    mg: Decimal                # raw mg given
    counted_mg: Decimal        # mg on the chosen basis
    mg_per_kg: Fraction        # Σ counted mg ÷ the weight that applied to each period
    days: int                  # dosed days counted


@dataclass(frozen=True, slots=True)
class Projection:
    remaining_mg_per_kg: Fraction
    remaining_mg: Fraction     # counted mg still to give, at the current weight
    days: int                  # days from the day after ``as_of`` until the target is reached
    end_date: dt.date          # the projected day of the last dose


@dataclass(frozen=True, slots=True)
class CumulativeLedger:
    """Periods of dosing with the weight that applied to each."""

    periods: tuple[DosePeriod, ...]
    basis: CumulativeBasis = CumulativeBasis.RAW
    equivalence_factor: Decimal = Decimal(1)

    def totals(self, on: dt.date) -> CumulativeTotals:
        """What was given on or before ``on`` (days after it do not count).

        mg/kg is exact: the counted mg are summed per body weight (Decimal sums are exact)
        and each weight's sum divided once, since Σ cᵢ/w = (Σ cᵢ)/w; a course has few
        distinct weights, so this costs a few Fraction divisions instead of one per period.
        """
        mg, counted, days = Decimal(0), Decimal(0), 0
        by_weight: dict[Decimal, Decimal] = {}
        for period in self.periods:
            if period.start > on:
                continue
            given_days = min(period.days, (on - period.start).days + 1)
            given = period.daily_mg * given_days
            counted_here = counted_mg(given, self.basis, self.equivalence_factor)
            mg += given
            counted += counted_here
            by_weight[period.weight_kg] = by_weight.get(period.weight_kg, Decimal(0)) \
                + counted_here
            days += given_days
        per_kg = sum((Fraction(total) / Fraction(weight) for weight, total in by_weight.items()),
                     Fraction(0))
        return CumulativeTotals(mg=mg, counted_mg=counted, mg_per_kg=per_kg, days=days)

    def project(
        self,
        on: dt.date,
        *,
        target_mg_per_kg: Decimal,
        weight_kg: Decimal,
        daily_mg: Decimal,
        adherence: Decimal = Decimal(1),
    ) -> Projection:
        """When the target is reached if, from the day after ``on``, the patient takes
        ``daily_mg`` on a share ``adherence`` (0 < a ≤ 1) of days, at ``weight_kg``."""
        if not Decimal(0) < adherence <= Decimal(1):
            raise InvalidInput("adherence must be above 0 and at most 1", field="adherence")
        if daily_mg <= 0:
            raise InvalidInput("the daily dose must be positive", field="daily_mg")
        done = self.totals(on).mg_per_kg
        remaining_per_kg = max(Fraction(target_mg_per_kg) - done, Fraction(0))
        remaining_mg = remaining_per_kg * Fraction(weight_kg)
        per_day = Fraction(counted_mg(daily_mg, self.basis, self.equivalence_factor)) * Fraction(
            adherence)
        days = _ceil_fraction(remaining_mg / per_day)
        return Projection(
            remaining_mg_per_kg=remaining_per_kg,
            remaining_mg=remaining_mg,
            days=days,
            end_date=on + dt.timedelta(days=days),
        )


def _ceil_fraction(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def ledger_from_daily_doses(
    doses: Sequence[tuple[dt.date, Decimal, Decimal]],
    *,
    basis: CumulativeBasis = CumulativeBasis.RAW,
    equivalence_factor: Decimal = Decimal(1),
) -> CumulativeLedger:
    """A ledger from single days ``(date, mg, weight_kg)`` (a dose diary), one period each."""
    return CumulativeLedger(
        periods=tuple(DosePeriod(day, 1, mg, weight) for day, mg, weight in doses),
        basis=basis,
        equivalence_factor=equivalence_factor,
    )
