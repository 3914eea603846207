"""Axes: where a date or a value lands on the drawing, and the ticks that label the axes.

Exact arithmetic: positions are :class:`~fractions.Fraction` (a date's x is its day offset ×
the plot width ÷ the span in days; a value's y likewise), so the same date always lands on
the same point and no float drift reorders two nearby points. Only :func:`coord` turns a
position into text, rounding to 0.01 of a viewBox unit (half to even): far below a printed
dot, and the one rounding step in the drawing.

Value axes start at 0 (doses and lab values are never negative) and end on a "nice" number
(1, 2 or 5 × a power of ten per tick) at or above the largest value to show, so nothing
plotted is ever above the axis. Date axes tick on whole days, weeks, calendar months or
calendar years, whichever gives at most ``most`` ticks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "Box",
    "DateScale",
    "Tick",
    "ValueScale",
    "coord",
    "date_span",
    "date_ticks",
    "decimal_text",
    "value_scale",
]

Number = Decimal | Fraction | int
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY_STEPS = (1, 2, 7, 14)
_MONTH_STEPS = (1, 2, 3, 6)
_YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True, slots=True)
class Box:
    """The plot area in viewBox units (y grows downwards, as in SVG)."""

    left: int
    top: int
    right: int
    bottom: int

    def holds(self, x: Fraction, y: Fraction) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


@dataclass(frozen=True, slots=True)
class DateScale:
    first: dt.date
    last: dt.date
    left: int
    right: int

    def __post_init__(self) -> None:
        if self.last <= self.first:
            raise ValueError("a date axis needs its last day after its first")

    def x(self, day: dt.date) -> Fraction:
        offset = Fraction((day - self.first).days, (self.last - self.first).days)
        return self.left + offset * (self.right - self.left)


@dataclass(frozen=True, slots=True)
class ValueScale:
    top_value: Fraction
    step: Fraction
    top: int
    bottom: int

    def y(self, value: Number) -> Fraction:
        return self.bottom - Fraction(value) / self.top_value * (self.bottom - self.top)

    def ticks(self) -> list[Fraction]:
        count = int(self.top_value / self.step)
        return [self.step * n for n in range(count + 1)]


@dataclass(frozen=True, slots=True)
class Tick:
    day: dt.date
    label: str
    sublabel: str = ""  # the year, under the first tick and where the year changes


def value_scale(maximum: Number, *, top: int, bottom: int, ticks: int = 5) -> ValueScale:
    """A 0-based axis reaching at least ``maximum`` in about ``ticks`` nice steps."""
    high = Fraction(maximum)
    if high <= 0:
        return ValueScale(Fraction(1), Fraction(1, 5), top, bottom)
    raw = high / ticks
    power = Fraction(10) ** (len(str(raw.numerator)) - len(str(raw.denominator)))
    while power > raw:
        power /= 10
    while power * 10 <= raw:
        power *= 10
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    count = -(-high // step)
    return ValueScale(step * count, step, top, bottom)


def date_span(days: Iterable[dt.date], *, margin: bool) -> tuple[dt.date, dt.date]:
    """The first and last of ``days`` (at least a day apart). With ``margin``, a twentieth of
    the span (at least one day) is added on each side, so markers at the ends show whole."""
    found = sorted(set(days))
    if not found:
        raise ValueError("no dates to place on an axis")
    first, last = found[0], found[-1]
    pad = max(1, (last - first).days // 20) if margin else 0
    first, last = first - dt.timedelta(days=pad), last + dt.timedelta(days=pad)
    if last == first:
        last = first + dt.timedelta(days=1)
    return first, last


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _ticks_by_days(first: dt.date, last: dt.date, step: int) -> list[dt.date]:
    count = (last - first).days // step
    return [first + dt.timedelta(days=step * n) for n in range(count + 1)]


def _ticks_by_months(first: dt.date, last: dt.date, step: int) -> list[dt.date]:
    index = _month_index(first) + (0 if first.day == 1 else 1)
    index += -index % step
    found = []
    while (day := dt.date(index // 12, index % 12 + 1, 1)) <= last:
        found.append(day)
        index += step
    return found


def _ticks_by_years(first: dt.date, last: dt.date, step: int) -> list[dt.date]:
    year = first.year + (0 if (first.month, first.day) == (1, 1) else 1)
    year += -year % step
    return [dt.date(y, 1, 1) for y in range(year, last.year + 1, step)]


def date_ticks(first: dt.date, last: dt.date, *, most: int = 7) -> list[Tick]:
    """Ticks between ``first`` and ``last`` inclusive: days, months or years."""
    days = [s for s in _DAY_STEPS if (last - first).days // s + 1 <= most]
    if days:
        found = _ticks_by_days(first, last, days[0])
        return _labelled(found, lambda d: f"{d.day} {_MONTHS[d.month - 1]}")
    for step in _MONTH_STEPS:
        found = _ticks_by_months(first, last, step)
        if len(found) <= most:
            return _labelled(found, lambda d: _MONTHS[d.month - 1])
    for step in _YEAR_STEPS:
        found = _ticks_by_years(first, last, step)
        if len(found) <= most:
            return [Tick(d, str(d.year)) for d in found]
    return [Tick(first, str(first.year)), Tick(last, str(last.year))]


def _labelled(days: list[dt.date], label: Callable[[dt.date], str]) -> list[Tick]:
    ticks: list[Tick] = []
    year: int | None = None
    for day in days:
        ticks.append(Tick(day, label(day), str(day.year) if day.year != year else ""))
        year = day.year
    return ticks


def decimal_text(value: Fraction) -> str:
    """A terminating fraction (an axis tick) written as a plain decimal: ``5/2`` → ``2.5``."""
    return format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")


def coord(value: Fraction) -> str:
    """A viewBox coordinate: rounded to 0.01 (half to even, exactly), no trailing zeros."""
    hundredths = round(value * 100)
    sign, whole = ("-" if hundredths < 0 else ""), abs(hundredths)
    text = f"{whole // 100}.{whole % 100:02d}".rstrip("0").rstrip(".")
    return sign + text if text != "0" else "0"
