"""Isotretinoin supply and intake, both ways: ``prescription``, ``dispense`` and ``dose``.

Every resource here names its medication by ``medicationCodeableConcept`` with the
isotretinoin codings of codes.toml; an import accepts any code of the isotretinoin value set
and refuses anything else (and a ``medicationReference``, which it cannot check).

- ``prescription`` → MedicationRequest, ``intent`` order, ``basedOn`` the course:
  ``authoredOn`` = date, ``daily_mg`` = ``dosageInstruction[0].doseAndRate[0].rateRatio``
  (mg per 1 d: the record gives the day's total, not how it is split),
  ``days_supply`` = ``dispenseRequest.expectedSupplyDuration`` (d), ``refills`` =
  ``dispenseRequest.numberOfRepeatsAllowed``, ``product`` = extension ``product``.
- ``dispense`` → MedicationDispense, status completed: ``whenHandedOver`` = date,
  ``daysSupply`` (d), ``daily_mg`` as for a prescription.
- ``dose`` → MedicationStatement: ``effectiveDateTime`` = date, ``mg`` =
  ``dosage[0].doseAndRate[0].doseQuantity``, ``taken`` = status completed / not-taken (a
  superseded dose is entered-in-error and keeps ``taken`` in the extension ``dose-taken``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isocourse.adapters.fhir.codes import is_isotretinoin, tables
from isocourse.adapters.fhir.mapping.common import (
    RETRACTED,
    Links,
    concept,
    extension,
    quantity,
    read_common,
    read_quantity,
    read_status,
    with_common,
)
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report
from isocourse.domain.record import EventType

__all__ = [
    "PRESCRIPTION_INTENTS",
    "check_medication",
    "dispense_resource",
    "dose_resource",
    "isotretinoin",
    "prescription_resource",
    "read_dispense",
    "read_dose",
    "read_prescription",
]

#: MedicationRequest intents that are a prescription written (``plan`` is the course).
PRESCRIPTION_INTENTS = ("order", "original-order", "reflex-order", "filler-order", "instance-order")


def isotretinoin() -> dict[str, Any]:
    return concept(tables().written("isotretinoin"), "isotretinoin")


def _daily(daily_mg: int) -> dict[str, Any]:
    return {
        "text": f"{daily_mg} mg a day",
        "doseAndRate": [
            {"rateRatio": {"numerator": quantity(daily_mg, "mg"), "denominator": quantity(1, "d")}}
        ],
    }


def _status(event: Mapping[str, Any], links: Links, normal: str) -> str:
    return RETRACTED if event.get("id") in links.superseded else normal


def prescription_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    resource = {
        "resourceType": "MedicationRequest",
        "status": _status(event, links, "active"),
        "intent": "order",
        "medicationCodeableConcept": isotretinoin(),
        "subject": {"reference": links.patient},
        "basedOn": [{"reference": links.course}],
        "authoredOn": event["date"],
        "dosageInstruction": [_daily(event["daily_mg"])],
        "dispenseRequest": {
            "numberOfRepeatsAllowed": event["refills"],
            "expectedSupplyDuration": quantity(event["days_supply"], "d"),
        },
    }
    own = [extension("product", "valueString", event["product"])] if "product" in event else []
    return with_common(resource, event, own=own)


def dispense_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    resource = {
        "resourceType": "MedicationDispense",
        "status": _status(event, links, "completed"),
        "medicationCodeableConcept": isotretinoin(),
        "subject": {"reference": links.patient},
        "daysSupply": quantity(event["days_supply"], "d"),
        "whenHandedOver": event["date"],
        "dosageInstruction": [_daily(event["daily_mg"])],
    }
    return with_common(resource, event)


def dose_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    retracted = event.get("id") in links.superseded
    resource = {
        "resourceType": "MedicationStatement",
        "status": RETRACTED if retracted else ("completed" if event["taken"] else "not-taken"),
        "medicationCodeableConcept": isotretinoin(),
        "subject": {"reference": links.patient},
        "effectiveDateTime": event["date"],
        "dosage": [{"doseAndRate": [{"doseQuantity": quantity(event["mg"], "mg")}]}],
    }
    own = [extension("dose-taken", "valueBoolean", event["taken"])] if retracted else []
    return with_common(resource, event, own=own)


def check_medication(resource: Node, report: Report) -> None:
    """The medication must be isotretinoin, named by a code of the value set."""
    if resource.at("medicationReference").present:
        report.add(
            resource.at("medicationReference").path,
            "expected medicationCodeableConcept: a referenced Medication is not read",
        )
    elif not is_isotretinoin(resource.at("medicationCodeableConcept").value):
        report.add(
            resource.at("medicationCodeableConcept").path,
            "not isotretinoin: expected a code of the isotretinoin value set "
            "(RxNorm, SNOMED CT or ATC; see codes.toml)",
        )


def _event(
    resource: Node, kind: EventType, date: str, report: Report, own: Mapping[str, str] | None = None
) -> tuple[Draft, dict[str, Node]]:
    draft = Draft(resource)
    draft.put("type", kind.value, resource.path)
    found = read_common(resource, draft, report, own)
    check_medication(resource, report)
    draft.take("date", resource.at(date))
    return draft, found


def read_prescription(resource: Node, report: Report) -> Draft:
    draft, own = _event(
        resource, EventType.PRESCRIPTION, "authoredOn", report, {"product": "valueString"}
    )
    read_status(resource, draft, report, ("active", "on-hold", "completed", "stopped"))
    if resource.at("doNotPerform").value is True:
        report.add(resource.at("doNotPerform").path, "a request not to give is not a prescription")
    _read_daily(resource.at("dosageInstruction"), draft, report)
    supply = resource.at("dispenseRequest")
    read_quantity(supply.at("expectedSupplyDuration"), draft, "days_supply", report, ("d",))
    draft.take("refills", supply.at("numberOfRepeatsAllowed"))
    if "product" in own:
        draft.take("product", own["product"])
    return draft


def read_dispense(resource: Node, report: Report) -> Draft:
    draft, _ = _event(resource, EventType.DISPENSE, "whenHandedOver", report)
    read_status(resource, draft, report, ("completed",))
    _read_daily(resource.at("dosageInstruction"), draft, report)
    read_quantity(resource.at("daysSupply"), draft, "days_supply", report, ("d",))
    return draft


def read_dose(resource: Node, report: Report) -> Draft:
    draft, own = _event(
        resource, EventType.DOSE, "effectiveDateTime", report, {"dose-taken": "valueBoolean"}
    )
    status = resource.at("status")
    if status.value in ("completed", "not-taken"):
        draft.put("taken", status.value == "completed", status.path)
    else:
        read_status(resource, draft, report, ("completed", "not-taken"))
        if "dose-taken" in own:
            draft.take("taken", own["dose-taken"])
        elif status.value == RETRACTED:
            report.add(
                resource.at("extension").path,
                "missing the isocourse extension dose-taken (a retracted dose keeps it)",
            )
    dosages = resource.at("dosage").items()
    rates = dosages[0].at("doseAndRate").items() if len(dosages) == 1 else []
    if len(rates) != 1:
        draft.where("mg", resource.at("dosage").path)
        if dosages:
            report.add(resource.at("dosage").path, "expected one dose quantity in mg")
        return draft
    read_quantity(rates[0].at("doseQuantity"), draft, "mg", report, ("mg",))
    return draft


def _read_daily(instructions: Node, draft: Draft, report: Report) -> None:
    """``daily_mg`` from one dosage instruction whose one rate is mg per 1 day."""
    items = instructions.items()
    rates = items[0].at("doseAndRate").items() if len(items) == 1 else []
    ratio = rates[0].at("rateRatio") if len(rates) == 1 else None
    if ratio is None or not ratio.present:
        draft.where("daily_mg", instructions.path)
        if items:
            report.add(
                instructions.path, "expected one dosage instruction with one rateRatio: mg per 1 d"
            )
        return
    per = ratio.at("denominator")
    one = per.at("value").value
    if not (
        one == 1
        and not isinstance(one, bool)
        and per.at("code").value == "d"
        and per.at("system").value == tables().systems["ucum"]
    ):
        report.add(per.path, "expected a rate per 1 d (UCUM)")
    read_quantity(ratio.at("numerator"), draft, "daily_mg", report, ("mg",))
