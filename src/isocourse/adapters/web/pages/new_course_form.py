"""The new-course form: reading it, the eligibility checklist, the daily-dose choices in
mg/kg, and the plan as the page shows it (used by :mod:`.new_course`; no routes here).

Nothing clinical is decided here: doses and plans are the planner's, the capsule totals
the catalog's capsule table, the severity scales :mod:`isocourse.domain.severity`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from isocourse.adapters.web.forms import Form
from isocourse.domain.capsules import CapsuleCount
from isocourse.domain.dosing import table_for
from isocourse.domain.errors import DoseRefused, InvalidInput, PlanRefused
from isocourse.domain.planner import Plan
from isocourse.domain.products import Catalog, Food, Product
from isocourse.domain.record import Jurisdiction
from isocourse.domain.severity import (
    GAGS_REGIONS,
    GAGS_SOURCE,
    IGA_SOURCE,
    GagsScore,
    gags_score,
    iga_grade,
    named_severe,
)
from isocourse.domain.units import MAX_WEIGHT_KG, MIN_WEIGHT_KG
from isocourse.services.ports import Rulebook

__all__ = [
    "SERVICE_FIELDS", "CourseInputs", "DoseRow", "Eligibility", "NewPatient", "PlanView",
    "apply_dose_button", "chosen_product", "chosen_weight", "dose_choices", "dose_labels",
    "eligibility_extension", "eligibility_words", "lab_profiles", "place_plan_error",
    "plan_key", "product_options", "read_course", "read_eligibility", "read_patient",
]

_MG_PER_KG = Decimal("0.001")
#: Where the services' field names go on this form.
SERVICE_FIELDS = {"start_date": "start_date", "lab_profile": "lab_profile",
                  "weight_kg": "weight_kg", "product": "product",
                  "jurisdiction": "jurisdiction", "external_id": "external_id",
                  "birth_date": "birth_date"}
_CHECKS = ("nodular", "resistant", "scarring", "psychosocial")


@dataclass(frozen=True, slots=True)
class NewPatient:
    external_id: str
    birth_date: dt.date
    can_get_pregnant: bool


def read_patient(form: Form, today: dt.date) -> NewPatient | None:
    external_id = form.text("external_id", max_length=128)
    birth = form.date("birth_date", not_after=today)
    can = form.choice("can_get_pregnant", ("yes", "no"),
                      message="Choose whether the patient can get pregnant.")
    if external_id is None or birth is None or can is None:
        return None
    return NewPatient(external_id, birth, can == "yes")


@dataclass(frozen=True, slots=True)
class CourseInputs:
    jurisdiction: str
    product: str
    weight_kg: Decimal
    mg_per_kg: Decimal
    start_date: dt.date | None
    target_mg_per_kg: Decimal
    start_mg_per_kg: Decimal | None
    start_days: int | None
    severe: bool
    lab_profile: str
    home_tests_allowed: bool


def chosen_product(form: Form, catalog: Catalog) -> Product | None:
    return catalog.products.get(form.value("product"))


def chosen_weight(form: Form) -> Decimal | None:
    try:
        weight = Decimal(form.value("weight_kg").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return weight if weight.is_finite() and MIN_WEIGHT_KG <= weight <= MAX_WEIGHT_KG else None


def read_course(form: Form, rules: Rulebook) -> CourseInputs | None:
    """The course settings of the form (errors noted next to the fields), or None."""
    jurisdiction = form.choice("jurisdiction", [j.value for j in Jurisdiction],
                               message="Choose the programme.")
    product_id = form.choice("product", rules.catalog.products, message="Choose the product.")
    weight = form.decimal("weight_kg", low=MIN_WEIGHT_KG, high=MAX_WEIGHT_KG, places=2,
                          unit=" kg")
    start_date = form.date("start_date", required=False)
    choice = form.choice("dose_choice", ("low", "high", "other"),
                         message="Choose the daily dose.")
    product = rules.catalog.products.get(product_id or "")
    mg_per_kg: Decimal | None = None
    if choice == "other":
        mg_per_kg = form.decimal("mg_per_kg", low=Decimal("0.01"), high=Decimal(5), places=3,
                                 unit=" mg/kg/day")
    elif choice is not None and product is not None:
        mg_per_kg = product.usual_min_mg_per_kg if choice == "low" else \
            product.usual_max_mg_per_kg
    target = form.decimal("target_mg_per_kg", low=Decimal(1), high=Decimal(1000), places=1,
                          unit=" mg/kg")
    start_mg = form.decimal("start_mg_per_kg", low=Decimal("0.01"), high=Decimal(5),
                            places=3, required=False, unit=" mg/kg/day")
    start_days = form.integer("start_days", low=1, high=365, required=False)
    for given, other in (("start_mg_per_kg", "start_days"), ("start_days", "start_mg_per_kg")):
        if form.value(given).strip() and not form.value(other).strip():
            form.error(other, "A titration needs both its starting dose and its length in "
                       "days; fill in both, or neither.")
    profile = form.choice("lab_profile", ["default", *lab_profiles(rules)],
                          message="Choose a lab-monitoring profile.")
    if None in (jurisdiction, product_id, weight, mg_per_kg, target, profile) or not form.ok:
        return None
    assert jurisdiction and product_id and weight and mg_per_kg and target and profile
    return CourseInputs(jurisdiction, product_id, weight, mg_per_kg, start_date, target,
                        start_mg, start_days, form.checkbox("severe"), profile,
                        form.checkbox("home_tests_allowed"))


def lab_profiles(rules: Rulebook) -> dict[str, str]:
    """The lab-monitoring profiles the rule packs define (profile -> title), newest pack's
    wording."""
    found: dict[str, str] = {}
    for pack in sorted(rules.library.packs, key=lambda p: p.effective_from):
        for spec in pack.rules:
            if spec.kind == "lab-schedule":
                found[str(spec.value("profile"))] = spec.title
    return found


# -- the eligibility checklist --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Eligibility:
    assessed_on: dt.date
    iga: int | None
    gags: GagsScore | None
    #: The sum of the regions graded so far (a GAGS still being filled in).
    gags_partial: int
    checks: Mapping[str, bool]
    ok: bool

    @property
    def reasons(self) -> list[str]:
        """The reasons for isotretinoin the AAD 2024 guideline names that are ticked
        ("acne that is severe, causing psychosocial burden or scarring, or failing
        standard oral or topical therapy", clinical.md §4.1)."""
        out = []
        if named_severe(self.iga, self.gags):
            out.append("severe acne (IGA 4, or a GAGS of 31 or more)")
        if self.checks.get("psychosocial"):
            out.append("psychosocial burden")
        if self.checks.get("scarring"):
            out.append("scarring")
        if self.checks.get("resistant"):
            out.append("failing standard oral or topical therapy")
        return out


def read_eligibility(form: Form, today: dt.date) -> Eligibility:
    before = len(form.errors)
    raw = form.choice("iga", [str(g) for g in range(5)], message="Choose the IGA grade.")
    iga = int(raw) if raw is not None else None
    grades: dict[str, int] = {}
    for region in GAGS_REGIONS:
        name = f"gags_{region.key}"
        value = form.choice(name, ("0", "1", "2", "3", "4"), required=False,
                            message="Choose one of the lesions listed.")
        if value is not None:
            grades[region.key] = int(value)
    score = None
    if grades:
        try:
            score = gags_score(grades)
        except InvalidInput:
            for region in GAGS_REGIONS:
                if region.key not in grades and not form.errors.get(f"gags_{region.key}"):
                    form.error(f"gags_{region.key}", f"Choose the most severe lesion on the "
                               f"{region.label.lower()} (none if there is no lesion), or "
                               "leave the whole GAGS empty.")
    factors = {r.key: r.factor for r in GAGS_REGIONS}
    return Eligibility(today, iga, score, sum(factors[k] * g for k, g in grades.items()),
                       {c: form.checkbox(c) for c in _CHECKS}, len(form.errors) == before)


def eligibility_extension(e: Eligibility) -> dict[str, Any]:
    """The checklist as the course's extension ``{"isocourse": {"eligibility": ...}}``."""
    body: dict[str, Any] = {"assessed_on": e.assessed_on.isoformat()}
    if e.iga is not None:
        body["iga"] = {"grade": e.iga, "name": iga_grade(e.iga).name, "source": IGA_SOURCE}
    if e.gags is not None:
        body["gags"] = {"regions": dict(e.gags.grades), "total": e.gags.total,
                        "band": e.gags.band.value, "source": GAGS_SOURCE}
    body.update({"nodular": e.checks["nodular"], "resistant": e.checks["resistant"],
                 "scarring": e.checks["scarring"],
                 "psychosocial_burden": e.checks["psychosocial"]})
    return {"isocourse": {"eligibility": body}}


def eligibility_words(extensions: Mapping[str, Any] | None) -> str | None:
    """A stored checklist in a few words (None when the course has none)."""
    ours = (extensions or {}).get("isocourse")
    found = ours.get("eligibility") if isinstance(ours, dict) else None
    if not isinstance(found, dict):
        return None
    parts = []
    iga, gags = found.get("iga"), found.get("gags")
    if isinstance(iga, dict):
        parts.append(f"IGA {iga.get('grade')} ({iga.get('name')})")
    if isinstance(gags, dict):
        parts.append(f"GAGS {gags.get('total')} ({gags.get('band')})")
    names = {"nodular": "nodular", "resistant": "resistant to earlier treatment",
             "scarring": "scarring", "psychosocial_burden": "psychosocial burden"}
    parts += [text for key, text in names.items() if found.get(key) is True]
    return ", ".join(parts) + f"; assessed {found.get('assessed_on')}"


# -- the daily dose in mg/kg ----------------------------------------------------------------


def _range_text(product: Product) -> str:
    return f"{product.usual_min_mg_per_kg}-{product.usual_max_mg_per_kg}"


def dose_labels(product: Product | None, catalog: Catalog) -> dict[str, str]:
    """The words of the dose choices: the chosen product's label range, else every range."""
    if product is not None:
        return {"low": f"{product.usual_min_mg_per_kg} mg/kg/day: the lower end of the "
                       f"label's usual range for {product.id} ({_range_text(product)})",
                "high": f"{product.usual_max_mg_per_kg} mg/kg/day: the upper end of the "
                        f"label's usual range for {product.id}"}
    ranges: dict[str, list[str]] = {}
    for p in catalog:
        ranges.setdefault(_range_text(p), []).append(p.id)
    common = max(ranges, key=lambda r: len(ranges[r]))
    others = "; ".join(f"{r} for {', '.join(ids)}" for r, ids in ranges.items() if r != common)
    low, high = common.split("-")
    tail = f" ({others})" if others else ""
    return {"low": f"The lower end of the product's usual range: {low} mg/kg/day{tail}",
            "high": f"The upper end of the product's usual range: {high} mg/kg/day{tail}"}


def product_options(catalog: Catalog) -> list[tuple[str, str]]:
    """Each product as a choice: market, family, strengths, label range and ceiling."""
    return [(p.id, f"{p.name} ({p.id}): {p.market}, {p.family.value}; capsules "
             f"{', '.join(str(s) for s in p.strengths_mg)} mg; usual {_range_text(p)} "
             f"mg/kg/day, at most {p.ceiling_mg_per_kg} for severe disease; take "
             f"{'with food' if p.food is Food.WITH_FOOD else 'with or without food'}")
            for p in catalog]


def capsule_text(counts: tuple[CapsuleCount, ...]) -> str:
    return " + ".join(f"{c.count} × {c.strength_mg} mg" for c in counts) or "none"


@dataclass(frozen=True, slots=True)
class DoseRow:
    daily_mg: int
    mg_per_kg: Decimal
    morning: str
    evening: str
    kind: str        # low, usual, severe
    range_text: str
    once_daily: bool
    chosen: bool


def per_kg(daily_mg: int, weight: Decimal) -> Decimal:
    """mg/kg/day of a daily total, to 3 places (half up): the value the "use" buttons put
    in the form, so the planner rounds it back to the same total."""
    return (Decimal(daily_mg) / weight).quantize(_MG_PER_KG, ROUND_HALF_UP)


def dose_choices(product: Product, weight: Decimal, *, severe: bool,
                 current: Plan | None) -> list[DoseRow]:
    """Every daily total the product's capsules make, up to the usual maximum at this
    weight (the label ceiling with the severe-disease indication), each in mg/kg/day:
    the "20 mg or 40 mg" choice made explicit."""
    table = table_for(product)
    limit = (product.ceiling_mg_per_kg if severe else product.usual_max_mg_per_kg) * weight
    chosen = current.phases[-1].dose.total_mg if current is not None else None
    rows = []
    for total in range(product.smallest_strength_mg, int(limit) + 1):
        dose = table.dose(total)
        if dose is None:
            continue
        value = per_kg(total, weight)
        if value < product.usual_min_mg_per_kg:
            kind, text = "low", "low dose (off-label)"
        elif value <= product.usual_max_mg_per_kg:
            kind, text = "usual", "usual range"
        else:
            kind, text = "severe", "severe disease only"
        rows.append(DoseRow(total, value, capsule_text(dose.am), capsule_text(dose.pm), kind,
                            text, dose.once_daily, total == chosen))
    return rows


def apply_dose_button(form: Form) -> str:
    """The submit button pressed: ``plan``, ``save`` or ``gags``. A "use N mg a day" button
    puts that total's mg/kg/day in the form and shows the plan."""
    daily = form.values.pop("use_daily_mg", "").strip()
    weight = chosen_weight(form)
    if daily.isdigit() and 0 < int(daily) <= 2000 and weight is not None:
        form.values["dose_choice"] = "other"
        form.values["mg_per_kg"] = str(per_kg(int(daily), weight))
        return "plan"
    action = form.value("action")
    return action if action in ("plan", "save", "gags") else "plan"


_CLI_FLAG = re.compile(r" \(--[a-z-]+\)")


def place_plan_error(form: Form, error: InvalidInput, *, new_patient: bool) -> None:
    """A planner's refusal next to the field it is about."""
    dose_field = "mg_per_kg" if form.value("dose_choice") == "other" else "dose_choice"
    message = error.message.replace(
        "(--severe)", "(tick “Very severe, scarring or truncal disease”)")
    message = _CLI_FLAG.sub("", message)
    text = message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
    by_field = {"weight": "weight_kg", "mg_per_kg": dose_field, "target": "target_mg_per_kg",
                "start_days": "start_days", "product": "product", "start_date": "start_date",
                "age": "birth_date" if new_patient else None}
    target: str | None
    if error.field in by_field:
        target = by_field[error.field]
    elif isinstance(error, DoseRefused | PlanRefused):
        target = ("start_mg_per_kg" if "starting dose" in message else
                  "start_days" if "titration" in message else
                  ("birth_date" if new_patient else None) if "years of age" in message else
                  None if "alternating" in message else dose_field)
    else:
        target = SERVICE_FIELDS.get(error.field or "")
    if target is None:
        form.summary = text
    else:
        form.error(target, text)


#: The fields whose values make the plan (and what is saved with it).
_PLANNED = ("external_id", "birth_date", "can_get_pregnant", "jurisdiction", "product",
            "weight_kg", "start_date", "dose_choice", "mg_per_kg", "target_mg_per_kg",
            "start_mg_per_kg", "start_days", "severe", "lab_profile", "home_tests_allowed",
            "iga", *(f"gags_{r.key}" for r in GAGS_REGIONS), *_CHECKS)


def plan_key(form: Form) -> str:
    """A fingerprint of what the plan was made from: a save must match the plan shown."""
    values = {k: form.value(k).strip() for k in _PLANNED}
    if values["dose_choice"] != "other":
        values["mg_per_kg"] = ""
    text = json.dumps(values, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# -- the plan as shown ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhaseRow:
    days: str
    when: str
    daily_mg: int
    mg_per_kg: Decimal
    morning: str
    evening: str


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: Plan
    key: str
    eligibility: Eligibility
    #: No first-dose date was given: the plan counts from today.
    start_unknown: bool

    @property
    def weeks(self) -> Decimal:
        return (Decimal(self.plan.days_to_target) / 7).quantize(Decimal("0.1"))

    @property
    def months(self) -> Decimal:
        """Calendar months of 365.25 / 12 days (a display: the plan counts days)."""
        return (Decimal(self.plan.days_to_target) * 12 / Decimal("365.25")).quantize(
            Decimal("0.1"))

    @property
    def food(self) -> str:
        return "with food" if self.plan.product.food is Food.WITH_FOOD else \
            "with or without food"

    @property
    def phases(self) -> list[PhaseRow]:
        rows = []
        for phase in self.plan.phases:
            span = f"{phase.start_day}–{phase.start_day + phase.days - 1}"
            doses = [phase.dose] + ([phase.alternate_dose] if phase.alternate_dose else [])
            for index, dose in enumerate(doses):
                when = ("odd days" if index == 0 else "even days") if len(doses) > 1 \
                    else "every day"
                rows.append(PhaseRow(span if index == 0 else "", when, dose.total_mg,
                                     phase.mg_per_kg, capsule_text(dose.am),
                                     capsule_text(dose.pm)))
        return rows

    @property
    def warnings(self) -> list[tuple[str, str]]:
        """The planner's advisories, but the alternating pattern (the page says it in its
        own words: a course started here uses the single daily total)."""
        return [(w.code, w.message) for w in self.plan.warnings
                if w.code != "alternating-pattern-available"]
