"""What every event resource shares, both ways: identifier, note, correction, reason,
opaque record extensions, status, subject, quantities and local codes.

Record member → FHIR element (all event resources):

==============  ==========================================================================
``id``          ``identifier`` with system ``…/NamingSystem/event-id``
``note``        ``note[0].text`` (QuestionnaireResponse, which has no note: extension)
``supersedes``  extension ``supersedes``: ``valueReference.identifier`` (event-id system)
``reason``      extension ``reason``: ``valueString``
``extensions``  extension ``record-extensions``: ``valueString``, the JSON text
==============  ==========================================================================

An event that a later one supersedes is written with status ``entered-in-error``, so that
a FHIR reader who does not know the ``supersedes`` extension still sees it retracted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from isocourse.adapters.fhir.codes import extension_url, local_system, naming_system, tables
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report, as_decimal

__all__ = [
    "RETRACTED",
    "Links",
    "concept",
    "event_extensions",
    "exact_product",
    "extension",
    "local",
    "quantity",
    "read_common",
    "read_extensions",
    "read_json_object",
    "read_quantity",
    "read_status",
    "with_common",
]

RETRACTED = "entered-in-error"
_COMMON_EXTENSIONS = {
    "supersedes": "valueReference",
    "reason": "valueString",
    "record-extensions": "valueString",
}


@dataclass(frozen=True, slots=True)
class Links:
    """The fullUrls export refers to, and the ids of the events that are superseded."""

    patient: str
    course: str
    acne: str
    superseded: frozenset[str]


def extension(name: str, value_type: str, value: Any) -> dict[str, Any]:
    return {"url": extension_url(name), value_type: value}


def quantity(value: Any, unit: str) -> dict[str, Any]:
    """A UCUM quantity (``unit`` is both the human unit and the UCUM code)."""
    return {"value": value, "unit": unit, "system": tables().systems["ucum"], "code": unit}


def concept(codings: list[dict[str, str]], text: str) -> dict[str, Any]:
    return {"coding": codings, "text": text}


def local(system_name: str, code: str) -> dict[str, str]:
    """A coding in an isocourse code system."""
    return {"system": local_system(system_name), "code": code}


def event_extensions(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The correction, reason and opaque extensions of a record event, as FHIR extensions."""
    out = []
    if "supersedes" in event:
        out.append(
            extension(
                "supersedes",
                "valueReference",
                {"identifier": {"system": naming_system("event-id"), "value": event["supersedes"]}},
            )
        )
    if "reason" in event:
        out.append(extension("reason", "valueString", event["reason"]))
    if "extensions" in event:
        out.append(
            extension(
                "record-extensions", "valueString", json.dumps(event["extensions"], allow_nan=False)
            )
        )
    return out


def with_common(
    resource: dict[str, Any],
    event: Mapping[str, Any],
    *,
    one_identifier: bool = False,
    own: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """``resource`` with the event's common members added (see the module table); ``own``
    are the resource's other isocourse extensions."""
    extensions = [*own, *event_extensions(event)]
    if one_identifier and "note" in event:
        extensions.insert(0, extension("note", "valueString", event["note"]))
    if extensions:
        resource["extension"] = extensions
    if "id" in event:
        identifier = {"system": naming_system("event-id"), "value": event["id"]}
        resource["identifier"] = identifier if one_identifier else [identifier]
    if "note" in event and not one_identifier:
        resource["note"] = [{"text": event["note"]}]
    return resource


def read_extensions(resource: Node, report: Report, wanted: Mapping[str, str]) -> dict[str, Node]:
    """The isocourse extensions of a resource: name → the node of its value.

    ``wanted`` maps each extension this resource may carry to its ``value[x]`` element.
    Other systems' extensions are skipped (FHIR lets a reader ignore them; modifier
    extensions were refused before); an unknown isocourse extension, a repeated one or
    one with another value type is a problem.
    """
    found: dict[str, Node] = {}
    base = extension_url("")
    for ext in resource.at("extension").items():
        url = ext.at("url").text()
        if url is None or not url.startswith(base):
            continue
        name = url.removeprefix(base)
        if name not in wanted:
            report.add(ext.at("url").path, "unknown isocourse extension for this resource")
        elif name in found:
            report.add(ext.path, "the same isocourse extension is given twice")
        elif not ext.at(wanted[name]).present:
            report.add(ext.path, f"expected {wanted[name]}")
        else:
            found[name] = ext.at(wanted[name])
    return found


def read_common(
    resource: Node,
    draft: Draft,
    report: Report,
    own: Mapping[str, str] | None = None,
    *,
    note_extension: bool = False,
) -> dict[str, Node]:
    """Read the common members into ``draft``; returns the resource's ``own`` extensions
    (``own`` maps each extension name to its ``value[x]`` element)."""
    own = own or {}
    wanted = {**_COMMON_EXTENSIONS, **own}
    if note_extension:
        wanted["note"] = "valueString"
    found = read_extensions(resource, report, wanted)
    _read_identifier(resource, draft)
    if note_extension:
        if "note" in found:
            draft.take("note", found["note"])
    else:
        notes = resource.at("note").items()
        if len(notes) > 1:
            report.add(notes[1].path, "expected at most one note (the record keeps one)")
        if notes:
            draft.take("note", notes[0].at("text"))
    if "supersedes" in found:
        target = found["supersedes"].at("identifier")
        if target.at("system").text() != naming_system("event-id"):
            report.add(target.at("system").path, "expected the event-id naming system")
        draft.take("supersedes", target.at("value"))
    if "reason" in found:
        draft.take("reason", found["reason"])
    if "record-extensions" in found:
        read_json_object(found["record-extensions"], draft, "extensions", report)
    return {name: node for name, node in found.items() if name in own}


def read_json_object(node: Node, draft: Draft, member: str, report: Report) -> None:
    """A JSON object carried as text in a ``valueString``."""
    try:
        value = json.loads(node.value) if isinstance(node.value, str) else None
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        report.add(node.path, "expected the JSON text of an object")
        return
    draft.put(member, value, node.path)


def _read_identifier(resource: Node, draft: Draft) -> None:
    identifier = resource.at("identifier")
    candidates = identifier.items() if isinstance(identifier.value, list) else [identifier]
    for node in candidates:
        if node.at("system").text() == naming_system("event-id"):
            draft.take("id", node.at("value"))
            return


def read_status(resource: Node, draft: Draft, report: Report, accepted: tuple[str, ...]) -> None:
    """Accept the statuses that mean the fact happened; ``entered-in-error`` only for an
    event another entry supersedes (checked later, once every entry is read)."""
    status = resource.at("status")
    if status.value == RETRACTED:
        draft.retracted = status.path
    elif status.value not in accepted:
        quoted = ", ".join(f'"{s}"' for s in (*accepted, RETRACTED))
        report.add(status.path, f"expected one of {quoted}")


def read_quantity(
    node: Node, draft: Draft, member: str, report: Report, units: tuple[str, ...]
) -> str | None:
    """A UCUM quantity into ``draft[member]``, converted to one of the record ``units``
    when its UCUM unit converts exactly; returns the record unit, or ``None`` (reported)."""
    value = node.at("value")
    draft.where(member, value.path)
    if not node.present:
        return None
    if node.at("comparator").present:
        report.add(
            node.at("comparator").path,
            "a comparator is not accepted: the record holds exact values",
        )
        return None
    if node.at("system").value != tables().systems["ucum"]:
        report.add(node.at("system").path, "expected a UCUM unit (http://unitsofmeasure.org)")
        return None
    conversion = tables().units.get(node.at("code").text() or "")
    if conversion is None or conversion.to not in units:
        report.add(node.at("code").path, f"expected a unit convertible to {' or '.join(units)}")
        return None
    number = as_decimal(value.value)
    if conversion.factor == 1 or number is None:
        draft.take(member, value)
    else:
        draft.put(member, exact_product(number, conversion.factor), value.path)
    return conversion.to


def exact_product(number: Decimal, factor: Decimal) -> Decimal:
    """``number × factor`` exactly (with as many digits as it takes: a product has at most
    the digits of both), without trailing zeros from the factor (``1.2000`` → ``1.2``)."""
    digits = len(number.as_tuple().digits) + len(factor.as_tuple().digits)
    with localcontext() as context:
        context.prec = max(context.prec, digits)
        product = number * factor
        if product == product.to_integral_value():
            return Decimal(int(product))
        return product.normalize()
