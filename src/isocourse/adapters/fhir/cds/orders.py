"""Reading the draft MedicationRequests of an order hook into :class:`DraftOrder` values.

EHRs send drafts, not the MedicationRequests isocourse exports: ``status`` is ``draft``, a
dose is usually a ``doseQuantity`` with a timing (``20 mg``, twice a day) rather than the
mapping's mg-per-day ``rateRatio``, and details may still be missing (order-select). So
this reader is tolerant where ``mapping/medication.py`` is strict: it takes what it can
read exactly and leaves the rest ``None`` (a card that needs it is then not made). What it
shares with the mapping is the isotretinoin value set (``codes.is_isotretinoin``), the
isocourse ``product`` extension and UCUM.

Read here:

* isotretinoin: ``medicationCodeableConcept``, or a ``medicationReference`` to a contained
  Medication (``#id``) or one in the draft Bundle (``Medication/id``), whose ``code`` has a
  code of the value set;
* ``daily_mg``: the sum over the dosage instructions of the first ``sequence`` of mg per
  day - a ``rateRatio`` in mg per days, or an mg ``doseQuantity`` times the timing's
  ``frequency`` per ``period`` (d, h, wk) or a timing code (QD, BID, TID, QID, AM, PM, QHS);
  a whole number of mg or nothing;
* ``days_supply``: ``dispenseRequest.expectedSupplyDuration`` in d or wk, whole days;
* ``refills``: ``dispenseRequest.numberOfRepeatsAllowed`` (absent: 0);
* ``product``: the isocourse ``product`` extension; ``family``: the formulation family a
  medication code names (:data:`FAMILY_CODES`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from isocourse.adapters.fhir.codes import codings_of, extension_url, is_isotretinoin, tables
from isocourse.services.cds.hooks import DraftOrder

__all__ = ["FAMILY_CODES", "ReadOrder", "read_isotretinoin_orders"]

#: RxNorm codes of the isotretinoin value set that name a formulation family
#: (shared/reference/clinical.md §9.4): the micronized SCDs and the ABSORICA LD SBDs
#: (micronized), and the ABSORICA SBD (Lidose, as the catalog's ABSORICA). The plain
#: "isotretinoin N MG Oral Capsule" SCDs name no family.
FAMILY_CODES: Mapping[str, str] = {
    **dict.fromkeys(("2262729", "2262711", "2262714", "2262721", "2262725",   # SCD
                     "2262731", "2262713", "2262715", "2262719", "2262723"),  # SBD
                    "micronized"),
    "1547567": "lidose",
}

#: HL7 v3 GTSAbbreviation timing codes with a fixed number of doses a day.
_TIMING_CODES = {"QD": 1, "AM": 1, "PM": 1, "QHS": 1, "BID": 2, "TID": 3, "QID": 4}
_PERIOD_DAYS = {"d": Fraction(1), "h": Fraction(1, 24), "wk": Fraction(7)}
_DAYS = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7}


@dataclass(frozen=True, slots=True)
class ReadOrder:
    """A draft isotretinoin order and the resource it was read from (suggestions update a
    copy of it)."""

    order: DraftOrder
    resource: Mapping[str, Any]


def read_isotretinoin_orders(bundle: Mapping[str, Any],
                             selections: Sequence[str] | None = None) -> list[ReadOrder]:
    """The isotretinoin MedicationRequests of a ``draftOrders`` Bundle (only the selected
    ones when ``selections`` is given: order-select)."""
    entries = [e.get("resource") for e in _list(bundle.get("entry")) if isinstance(e, dict)]
    resources = [r for r in entries if isinstance(r, dict)]
    medications = {f"Medication/{r['id']}": r for r in resources
                   if r.get("resourceType") == "Medication" and isinstance(r.get("id"), str)}
    found = []
    for index, resource in enumerate(resources):
        if resource.get("resourceType") != "MedicationRequest":
            continue
        rid = resource.get("id")
        order_id = f"MedicationRequest/{rid}" if isinstance(rid, str) and rid \
            else f"draftOrders.entry[{index}]"
        if selections is not None and order_id not in selections:
            continue
        concept = _medication(resource, medications)
        if not is_isotretinoin(concept):
            continue
        supply = resource.get("dispenseRequest")
        supply = supply if isinstance(supply, dict) else {}
        found.append(ReadOrder(DraftOrder(
            order_id=order_id, daily_mg=_daily_mg(resource.get("dosageInstruction")),
            days_supply=_days(supply.get("expectedSupplyDuration")),
            refills=_count(supply.get("numberOfRepeatsAllowed")), product=_product(resource),
            family=_family(concept)), resource))
    return found


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def _medication(resource: Mapping[str, Any], medications: Mapping[str, Any]) -> object:
    if "medicationCodeableConcept" in resource:
        return resource["medicationCodeableConcept"]
    reference = resource.get("medicationReference")
    ref = reference.get("reference") if isinstance(reference, dict) else None
    if not isinstance(ref, str):
        return None
    if ref.startswith("#"):
        contained = [c for c in _list(resource.get("contained")) if isinstance(c, dict)
                     and c.get("resourceType") == "Medication" and c.get("id") == ref[1:]]
        return contained[0].get("code") if contained else None
    target = medications.get(ref)
    return target.get("code") if target is not None else None


def _family(concept: object) -> str | None:
    rxnorm = tables().systems["rxnorm"]
    families = {FAMILY_CODES[code] for system, code in codings_of(concept)
                if system == rxnorm and code in FAMILY_CODES}
    return families.pop() if len(families) == 1 else None


def _product(resource: Mapping[str, Any]) -> str | None:
    url = extension_url("product")
    for item in _list(resource.get("extension")):
        if isinstance(item, dict) and item.get("url") == url \
                and isinstance(item.get("valueString"), str):
            return str(item["valueString"])
    return None


def _number(value: object) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Fraction(str(value))
    except (ValueError, OverflowError):
        return None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else 0


def _days(duration: object) -> int | None:
    if not isinstance(duration, dict):
        return None
    value = _number(duration.get("value"))
    unit = duration.get("code") or duration.get("unit")
    if value is None or not isinstance(unit, str) or unit.lower() not in _DAYS:
        return None
    days = value * _DAYS[unit.lower()]
    return int(days) if days.denominator == 1 and days > 0 else None


def _mg(quantity: object) -> Fraction | None:
    if not isinstance(quantity, dict):
        return None
    unit = quantity.get("code") or quantity.get("unit")
    if not isinstance(unit, str) or unit.lower() != "mg":
        return None
    return _number(quantity.get("value"))


def _daily_mg(instructions: object) -> int | None:
    items = [i for i in _list(instructions) if isinstance(i, dict)]
    if not items:
        return None
    sequences: list[int] = [i["sequence"] for i in items if isinstance(i.get("sequence"), int)]
    first = min(sequences) if sequences else None
    total = Fraction(0)
    for item in items:
        if first is not None and item.get("sequence") not in (first, None):
            continue
        per_day = _per_day(item)
        if per_day is None:
            return None
        total += per_day
    return int(total) if total.denominator == 1 and total > 0 else None


def _per_day(instruction: Mapping[str, Any]) -> Fraction | None:
    rates = _list(instruction.get("doseAndRate"))
    for rate in rates:
        ratio = rate.get("rateRatio") if isinstance(rate, dict) else None
        if isinstance(ratio, dict):
            mg = _mg(ratio.get("numerator"))
            days = _days(ratio.get("denominator"))
            return mg / days if mg is not None and days else None
    doses = [r.get("doseQuantity") for r in rates if isinstance(r, dict)]
    dose = _mg(doses[0]) if doses else _mg(instruction.get("doseQuantity"))
    times = _times_a_day(instruction.get("timing"))
    return dose * times if dose is not None and times is not None else None


def _times_a_day(timing: object) -> Fraction | None:
    if not isinstance(timing, dict):
        return None
    repeat = timing.get("repeat")
    if isinstance(repeat, dict) and ("frequency" in repeat or "period" in repeat):
        frequency = _number(repeat.get("frequency", 1))
        period = _number(repeat.get("period", 1))
        unit = repeat.get("periodUnit", "d")
        if frequency is None or not period or unit not in _PERIOD_DAYS:
            return None
        return frequency / (period * _PERIOD_DAYS[unit])
    code = timing.get("code")
    for _system, value in codings_of(code):
        if value in _TIMING_CODES:
            return Fraction(_TIMING_CODES[value])
    return None
