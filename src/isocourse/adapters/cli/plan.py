"""``isocourse plan``: the planner on the command line (shared/spec/plan-cli.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from isocourse.adapters.cli import output
from isocourse.adapters.cli.parsing import date_option, decimal_option, int_option, today
from isocourse.catalog import load_catalog
from isocourse.domain.capsules import CapsuleCount
from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.dates import age_on
from isocourse.domain.errors import InvalidInput
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import Plan, PlanRequest, plan_course
from isocourse.domain.units import WeightUnit


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def plan_command(
    weight: Annotated[str, typer.Option(help="Body weight (in --unit).")],
    product: Annotated[str, typer.Option(help="Product id (see `isocourse products`).")],
    mg_per_kg: Annotated[str, typer.Option(help="Maintenance daily dose in mg/kg/day.")],
    unit: Annotated[WeightUnit, typer.Option(help="Unit of --weight.")] = WeightUnit.KG,
    start_mg_per_kg: Annotated[
        str | None, typer.Option(help="Titration: a lower starting dose in mg/kg/day…")
    ] = None,
    start_days: Annotated[str | None, typer.Option(help="…given for the first N days.")] = None,
    target: Annotated[str, typer.Option(help="Cumulative target in mg/kg.")] = "120",
    start_date: Annotated[
        str | None, typer.Option(help="Date of the first dose (YYYY-MM-DD); default today.")
    ] = None,
    severe: Annotated[
        bool, typer.Option(help="Very severe, scarring or truncal disease: allows doses above "
                           "the usual range up to the label ceiling.")
    ] = False,
    ld_basis: Annotated[
        CumulativeBasis | None,
        typer.Option(help="Micronized products: count cumulative dose as raw mg or as "
                     "conventional-equivalent mg (raw ÷ 0.8). Default: equivalent."),
    ] = None,
    alternate: Annotated[
        bool, typer.Option(help="Use the alternating-day pattern when one is offered.")
    ] = False,
    age: Annotated[str | None, typer.Option(help="Age in years (under 12 is refused).")] = None,
    birth_date: Annotated[
        str | None, typer.Option(help="Birth date (YYYY-MM-DD), instead of --age.")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option(help="A product catalog file to use instead of the built-in.")
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
) -> None:
    """Plan a course: daily dose, capsules morning and evening, days to target, end date."""
    start = date_option(start_date, "--start-date") if start_date else today()
    if age is not None and birth_date is not None:
        raise InvalidInput("give --age or --birth-date, not both")
    age_years = int_option(age, "--age") if age is not None else (
        age_on(date_option(birth_date, "--birth-date"), start) if birth_date else None)
    request = PlanRequest(
        product_id=product,
        weight=decimal_option(weight, "--weight"),
        unit=unit,
        mg_per_kg=decimal_option(mg_per_kg, "--mg-per-kg"),
        start_mg_per_kg=decimal_option(start_mg_per_kg, "--start-mg-per-kg")
        if start_mg_per_kg is not None else None,
        start_days=int_option(start_days, "--start-days") if start_days is not None else None,
        target_mg_per_kg=decimal_option(target, "--target"),
        start_date=start,
        severe=severe,
        basis=ld_basis,
        age_years=age_years,
        alternate=alternate,
    )
    plan = plan_course(request, load_catalog(catalog))
    if format is Format.JSON:
        output.write_json(plan_to_json(plan))
    else:
        _write_plan_table(plan)


def _capsules(counts: tuple[CapsuleCount, ...]) -> str:
    return " + ".join(f"{c.count} × {c.strength_mg} mg" for c in counts) or "—"


def _write_plan_table(plan: Plan) -> None:
    product = plan.product
    food = "with food" if product.food.value == "with-food" else "with or without food"
    output.write_line(f"{product.name} ({product.id}, {product.family.value}; take {food})")
    output.write_line(
        f"Weight {plan.weight_kg.normalize():f} kg · regimen: {plan.regimen.value} · "
        f"target {plan.target_mg_per_kg} mg/kg = {plan.target_mg:.0f} mg "
        f"({plan.basis.value} basis)")
    output.write_line()
    rows = []
    for phase in plan.phases:
        last = phase.start_day + phase.days - 1
        days = [phase.dose] + ([phase.alternate_dose] if phase.alternate_dose else [])
        for index, dose in enumerate(days):
            label = ("odd days" if index == 0 else "even days") if len(days) > 1 else "daily"
            rows.append([
                f"{phase.start_day}–{last}" if index == 0 else "",
                label,
                f"{dose.total_mg} mg",
                f"{phase.mg_per_kg:.3f}" if index == 0 else "",
                _capsules(dose.am),
                _capsules(dose.pm),
            ])
    output.write_table("Phases", ["days", "when", "daily", "mg/kg/day", "morning", "evening"],
                       rows, right_align=(2, 3))
    output.write_table(
        "Cumulative milestones",
        ["of target", "day", "date"],
        [[f"{m.percent} %", str(m.day), m.date.isoformat()] for m in plan.milestones],
        right_align=(0, 1),
    )
    output.write_line(
        f"Target reached on day {plan.days_to_target}: last dose {plan.end_date.isoformat()} "
        f"(first dose {plan.start_date.isoformat()}).")
    if plan.alternative is not None and plan.chosen_pattern == "single":
        alt = plan.alternative
        output.write_line(
            f"Alternative: {alt.low.total_mg} mg / {alt.high.total_mg} mg on alternate days "
            f"({alt.average_mg_per_kg:.3f} mg/kg/day) reaches the target on day "
            f"{alt.days_to_target} ({alt.end_date.isoformat()}); use --alternate to choose it.")
    for warning in plan.warnings:
        output.write_line(f"warning [{warning.code}]: {warning.message}")
