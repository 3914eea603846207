"""Events recorded as Observations coded with the isocourse event type, both ways.

``code`` is the event type in ``…/CodeSystem/event-type``; the members are:

- ``pregnancy_test``: ``result`` = ``valueCodeableConcept`` (SNOMED CT 60001007 negative /
  77386006 positive), ``setting`` = extension ``test-setting`` (``valueCode``),
  ``verified_by`` = extension ``verified-by`` (``valueString``). No LOINC code is written:
  the record does not say whether the specimen was urine or serum. On import the
  qualitative hCG LOINC codes are recognised too.
- ``comprehension``: ``passed`` = ``valueBoolean``; ``sexual_function_check`` and
  ``mental_health_check``: ``concern`` = ``valueBoolean``; ``prescriber_agreement``:
  ``prescriber`` = ``valueString``.
- ``contraception``: one ``component`` per method (code in ``…/CodeSystem/
  contraception-method``, ``valueBoolean`` true), in the record's order; none = no method.
- ``enrollment``, ``risk_acknowledgement``, ``counseling``, ``course_end``: no value.

:func:`observation_kind` tells, from an Observation's codes, which event (or which
derived total) it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isocourse.adapters.fhir.codes import codings_of, local_system, tables
from isocourse.adapters.fhir.mapping.common import Links, concept, extension, local, with_common
from isocourse.adapters.fhir.mapping.measurements import observation, read_observation_event
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report
from isocourse.domain.record import EventType

__all__ = [
    "CODED_EVENTS",
    "coded_resource",
    "observation_kind",
    "read_coded",
    "read_test",
    "test_resource",
]

#: The event types written as an Observation coded with the event type itself.
CODED_EVENTS = (
    EventType.ENROLLMENT,
    EventType.RISK_ACKNOWLEDGEMENT,
    EventType.COUNSELING,
    EventType.COMPREHENSION,
    EventType.CONTRACEPTION,
    EventType.SEXUAL_FUNCTION_CHECK,
    EventType.MENTAL_HEALTH_CHECK,
    EventType.PRESCRIBER_AGREEMENT,
    EventType.COURSE_END,
)
#: The member of each coded event that is the Observation's value, and its value[x].
_VALUES = {
    EventType.COMPREHENSION: ("passed", "valueBoolean"),
    EventType.SEXUAL_FUNCTION_CHECK: ("concern", "valueBoolean"),
    EventType.MENTAL_HEALTH_CHECK: ("concern", "valueBoolean"),
    EventType.PRESCRIBER_AGREEMENT: ("prescriber", "valueString"),
}
_CONCEPT_KINDS = {
    "body-weight": "weight",
    "pregnancy-test": "pregnancy_test",
    "phq9-total": "phq9-total",
    "phq2-total": "phq2-total",
}
_OBSERVED = {*(e.value for e in CODED_EVENTS), EventType.PREGNANCY_TEST.value}


def _event_code(kind: str) -> dict[str, Any]:
    return concept([local("event-type", kind)], kind.replace("_", " "))


def coded_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    kind = EventType(event["type"])
    resource = observation(event, links, _event_code(kind.value))
    if kind in _VALUES:
        member, value_type = _VALUES[kind]
        resource[value_type] = event[member]
    elif kind is EventType.CONTRACEPTION:
        resource["component"] = [
            {"code": concept([local("contraception-method", m)], m), "valueBoolean": True}
            for m in event["methods"]
        ]
    return with_common(resource, event)


def test_resource(event: Mapping[str, Any], links: Links) -> dict[str, Any]:
    resource = observation(event, links, _event_code(EventType.PREGNANCY_TEST.value))
    result = event["result"]
    resource["valueCodeableConcept"] = concept(
        tables().written(f"pregnancy-result:{result}"), result
    )
    own = [extension("test-setting", "valueCode", event["setting"])]
    if "verified_by" in event:
        own.append(extension("verified-by", "valueString", event["verified_by"]))
    return with_common(resource, event, own=own)


def observation_kind(resource: Node, report: Report) -> str | None:
    """The event type (or ``lab``, ``weight``, ``phq9-total``, ``phq2-total``) an
    Observation's codes name; ``None`` after reporting when they name none or several."""
    code = resource.at("code")
    kinds: set[str] = set()
    for system, value in codings_of(code.value):
        if system == local_system("event-type") and value in _OBSERVED:
            kinds.add(value)
        elif system == local_system("lab-analyte") or tables().concept_of(system, value, "lab:"):
            kinds.add(EventType.LAB.value)
        else:
            known = tables().code(system, value)
            if known is not None and known.concept in _CONCEPT_KINDS:
                kinds.add(_CONCEPT_KINDS[known.concept])
    if len(kinds) == 1:
        return kinds.pop()
    report.add(
        code.path,
        "the codes name different kinds of observation"
        if kinds
        else "not a code isocourse knows for an Observation (event type, lab analyte, "
        "body weight, pregnancy test or PHQ total)",
    )
    return None


def read_test(resource: Node, report: Report) -> Draft:
    draft, own = read_observation_event(
        resource,
        EventType.PREGNANCY_TEST.value,
        report,
        {"test-setting": "valueCode", "verified-by": "valueString"},
    )
    value = resource.at("valueCodeableConcept")
    results = {
        name.removeprefix("pregnancy-result:")
        for system, code in codings_of(value.value)
        if (name := tables().concept_of(system, code, "pregnancy-result:"))
    }
    if len(results) == 1:
        draft.put("result", results.pop(), value.path)
    elif results:
        report.add(value.path, "the codes name both results")
    else:
        report.add(
            value.path, "expected a SNOMED CT result: 60001007 (negative) or 77386006 (positive)"
        )
    if "test-setting" in own:
        draft.take("setting", own["test-setting"])
    else:
        report.add(resource.at("extension").path, "missing the isocourse extension test-setting")
    if "verified-by" in own:
        draft.take("verified_by", own["verified-by"])
    return draft


def read_coded(resource: Node, kind: str, report: Report) -> Draft:
    event_type = EventType(kind)
    draft, _ = read_observation_event(resource, kind, report)
    values = [key for key in (resource.value or {}) if key.startswith("value")]
    if event_type in _VALUES:
        member, value_type = _VALUES[event_type]
        draft.take(member, resource.at(value_type))
        values = [v for v in values if v != value_type]
    if values:
        report.add(resource.at(values[0]).path, "not a value this event has")
    if event_type is EventType.CONTRACEPTION:
        _read_methods(resource, draft, report)
    elif resource.at("component").present:
        report.add(resource.at("component").path, "not an element this event has")
    return draft


def _read_methods(resource: Node, draft: Draft, report: Report) -> None:
    methods: list[str] = []
    for i, component in enumerate(resource.at("component").items()):
        codes = [
            c
            for s, c in codings_of(component.at("code").value)
            if s == local_system("contraception-method")
        ]
        if len(codes) != 1:
            report.add(
                component.at("code").path, "expected one isocourse contraception-method code"
            )
        elif component.at("valueBoolean").value is not True:
            report.add(
                component.at("valueBoolean").path,
                "expected true (a method listed is a method in use)",
            )
        else:
            draft.paths[f"methods[{i}]"] = component.at("code").path
            methods.append(codes[0])
    draft.put("methods", methods, resource.at("component").path)
