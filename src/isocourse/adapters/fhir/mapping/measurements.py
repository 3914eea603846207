"""Measured quantities, both ways: ``lab`` and ``weight`` events as Observations.

- ``lab``: ``code`` = the isocourse analyte code plus the LOINC code for the analyte *in the
  value's unit* (mass/volume codes for mg/dL, moles/volume for mmol/L, activity for U/L;
  none where the references give none, e.g. HDL in mmol/L); ``value``/``unit`` =
  ``valueQuantity`` (UCUM); ``uln`` = ``referenceRange[0].high`` in the same unit.
- ``weight``: body weight (LOINC 29463-7), ``valueQuantity`` in kg.

The date is ``effectiveDateTime`` (a date). On import the analyte comes from either code
(they must agree), a UCUM unit converts exactly to the record unit where it can (g/L →
mg/dL, µkat/L → U/L, lb → kg), and a LOINC code that measures another kind of quantity
than the value's unit is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isocourse.adapters.fhir.codes import codings_of, local_system, tables
from isocourse.adapters.fhir.mapping.common import (
    RETRACTED,
    Links,
    concept,
    local,
    quantity,
    read_common,
    read_quantity,
    read_status,
    with_common,
)
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report
from isocourse.domain.record import LabAnalyte, LabUnit

__all__ = [
    "OBSERVATION_STATUSES",
    "analyte_codes",
    "body_weight",
    "lab_resource",
    "observation",
    "read_lab",
    "read_observation_event",
    "read_weight",
    "weight_resource",
]

#: The Observation statuses that mean a result stands.
OBSERVATION_STATUSES = ("final", "amended", "corrected")
_LAB_UNITS = tuple(unit.value for unit in LabUnit)
_ANALYTES = {analyte.value for analyte in LabAnalyte}


def observation(event: Mapping[str, Any], links: Links, code: dict[str, Any]) -> dict[str, Any]:
    """An Observation for an event: status (``entered-in-error`` when superseded,
    ``corrected`` when it corrects another), code, subject and date."""
    if event.get("id") in links.superseded:
        status = RETRACTED
    else:
        status = "corrected" if "supersedes" in event else "final"
    return {
        "resourceType": "Observation",
        "status": status,
        "code": code,
        "subject": {"reference": links.patient},
        "effectiveDateTime": event["date"],
    }


def read_observation_event(
    resource: Node, kind: str, report: Report, own: Mapping[str, str] | None = None
) -> tuple[Draft, dict[str, Node]]:
    """The members every Observation event has (type, date, status, common ones)."""
    draft = Draft(resource)
    draft.put("type", kind, resource.at("code").path)
    own_found = read_common(resource, draft, report, own)
    read_status(resource, draft, report, OBSERVATION_STATUSES)
    draft.take("date", resource.at("effectiveDateTime"))
    return draft, own_found


def body_weight(kg: Any, links: Links, event: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A body-weight Observation (dated when it is a ``weight`` event)."""
    code = concept(tables().written("body-weight"), "Body weight")
    if event is None:
        resource = {
            "resourceType": "Observation",
            "status": "final",
            "code": code,
            "subject": {"reference": links.patient},
        }
    else:
        resource = observation(event, links, code)
    resource["valueQuantity"] = quantity(kg, "kg")
    return resource


def weight_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    return with_common(body_weight(event["kg"], links, event), event)


def lab_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    analyte, unit = event["analyte"], event["unit"]
    codings = [local("lab-analyte", analyte), *tables().written(f"lab:{analyte}", unit)]
    resource = observation(event, links, concept(codings, analyte))
    resource["valueQuantity"] = quantity(event["value"], unit)
    if "uln" in event:
        resource["referenceRange"] = [{"high": quantity(event["uln"], unit)}]
    return with_common(resource, event)


def read_weight(resource: Node, report: Report) -> Draft:
    draft, _ = read_observation_event(resource, "weight", report)
    read_quantity(resource.at("valueQuantity"), draft, "kg", report, ("kg",))
    return draft


def analyte_codes(code: Node) -> dict[str, str]:
    """The analytes the codes of an Observation name: analyte → path of its coding."""
    found: dict[str, str] = {}
    for i, (system, value) in enumerate(codings_of(code.value)):
        path = f"{code.path}.coding[{i}].code"
        if system == local_system("lab-analyte"):
            found.setdefault(value, path)
        elif (name := tables().concept_of(system, value, "lab:")) is not None:
            found.setdefault(name.removeprefix("lab:"), path)
    return found


def read_lab(resource: Node, report: Report) -> Draft:
    draft, _ = read_observation_event(resource, "lab", report)
    code = resource.at("code")
    analytes = analyte_codes(code)
    if len(analytes) > 1:
        report.add(code.path, "the codes name different analytes")
    units = _LAB_UNITS
    for analyte, path in analytes.items():
        draft.put("analyte", analyte, path)
        if analyte in _ANALYTES:  # else the record parser names the analytes it knows
            units = tuple(unit.value for unit in LabAnalyte(analyte).units)
    value = resource.at("valueQuantity")
    unit = read_quantity(value, draft, "value", report, units)
    if unit is not None:
        draft.put("unit", unit, value.at("code").path)
        _check_code_units(code, unit, report)
    else:
        draft.where("unit", value.at("code").path)
    ranges = resource.at("referenceRange").items()
    if len(ranges) > 1:
        report.add(ranges[1].path, "expected at most one reference range")
    if ranges and ranges[0].at("high").present and unit is not None:
        read_quantity(ranges[0].at("high"), draft, "uln", report, (unit,))
    return draft


def _check_code_units(code: Node, unit: str, report: Report) -> None:
    """A LOINC code measures one kind of quantity: its unit must be the value's."""
    for i, (system, value) in enumerate(codings_of(code.value)):
        known = tables().code(system, value)
        if known is not None and known.unit is not None and known.unit != unit:
            report.add(
                f"{code.path}.coding[{i}].code",
                f"this code is for results in {known.unit}, the value is in {unit}",
            )
