"""The monthly prescription: the rules' verdict first, then the prescriber signs.

* ``GET /courses/{id}/prescribe``: the form, filled with the planned dose for the next
  supply (the plan's phase on the first day not yet covered by dispensed supply; without a
  stored plan, the last prescription's dose), 30 days, no refills, the course's product and
  today; beside it the capsules that dose takes and its mg/kg at the latest weight.
* ``POST`` with ``action=preview``: ``services.prescriptions.write_prescription(preview=True)``
  (nothing saved) and the verdict: refused or not, every finding with its severity, message
  and source, the window, the cumulative dose with this supply. The same form then carries
  the previewed values (a fingerprint) and the course version they were judged on.
* ``POST`` with ``action=sign`` (prescribers only; a delegate sees the verdict and is told
  the prescriber signs): if anything differs from what was previewed - the values, or the
  course itself (``expected_version``) - the page previews again instead of signing; a
  signed prescription is answered 303 to ``/courses/{id}/prescribe/signed``, which shows its
  id (the reference the pharmacist looks up) and the pick-up window.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web.event_forms import read_text
from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.pages.record import (
    assessment_context,
    course_facts,
    require_care_team,
)
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.domain.capsules import CapsuleCount, DailyDose
from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.dosing import table_for
from isocourse.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RecordError,
    VersionMismatch,
)
from isocourse.domain.products import Food, Product
from isocourse.domain.record import (
    MAX_DAILY_MG,
    MAX_DAYS_SUPPLY,
    MAX_REFILLS,
    CourseRecord,
    Dispense,
    Prescription,
    Weight,
)
from isocourse.rules.model import Assessment
from isocourse.services import assessments, courses, prescriptions
from isocourse.services.access import Action, may
from isocourse.services.course_store import LoadedCourse
from isocourse.services.prescriptions import PrescriptionVerdict, WritePrescription

__all__ = ["RxValues", "capsule_words", "latest_weight", "planned_daily_mg", "projection",
           "router", "shown"]

router = APIRouter(include_in_schema=False)

_FIELDS = {"daily_mg": "daily_mg", "days_supply": "days_supply", "refills": "refills",
           "product": "product", "date": "date", "note": "note"}
DEFAULT_DAYS = 30


# -- what the page works out (pure) ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RxValues:
    daily_mg: int
    days_supply: int
    refills: int
    product: str
    date: dt.date
    note: str | None

    def fingerprint(self) -> str:
        """The values as one string: signing compares it with what was previewed."""
        return json.dumps([self.daily_mg, self.days_supply, self.refills, self.product,
                           self.date.isoformat(), self.note or ""])


def planned_daily_mg(plan: Mapping[str, Any] | None, supplied_days: int) -> int | None:
    """The plan's daily mg on day ``supplied_days + 1`` of the course (the first day the
    dispensed supply does not cover); past the last phase, the last phase's dose."""
    phases = (plan or {}).get("phases") or []
    day = supplied_days + 1
    for phase in phases:
        if phase["start_day"] <= day < phase["start_day"] + phase["days"]:
            return int(phase["daily_mg"])
    return int(phases[-1]["daily_mg"]) if phases else None


def supplied_days(record: CourseRecord) -> int:
    return sum(d.days_supply for d in record.events_of(Dispense))


def latest_weight(record: CourseRecord, on: dt.date) -> Decimal:
    weights = [w for w in record.events_of(Weight) if w.date <= on]
    return weights[-1].kg if weights else record.patient.weight_kg


def default_daily_mg(course: LoadedCourse) -> int | None:
    planned = planned_daily_mg(course.header.plan, supplied_days(course.record))
    if planned is not None:
        return planned
    written = course.record.events_of(Prescription)
    return written[-1].daily_mg if written else None


def _counts(counts: tuple[CapsuleCount, ...]) -> str:
    return " + ".join(f"{c.count} × {c.strength_mg} mg" for c in counts)


def capsule_words(dose: DailyDose) -> list[tuple[str, str]]:
    """``[("Morning", "1 × 20 mg"), ("Evening", "1 × 20 mg")]``, leaving out an empty time."""
    return [(when, _counts(counts)) for when, counts in (("Morning", dose.am),
                                                          ("Evening", dose.pm)) if counts]


def projection(assessment: Assessment, rx: RxValues, weight: Decimal, product: Product,
               target_mg_per_kg: Decimal | None) -> dict[str, Any]:
    """The cumulative dose so far (the engine's), and with this prescription's whole supply
    (every refill included) taken at the latest weight, counted on the course's basis
    (conventional-equivalent mg for micronized products, ADR 0002). Exact fractions; the
    page shows them rounded half-even to one decimal place (:func:`shown`)."""
    supply_mg = rx.daily_mg * rx.days_supply * (1 + rx.refills)
    basis = CumulativeBasis(assessment.cumulative.basis)
    added = Fraction(supply_mg) / Fraction(weight)
    if basis is CumulativeBasis.EQUIVALENT:   # counted mg = raw mg / factor (domain.cumulative)
        added /= Fraction(product.equivalence_factor)
    after = Fraction(assessment.cumulative.mg_per_kg) + added
    share = None if not target_mg_per_kg else after / Fraction(target_mg_per_kg) * 100
    return {"so_far": Fraction(assessment.cumulative.mg_per_kg),
            "so_far_mg": Fraction(assessment.cumulative.mg), "supply_mg": Fraction(supply_mg),
            "added": added, "after": after, "target": target_mg_per_kg, "percent": share,
            "equivalent": basis is CumulativeBasis.EQUIVALENT}


def shown(value: Fraction | Decimal | None, places: int = 1) -> Decimal | None:
    """A number for the page: rounded half-even to ``places`` decimal places."""
    if value is None:
        return None
    exact = Fraction(value)
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        quantum, rounding=ROUND_HALF_EVEN)


def _target(course: LoadedCourse) -> Decimal | None:
    value = (course.header.plan or {}).get("target_mg_per_kg")
    return None if value is None else Decimal(str(value))


# -- the form -------------------------------------------------------------------------------

def _products(course: LoadedCourse, ports: Ports) -> list[Product]:
    """The course's product first, then the others sold in the same market."""
    catalog = ports.clinic.rules.catalog
    try:
        own = catalog.get(course.record.course.product)
    except InvalidInput:
        return list(catalog)
    return [own, *(p for p in catalog if p.market == own.market and p.id != own.id)]


def _read(form: Form, products: list[Product], today: dt.date) -> RxValues | None:
    daily = form.integer("daily_mg", low=1, high=MAX_DAILY_MG)
    days = form.integer("days_supply", low=1, high=MAX_DAYS_SUPPLY)
    refills = form.integer("refills", low=0, high=MAX_REFILLS)
    product = form.choice("product", [p.id for p in products])
    day = form.date("date", not_after=today)
    note = read_text(form, "note", required=False, max_length=500)
    if not form.ok or daily is None or days is None or refills is None or product is None \
            or day is None:
        return None
    return RxValues(daily, days, refills, product, day, note)


def _dose_facts(product: Product, daily_mg: int | None, weight: Decimal) -> dict[str, Any]:
    dose = table_for(product).dose(daily_mg) if daily_mg else None
    return {"dose": dose, "capsules": capsule_words(dose) if dose else [],
            "with_food": product.food is Food.WITH_FOOD, "dose_product": product,
            "mg_per_kg": Decimal(daily_mg) / weight if daily_mg else None,
            "dose_mg": daily_mg}


def _page(request: Request, course: LoadedCourse, form: Form, ports: Ports, *,
          status: int = 200, verdict: PrescriptionVerdict | None = None,
          values: RxValues | None = None, notice: str | None = None) -> Response:
    today = ports.clinic.clock.today()
    products = _products(course, ports)
    weight = latest_weight(course.record, today)
    chosen = next((p for p in products if p.id == form.value("product")), products[0])
    typed = values.daily_mg if values else default_daily_mg(course)
    context: dict[str, Any] = {
        **course_facts(course, ports), "form": form, "max_date": today.isoformat(),
        "products": [(p.id, p.name) for p in products], "weight": weight,
        "planned_mg": default_daily_mg(course), "verdict": None, "refused": False,
        "may_sign": may(ports.actor, Action.SIGN_PRESCRIPTION), "notice": notice,
        "previewed": "", "version": "", "projection": None,
        **_dose_facts(chosen, typed, weight)}
    if verdict is not None and values is not None:
        context.update(assessment_context(verdict.assessment))
        context.update({
            "verdict": verdict, "refused": bool(verdict.refused),
            "previewed": values.fingerprint(), "version": str(verdict.course.header.version),
            "projection": {key: shown(value) if isinstance(value, Fraction) else value
                           for key, value in projection(verdict.assessment, values, weight,
                                                        chosen, _target(course)).items()}})
    return render(request, "prescriber/prescribe.html", context, status_code=status)


def _load(course_id: str, ports: Ports) -> LoadedCourse:
    return courses.get_course(course_id, **ports.read, rules=ports.clinic.rules)


@router.get("/courses/{course_id}/prescribe")
def prescribe_page(request: Request, course_id: str, user: WebUserDep,
                   ports: WebPorts) -> Response:
    require_care_team(user)
    course = _load(course_id, ports)
    planned = default_daily_mg(course)
    form = empty_form(daily_mg=str(planned or ""), days_supply=str(DEFAULT_DAYS), refills="0",
                      product=course.record.course.product,
                      date=ports.clinic.clock.today().isoformat())
    return _page(request, course, form, ports)


def _command(course_id: str, rx: RxValues) -> WritePrescription:
    return WritePrescription(course_id=course_id, daily_mg=rx.daily_mg,
                             days_supply=rx.days_supply, refills=rx.refills,
                             product=rx.product, date=rx.date, note=rx.note)


@router.post("/courses/{course_id}/prescribe")
async def prescribe(request: Request, course_id: str, user: WebUserDep,
                    ports: WebPorts) -> Response:
    require_care_team(user)
    course = _load(course_id, ports)
    form = await read_form(request)
    today = ports.clinic.clock.today()
    products = _products(course, ports)
    rx = _read(form, products, today)
    if rx is not None:
        product = next(p for p in products if p.id == rx.product)
        if table_for(product).dose(rx.daily_mg) is None:
            form.error("daily_mg", f"{rx.daily_mg} mg a day cannot be made up from the "
                       f"capsules of {product.name} ("
                       f"{', '.join(str(s) for s in product.strengths_mg)} mg).")
    if rx is None or not form.ok:
        return _page(request, course, form, ports, status=422)
    notice = None
    if form.value("action") == "sign":
        version = form.value("version")
        if form.value("previewed") != rx.fingerprint() or not version.isdigit():
            notice = ("The prescription was changed after the rules' verdict was shown. "
                      "Check the verdict for these values, then sign.")
        else:
            try:
                verdict = prescriptions.write_prescription(
                    _command(course_id, rx), preview=False, expected_version=int(version),
                    **ports.kw)
            except VersionMismatch:
                notice = ("The course changed after the verdict was shown (something was "
                          "recorded). Check the verdict again, then sign.")
            except (InvalidInput, RecordError, Conflict) as error:
                form.absorb(error, _FIELDS)
                return _page(request, course, form, ports,
                             status=409 if isinstance(error, Conflict) else 422)
            else:
                if verdict.saved:
                    return RedirectResponse(f"/courses/{course_id}/prescribe/signed",
                                            status_code=303)
                return _page(request, course, form, ports, status=422, verdict=verdict,
                             values=rx)
    try:
        verdict = prescriptions.write_prescription(
            _command(course_id, rx), preview=True, expected_version=None, **ports.kw)
    except (InvalidInput, RecordError, Conflict) as error:
        form.absorb(error, _FIELDS)
        return _page(request, course, form, ports,
                     status=409 if isinstance(error, Conflict) else 422)
    course = verdict.course
    return _page(request, course, form, ports, status=422 if verdict.refused else 200,
                 verdict=verdict, values=rx, notice=notice)


@router.get("/courses/{course_id}/prescribe/signed")
def signed_page(request: Request, course_id: str, user: WebUserDep,
                ports: WebPorts) -> Response:
    """The course's newest prescription: its id, what it is for, and the window."""
    require_care_team(user)
    course, assessment = assessments.assess_course(course_id, on=None, **ports.kw)
    written = course.record.events_of(Prescription)
    if not written:
        raise NotFound("no prescription has been written on this course")
    rx = written[-1]
    catalog = ports.clinic.rules.catalog
    try:
        product = catalog.get(rx.product or course.record.course.product)
    except InvalidInput:
        product = None
    dose = table_for(product).dose(rx.daily_mg) if product is not None else None
    return render(request, "prescriber/prescribe_signed.html", {
        **course_facts(course, ports), **assessment_context(assessment), "rx": rx,
        "rx_product": product, "capsules": capsule_words(dose) if dose else [],
        "window": assessment.window})
