"""The course planner: daily doses, capsules, titration, cumulative target and end date.

``plan_course(request, catalog)`` is pure and deterministic. Its rules are those of
shared/spec/plan-cli.md; the arithmetic conventions are clinical.md §10:

* Day 1 is the start date. ``days_to_target`` is the first day on which the running total
  (on the chosen counting basis) reaches ``target × weight`` mg; ``end_date`` is
  ``start_date + days_to_target − 1``.
* A titration gives the starting dose for the first N days, then the maintenance dose; it
  is refused when the target would be reached before it ends.
* An alternating pattern (two neighbouring achievable totals on alternate days, lower first)
  is offered when its average is much closer to the prescribed dose than any single total:
  when the single total misses by at least 5 % and the alternating average misses by at
  most half as much. Both thresholds are isocourse design choices, not clinical facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from isocourse.domain.advisories import Advisory
from isocourse.domain.capsules import DailyDose
from isocourse.domain.cumulative import CumulativeBasis, DoseSchedule, Segment, counted_mg
from isocourse.domain.dosing import DoseChoice, Regimen, choose_daily_dose, table_for
from isocourse.domain.errors import DoseRefused, InvalidInput, PlanRefused
from isocourse.domain.products import Catalog, Family, Product
from isocourse.domain.units import WeightUnit, weight_in_kg

__all__ = [
    "DEFAULT_TARGET_MG_PER_KG",
    "AlternatingOption",
    "Milestone",
    "Phase",
    "Plan",
    "PlanRequest",
    "default_basis",
    "plan_course",
]

#: Default cumulative target (SmPC: no substantial benefit beyond 120-150 mg/kg).
DEFAULT_TARGET_MG_PER_KG = Decimal(120)
#: Targets outside this band are warned about (120-150 is the SmPC band, 220 the
#: "extended" target of Blasiak 2013; the band itself is an isocourse design choice).
COMMON_TARGET_RANGE = (Decimal(100), Decimal(250))
#: The minimum age of the label indication (US labels and UK SmPC: 12 years).
MINIMUM_AGE_YEARS = 12
ADULT_AGE_YEARS = 18
#: Alternating-pattern thresholds (design choices, see the module docstring).
ALTERNATING_MIN_SINGLE_MISS = Decimal("0.05")
ALTERNATING_MAX_RATIO = Decimal("0.5")
MILESTONE_PERCENTS = (25, 50, 75, 100)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    product_id: str
    weight: Decimal
    mg_per_kg: Decimal
    start_date: dt.date
    unit: WeightUnit = WeightUnit.KG
    start_mg_per_kg: Decimal | None = None
    start_days: int | None = None
    target_mg_per_kg: Decimal = DEFAULT_TARGET_MG_PER_KG
    severe: bool = False
    basis: CumulativeBasis | None = None
    age_years: int | None = None
    alternate: bool = False


@dataclass(frozen=True, slots=True)
class Phase:
    start_day: int
    days: int
    dose: DailyDose
    mg_per_kg: Decimal                      # actual (for alternating: the average)
    alternate_dose: DailyDose | None = None  # given on even days of the phase

    @property
    def average_daily_mg(self) -> Decimal:
        if self.alternate_dose is None:
            return Decimal(self.dose.total_mg)
        return Decimal(self.dose.total_mg + self.alternate_dose.total_mg) / 2


@dataclass(frozen=True, slots=True)
class Milestone:
    percent: int
    day: int
    date: dt.date


@dataclass(frozen=True, slots=True)
class AlternatingOption:
    """The alternating maintenance pattern, offered next to the single daily total."""

    low: DailyDose
    high: DailyDose
    average_mg_per_kg: Decimal
    days_to_target: int
    end_date: dt.date


@dataclass(frozen=True, slots=True)
class Plan:
    product: Product
    weight_kg: Decimal
    regimen: Regimen
    phases: tuple[Phase, ...]
    target_mg_per_kg: Decimal
    target_mg: Decimal          # on the counting basis
    basis: CumulativeBasis
    days_to_target: int
    start_date: dt.date
    end_date: dt.date
    milestones: tuple[Milestone, ...]
    warnings: tuple[Advisory, ...]
    alternative: AlternatingOption | None = None
    chosen_pattern: str = "single"

    @property
    def raw_target_mg(self) -> Decimal:
        """The raw mg to give to reach the target (differs on the equivalent basis)."""
        if self.basis is CumulativeBasis.EQUIVALENT:
            return self.target_mg * self.product.equivalence_factor
        return self.target_mg

    def warnings_codes_contain(self, code: str) -> bool:
        return any(w.code == code for w in self.warnings)


def default_basis(product: Product) -> CumulativeBasis:
    """Micronized products count conventional-equivalent mg by default (ADR 0002)."""
    return CumulativeBasis.EQUIVALENT if product.family is Family.MICRONIZED else \
        CumulativeBasis.RAW


def plan_course(request: PlanRequest, catalog: Catalog) -> Plan:
    """Make a course plan, or raise an :class:`~isocourse.domain.errors.InvalidInput`."""
    product = catalog.get(request.product_id)
    weight_kg = weight_in_kg(request.weight, request.unit)
    warnings: list[Advisory] = []
    warnings.extend(_age_advisories(request.age_years))

    if request.target_mg_per_kg <= 0:
        raise InvalidInput("the cumulative target must be positive", field="target")
    low, high = COMMON_TARGET_RANGE
    if not low <= request.target_mg_per_kg <= high:
        warnings.append(Advisory(
            "target-outside-common-range",
            f"a cumulative target of {request.target_mg_per_kg} mg/kg is outside {low}-{high} "
            "mg/kg (120-150 is the usual target, 220 an extended one)",
        ))
    basis = _basis(product, request.basis, warnings)

    maintenance = choose_daily_dose(
        product, weight_kg, request.mg_per_kg, severe=request.severe,
        label="maintenance dose" if request.start_mg_per_kg is not None else "")
    starting = _starting_dose(request, product, weight_kg)
    warnings.extend(starting.warnings if starting else ())
    warnings.extend(maintenance.warnings)

    target_mg = request.target_mg_per_kg * weight_kg
    alternative_pair = _alternating_pair(product, weight_kg, maintenance)

    def counted(dose: DailyDose) -> Decimal:
        return counted_mg(dose.total_mg, basis, product.equivalence_factor)

    titration: tuple[Segment, ...] = ()
    if starting is not None and request.start_days is not None:
        titration = (Segment((counted(starting.dose),), request.start_days),)
        if titration[0].total(request.start_days) >= target_mg:
            raise PlanRefused(
                f"the titration ({request.start_days} days) is as long as the course: the "
                "target is reached before the maintenance dose starts"
            )

    def schedule_for(pattern: tuple[DailyDose, ...]) -> DoseSchedule:
        return DoseSchedule((*titration, Segment(tuple(counted(d) for d in pattern))))

    single_schedule = schedule_for((maintenance.dose,))
    single_days = _days(single_schedule, target_mg)
    alternative: AlternatingOption | None = None
    if alternative_pair is not None:
        low_dose, high_dose = alternative_pair
        alt_days = _days(schedule_for(alternative_pair), target_mg)
        alternative = AlternatingOption(
            low=low_dose, high=high_dose,
            average_mg_per_kg=Decimal(low_dose.total_mg + high_dose.total_mg) / 2 / weight_kg,
            days_to_target=alt_days,
            end_date=request.start_date + dt.timedelta(days=alt_days - 1),
        )
        if not request.alternate:
            warnings.append(Advisory(
                "alternating-pattern-available",
                f"alternating {low_dose.total_mg} mg and {high_dose.total_mg} mg a day averages "
                f"{alternative.average_mg_per_kg:.3f} mg/kg/day, closer to the prescribed "
                f"{request.mg_per_kg} than {maintenance.dose.total_mg} mg "
                "(choose it with --alternate)",
            ))
    elif request.alternate:
        raise PlanRefused(
            "no alternating pattern is offered for this dose: a single daily total is as close "
            "to the prescribed dose"
        )

    chosen = alternative_pair if (request.alternate and alternative_pair) else \
        (maintenance.dose,)
    schedule = schedule_for(chosen) if len(chosen) > 1 else single_schedule
    days_to_target = alternative.days_to_target if (request.alternate and alternative) \
        else single_days

    phases: list[Phase] = []
    if starting is not None and request.start_days is not None:
        phases.append(Phase(1, request.start_days, starting.dose,
                            Decimal(starting.dose.total_mg) / weight_kg))
    first_day = (request.start_days or 0) + 1
    alternate_dose = chosen[1] if len(chosen) > 1 else None
    average_mg = Decimal(sum(d.total_mg for d in chosen)) / len(chosen)
    phases.append(Phase(
        start_day=first_day,
        days=days_to_target - first_day + 1,
        dose=chosen[0],
        mg_per_kg=average_mg / weight_kg,
        alternate_dose=alternate_dose,
    ))

    hundredth = target_mg / 100
    milestones = tuple(
        Milestone(percent, day, request.start_date + dt.timedelta(days=day - 1))
        for percent in MILESTONE_PERCENTS
        for day in (days_to_target if percent == 100 else _days(schedule, hundredth * percent),)
    )
    return Plan(
        product=product,
        weight_kg=weight_kg,
        regimen=maintenance.regimen,
        phases=tuple(phases),
        target_mg_per_kg=request.target_mg_per_kg,
        target_mg=target_mg,
        basis=basis,
        days_to_target=days_to_target,
        start_date=request.start_date,
        end_date=request.start_date + dt.timedelta(days=days_to_target - 1),
        milestones=milestones,
        warnings=tuple(warnings),
        alternative=alternative,
        chosen_pattern="alternating" if (request.alternate and alternative) else "single",
    )


def _days(schedule: DoseSchedule, amount: Decimal) -> int:
    day = schedule.first_day_reaching(amount)
    if day is None:  # pragma: no cover - the last segment is open-ended
        raise AssertionError("an open-ended schedule always reaches its target")
    return day


def _age_advisories(age_years: int | None) -> list[Advisory]:
    if age_years is None:
        return []
    if age_years < 0:
        raise InvalidInput("age must not be negative", field="age")
    if age_years < MINIMUM_AGE_YEARS:
        raise DoseRefused(
            f"isotretinoin is not indicated under {MINIMUM_AGE_YEARS} years of age"
        )
    if age_years < ADULT_AGE_YEARS:
        return [Advisory(
            "under-18",
            f"the patient is {age_years}: indicated from {MINIMUM_AGE_YEARS}; the programme's "
            "rules for patients under 18 apply (checked by the safety engine)",
        )]
    return []


def _basis(
    product: Product, requested: CumulativeBasis | None, warnings: list[Advisory]
) -> CumulativeBasis:
    if product.family is Family.MICRONIZED:
        return requested or default_basis(product)
    if requested is CumulativeBasis.EQUIVALENT:
        warnings.append(Advisory(
            "basis-not-applicable",
            f"{product.id} is not micronized: its cumulative dose is counted as raw mg",
        ))
    return CumulativeBasis.RAW


def _starting_dose(request: PlanRequest, product: Product, weight_kg: Decimal) -> DoseChoice | None:
    if (request.start_mg_per_kg is None) != (request.start_days is None):
        raise InvalidInput(
            "a titration needs both the starting dose (--start-mg-per-kg) and its length "
            "(--start-days)", field="start_days")
    if request.start_mg_per_kg is None or request.start_days is None:
        return None
    if request.start_days <= 0:
        raise InvalidInput("the titration length must be at least 1 day", field="start_days")
    if request.start_mg_per_kg > request.mg_per_kg:
        raise PlanRefused("the starting dose must not be above the maintenance dose")
    return choose_daily_dose(product, weight_kg, request.start_mg_per_kg,
                             severe=request.severe, label="starting dose")


def _alternating_pair(
    product: Product, weight_kg: Decimal, maintenance: DoseChoice
) -> tuple[DailyDose, DailyDose] | None:
    requested = maintenance.requested_mg
    pair = table_for(product).neighbours(requested)
    if pair is None:
        return None
    low, high = pair
    if high.total_mg > product.ceiling_mg_per_kg * weight_kg:
        return None
    single_miss = abs(maintenance.dose.total_mg - requested)
    alternating_miss = abs(Decimal(low.total_mg + high.total_mg) / 2 - requested)
    if single_miss < requested * ALTERNATING_MIN_SINGLE_MISS:
        return None
    if alternating_miss > single_miss * ALTERNATING_MAX_RATIO:
        return None
    return low, high

