"""The plan stored with a course, and where the patient is on it, as a page shows them.

Pure: built from the stored plan JSON (the contract of docs/reference/plan-json.md), the
course record, the catalog and a date. Every number is the planner's (the stored plan), the
engine's ledger (:attr:`~isocourse.rules.facts.CourseFacts.ledger`, read the way the
cumulative chart reads it) or the catalog's capsule table; nothing clinical is decided here.

* **Day N** of the course counts from the first dose (day 1), as the engine's
  :attr:`~isocourse.rules.facts.CourseFacts.first_dose_date`; after the course's end it stops
  at the last dose.
* **Current daily dose**: the latest dose-diary entry taken, else the latest dispense (what
  the patient has in hand), else the latest prescription, else the plan's first phase.
* **Progress** is cumulative mg/kg over the target, on the target's counting basis, clamped
  to 0..1 (the fraction is exact; the percent is rounded down, so 100 % means reached).
* **Projected end**: while the course runs, the ledger's projection at the current daily
  dose and weight (as the chart's dashed line); before the first dose, the plan's end date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from isocourse.adapters.reports.charts.display import mg_per_kg as mg_per_kg_text
from isocourse.adapters.reports.charts.display import plain
from isocourse.adapters.reports.charts.goal import Goal, goal_of
from isocourse.adapters.web.course_words import capsule_text, dose_words
from isocourse.domain.capsules import DailyDose
from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.dosing import table_for
from isocourse.domain.errors import InvalidInput
from isocourse.domain.products import Catalog, Product
from isocourse.domain.record import CourseRecord, Dose, Prescription
from isocourse.rules.facts import CourseFacts

__all__ = ["CurrentDose", "PhaseView", "PlanView", "Progress", "basis_words", "course_progress",
           "plan_view", "product_of"]

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PhaseView:
    number: int
    first_day: int
    last_day: int
    first_date: dt.date
    last_date: dt.date
    daily_mg: int
    mg_per_kg: str
    morning: str
    evening: str
    alternate: str          # "" unless the phase alternates (even days)
    current: bool           # today falls in this phase


@dataclass(frozen=True, slots=True)
class PlanView:
    """The stored plan, read. ``basis`` is ``raw`` or ``equivalent``."""

    weight_kg: Decimal
    target_mg_per_kg: Decimal
    target_mg: Decimal
    basis: str
    days_to_target: int
    start_date: dt.date
    end_date: dt.date
    regimen: str
    pattern: str
    phases: tuple[PhaseView, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CurrentDose:
    daily_mg: int
    source: str              # where it comes from, in words
    since: dt.date | None
    morning: str             # capsules, or "" when the product cannot make up the dose
    evening: str


@dataclass(frozen=True, slots=True)
class Progress:
    started: dt.date | None        # the first dose (day 1), if taken by ``on``
    ended: dt.date | None          # the last dose, if the course has ended by ``on``
    day: int | None                # day N of the course on ``on`` (or at its end)
    dose: CurrentDose | None
    cumulative_mg: Decimal
    cumulative_mg_per_kg: str      # rounded as the assessment (0.01, half to even)
    target_mg_per_kg: Decimal
    target_from_plan: bool
    basis: str
    fraction: Fraction             # of the target, 0..1
    projected_end: dt.date | None
    projection: str                # "projected", "planned", "reached", "ended" or ""

    @property
    def percent(self) -> int:
        return int(self.fraction * 100)


def product_of(record: CourseRecord, catalog: Catalog) -> Product | None:
    try:
        return catalog.get(record.course.product)
    except InvalidInput:
        return None


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("not a number")
    return Decimal(str(value))


def _capsules(value: Any) -> str:
    return capsule_text([(int(c["strength_mg"]), int(c["count"])) for c in value])


def plan_view(stored: Mapping[str, Any] | None, today: dt.date) -> PlanView | None:
    """The plan JSON stored with a course, read; None when there is none or it is not a
    plan document this version can read (an imported course has none)."""
    if not stored:
        return None
    try:
        start = dt.date.fromisoformat(stored["start_date"])
        phases = []
        for number, raw in enumerate(stored["phases"], start=1):
            first, days = int(raw["start_day"]), int(raw["days"])
            first_date = start + dt.timedelta(days=first - 1)
            last_date = first_date + dt.timedelta(days=days - 1)
            alternate = raw.get("alternate_day")
            phases.append(PhaseView(
                number, first, first + days - 1, first_date, last_date, int(raw["daily_mg"]),
                plain(_decimal(raw["mg_per_kg"])), _capsules(raw["am"]), _capsules(raw["pm"]),
                "" if not alternate else
                f"{int(alternate['daily_mg'])} mg on even days (morning "
                f"{_capsules(alternate['am'])}; evening {_capsules(alternate['pm'])})",
                first_date <= today <= last_date))
        return PlanView(
            weight_kg=_decimal(stored["weight_kg"]),
            target_mg_per_kg=_decimal(stored["target_mg_per_kg"]),
            target_mg=_decimal(stored["target_mg"]),
            basis=str(stored.get("cumulative_basis", "raw")),
            days_to_target=int(stored["days_to_target"]),
            start_date=start, end_date=dt.date.fromisoformat(stored["end_date"]),
            regimen=str(stored.get("regimen", "")),
            pattern=str(stored.get("chosen_pattern", "single")),
            phases=tuple(phases),
            warnings=tuple(str(w["message"]) for w in stored.get("warnings", ())))
    except (KeyError, TypeError, ValueError, IndexError, InvalidOperation, AttributeError):
        return None


def _dose(product: Product | None, mg: int) -> tuple[str, str]:
    dose: DailyDose | None = None
    if product is not None and mg > 0:
        dose = table_for(product).dose(mg)
    return dose_words(dose) if dose is not None else ("", "")


def _current_dose(facts: CourseFacts, product: Product | None,
                  plan: PlanView | None) -> CurrentDose | None:
    diary = [d for d in facts.of(Dose) if d.taken and d.mg > 0]
    found: tuple[int, str, dt.date | None] | None = None
    if diary:
        found = (diary[-1].mg, "the latest dose taken (dose diary)", diary[-1].date)
    elif facts.dispenses:
        found = (facts.dispenses[-1].daily_mg, "the latest dispense", facts.dispenses[-1].date)
    elif facts.of(Prescription):
        last = facts.of(Prescription)[-1]
        found = (last.daily_mg, "the latest prescription (not yet dispensed)", last.date)
    elif plan is not None and plan.phases:
        found = (plan.phases[0].daily_mg, "the plan's first phase", None)
    if found is None:
        return None
    mg, source, since = found
    morning, evening = _dose(product, mg)
    return CurrentDose(mg, source, since, morning, evening)


def course_progress(record: CourseRecord, stored_plan: Mapping[str, Any] | None, *,
                    on: dt.date, catalog: Catalog) -> Progress:
    """Where the course is on ``on`` (module docstring)."""
    product = product_of(record, catalog)
    goal: Goal = goal_of(stored_plan, product)
    facts = CourseFacts(record, on, product, goal.basis)
    totals = facts.cumulative
    target = Fraction(goal.target_mg_per_kg)
    done = totals.mg_per_kg
    fraction = min(Fraction(1), max(Fraction(0), done / target)) if target > 0 else Fraction(0)
    started, ended = facts.first_dose_date, facts.last_dose_date
    day = None
    if started is not None:
        day = ((ended if ended is not None and ended < on else on) - started).days + 1
        day = max(day, 1)
    dose = _current_dose(facts, product, plan_view(stored_plan, on))
    projected_end, projection = _projection(facts, goal, dose, done >= target)
    return Progress(
        started=started, ended=ended, day=day, dose=dose, cumulative_mg=totals.mg,
        cumulative_mg_per_kg=mg_per_kg_text(done), target_mg_per_kg=goal.target_mg_per_kg,
        target_from_plan=goal.from_plan, basis=goal.basis.value, fraction=fraction,
        projected_end=projected_end, projection=projection)


def _projection(facts: CourseFacts, goal: Goal, dose: CurrentDose | None,
                reached: bool) -> tuple[dt.date | None, str]:
    if facts.last_dose_date is not None:
        return None, "ended"
    if reached:
        return None, "reached"
    if facts.cumulative.days == 0:
        if goal.end_date is not None and goal.start_date is not None \
                and goal.start_date >= facts.on:
            return goal.end_date, "planned"
        return None, ""
    # As the chart: the current dose from the diary, else the latest dispense.
    diary = [d for d in facts.of(Dose) if d.taken and d.mg > 0]
    daily = diary[-1].mg if diary else (facts.dispenses[-1].daily_mg if facts.dispenses
                                        else None)
    if daily is None or dose is None:
        return None, ""
    ahead = facts.ledger.project(facts.on, target_mg_per_kg=goal.target_mg_per_kg,
                                 weight_kg=facts.weight_kg, daily_mg=Decimal(daily))
    return ahead.end_date, "projected"


def basis_words(basis: str) -> str:
    return "conventional-equivalent mg" if basis == CumulativeBasis.EQUIVALENT.value \
        else "raw mg"
