"""The cumulative-dose chart: mg/kg over time against the course's target, with a projection.

Every number comes from the core, computed the way the safety engine computes it:

* **Given so far** (solid line, round markers): the engine's own ledger,
  :attr:`isocourse.rules.facts.CourseFacts.ledger` (the dose diary when there is one, else
  dispensed supply taken in order, each period at the weight recorded when it starts, nothing
  after the course's end), read with :meth:`~isocourse.domain.cumulative.CumulativeLedger.totals`
  at every day a dose period starts or ends. Within a period the daily dose is constant, so
  the straight line between two of those days is exact at every whole day.
* **Target** (purple dash-dot line): the plan's ``target_mg_per_kg`` (see :mod:`.goal`);
  more reference lines (``references``) only when the caller passes them from a source.
* **Projection** (dashed line to a diamond): while the course runs,
  :meth:`~isocourse.domain.cumulative.CumulativeLedger.project` from ``on`` at the current
  daily dose (the latest diary dose or dispense) and weight; before the first dose, the
  plan's own line from its start date to its end date (grey, dotted). None once the course
  has ended or reached its target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from isocourse.adapters.reports.charts.display import MG_PER_KG_ROUNDING, mg_per_kg, plain
from isocourse.adapters.reports.charts.goal import Goal, PlanInput, goal_of
from isocourse.adapters.reports.charts.model import (
    ACTUAL,
    PLANNED,
    PROJECTION,
    REFERENCE,
    TARGET,
    Chart,
    Level,
    Series,
)
from isocourse.adapters.reports.charts.plot import Frame, render
from isocourse.adapters.reports.charts.scale import date_span
from isocourse.domain.cumulative import (
    CumulativeBasis,
    CumulativeLedger,
    CumulativeTotals,
    DosePeriod,
)
from isocourse.domain.errors import InvalidInput
from isocourse.domain.products import Catalog, Product
from isocourse.domain.record import CourseRecord, Dose
from isocourse.rules.facts import CourseFacts

__all__ = ["COLUMNS", "cumulative_chart"]

COLUMNS = ("Date (end of day)", "Cumulative dose (mg)", "Cumulative dose (mg/kg)", "Line")
_ONE_DAY = dt.timedelta(days=1)
Point = tuple[dt.date, CumulativeTotals]


def cumulative_chart(
    record: CourseRecord,
    plan: PlanInput,
    *,
    on: dt.date,
    catalog: Catalog,
    references: Sequence[Decimal] = (),
    chart_id: str = "cumulative-dose",
    title: str = "Cumulative dose",
) -> Chart:
    """The course's cumulative dose in mg/kg up to ``on``, against its target.

    ``plan`` is the course's :class:`~isocourse.domain.planner.Plan`, the plan JSON stored
    with it, or None. ``catalog`` gives the product (its counting basis), as it does to the
    engine. Events after ``on`` are not seen."""
    product = _product(record, catalog)
    goal = goal_of(plan, product)
    facts = CourseFacts(record, on, product, goal.basis)
    actual = _actual(facts.ledger, on, facts.last_dose_date)
    projected = _projection(facts, goal, actual[-1])
    target = Fraction(goal.target_mg_per_kg)
    levels = [Level(target, f"target {plain(goal.target_mg_per_kg)} mg/kg", TARGET)]
    levels += [
        Level(Fraction(r), f"{plain(r)} mg/kg", REFERENCE)
        for r in sorted(set(references))
        if r > 0 and r != goal.target_mg_per_kg
    ]
    series = [Series("Given so far", ACTUAL, tuple((day, t.mg_per_kg) for day, t in actual))]
    if projected is not None:
        series.append(projected)
    days = [day for one in series for day, _ in one.points]
    first, last = date_span(days, margin=True)
    started = actual[-1][1].days > 0
    frame = Frame(
        "Date",
        f"Cumulative dose (mg/kg, {_basis_words(goal.basis)})",
        first,
        last,
        "" if started else "No doses recorded yet",
    )
    desc = _summary(goal, product, actual, projected, facts.last_dose_date, levels[1:])
    svg = render(
        chart_id=chart_id, title=title, desc=desc, frame=frame, series=series, levels=levels
    )
    return Chart(chart_id, title, desc, COLUMNS, _rows(actual, projected), svg)


def _product(record: CourseRecord, catalog: Catalog) -> Product | None:
    try:
        return catalog.get(record.course.product)
    except InvalidInput:
        return None  # as the engine: a foreign product id counts raw mg at factor 1


def _actual(ledger: CumulativeLedger, on: dt.date, end: dt.date | None) -> list[Point]:
    """The running total at each day a dose period starts (the day before) or ends, and on
    ``on`` (or the course's last dose), with points on one straight stretch merged."""
    started = [p for p in ledger.periods if p.start <= on]
    days = {end if end is not None else on}
    for period in started:
        days |= {period.start - _ONE_DAY, min(period.last_day, on)}
    if end is not None:
        days = {d for d in days if d <= end}
    ordered = sorted(days)
    points = list(zip(ordered, _running_totals(ledger, ordered), strict=True))
    return _merge_straight(points) if started else points[-1:]


def _running_totals(ledger: CumulativeLedger, days: list[dt.date]) -> list[CumulativeTotals]:
    """``ledger.totals(day)`` for each of ``days`` (ascending), in one pass.

    The ledger's totals are a sum over its periods, so they are summed period by period with
    the ledger's own arithmetic (a one-period ledger of the same basis): a finished period is
    added once, only the periods under way are computed again. Exact (Decimal and Fraction
    sums), and linear in a year-long dose diary where calling ``totals`` per day is not."""

    def alone(period: DosePeriod) -> CumulativeLedger:
        return CumulativeLedger((period,), ledger.basis, ledger.equivalence_factor)

    pending = sorted(ledger.periods, key=lambda p: p.start)
    finished, running, found = _ZERO, [], []
    for day in days:
        while pending and pending[0].start <= day:
            running.append(pending.pop(0))
        for period in [p for p in running if p.last_day <= day]:
            finished = _plus(finished, alone(period).totals(period.last_day))
            running.remove(period)
        total = finished
        for period in running:
            total = _plus(total, alone(period).totals(day))
        found.append(total)
    return found


_ZERO = CumulativeTotals(Decimal(0), Decimal(0), Fraction(0), 0)


def _plus(a: CumulativeTotals, b: CumulativeTotals) -> CumulativeTotals:
    return CumulativeTotals(
        a.mg + b.mg, a.counted_mg + b.counted_mg, a.mg_per_kg + b.mg_per_kg, a.days + b.days
    )


def _merge_straight(points: list[Point]) -> list[Point]:
    kept: list[Point] = []
    for point in points:
        if len(kept) >= 2 and _slope(kept[-2], kept[-1]) == _slope(kept[-1], point):
            kept[-1] = point
        else:
            kept.append(point)
    return kept


def _slope(a: Point, b: Point) -> Fraction:
    return (b[1].mg_per_kg - a[1].mg_per_kg) / (b[0] - a[0]).days


def _current_daily_mg(facts: CourseFacts) -> int | None:
    """The daily dose now, from the source the ledger counts: the diary, else dispenses."""
    diary = [d for d in facts.of(Dose) if d.taken and d.mg > 0]
    if diary:
        return diary[-1].mg
    return facts.dispenses[-1].daily_mg if facts.dispenses else None


def _projection(facts: CourseFacts, goal: Goal, last: Point) -> Series | None:
    target = Fraction(goal.target_mg_per_kg)
    day, totals = last
    if facts.last_dose_date is not None or totals.mg_per_kg >= target:
        return None
    if totals.days == 0:
        # The plan's own line, while its start is still ahead: once its start has passed
        # with no dose, the plan no longer says when the course will end.
        if goal.start_date is None or goal.end_date is None or goal.start_date < day:
            return None
        return Series(
            "Planned (course plan)",
            PLANNED,
            ((goal.start_date - _ONE_DAY, Fraction(0)), (goal.end_date, target)),
            marks="last",
        )
    dose = _current_daily_mg(facts)
    if dose is None:
        return None
    ahead = facts.ledger.project(
        day,
        target_mg_per_kg=goal.target_mg_per_kg,
        weight_kg=facts.weight_kg,
        daily_mg=Decimal(dose),
    )
    return Series(
        f"Projected at {dose} mg a day",
        PROJECTION,
        ((day, totals.mg_per_kg), (ahead.end_date, target)),
        marks="last",
    )


def _basis_words(basis: CumulativeBasis) -> str:
    return "conventional-equivalent mg" if basis is CumulativeBasis.EQUIVALENT else "raw mg"


def _summary(
    goal: Goal,
    product: Product | None,
    actual: list[Point],
    projected: Series | None,
    ended: dt.date | None,
    references: Sequence[Level],
) -> str:
    day, totals = actual[-1]
    parts = [
        f"Cumulative isotretinoin dose per kg of body weight, counted as "
        f"{_basis_words(goal.basis)}."
    ]
    if totals.days == 0:
        parts.append(f"No doses recorded by {day.isoformat()}.")
        if goal.start_date is not None and goal.start_date < day:
            parts.append(f"The plan's start date, {goal.start_date.isoformat()}, has passed.")
    else:
        first = actual[0][0] + _ONE_DAY  # the first point is the day before the first dose
        parts.append(
            f"From the first dose on {first.isoformat()} to {day.isoformat()}: "
            f"{mg_per_kg(totals.mg_per_kg)} mg/kg ({plain(totals.mg)} mg) given."
        )
    if ended is not None:
        parts.append(f"The course ended on {ended.isoformat()}.")
    parts.append(f"Target: {plain(goal.target_mg_per_kg)} mg/kg ({goal.source}).")
    parts += [f"Reference line: {level.label}." for level in references]
    if totals.mg_per_kg >= Fraction(goal.target_mg_per_kg):
        parts.append("The target has been reached.")
    if projected is not None:
        end = projected.points[-1][0].isoformat()
        what = "planned" if projected.style is PLANNED else projected.label.lower()
        parts.append(f"Target reached on {end} ({what}).")
    if product is not None:
        parts.append(f"Product: {product.name}.")
    parts.append(f"{MG_PER_KG_ROUNDING}; the line is exact at each listed date.")
    return " ".join(parts)


def _rows(actual: list[Point], projected: Series | None) -> tuple[tuple[str, ...], ...]:
    rows = [
        (
            day.isoformat(),
            plain(t.mg),
            mg_per_kg(t.mg_per_kg),
            "given" if t.days else "before the first dose",
        )
        for day, t in actual
    ]
    if projected is not None:
        end, value = projected.points[-1]
        what = "planned end" if projected.style is PLANNED else "projected end"
        rows.append((end.isoformat(), "", mg_per_kg(value), what))
    return tuple(rows)
