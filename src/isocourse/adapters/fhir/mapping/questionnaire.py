"""PHQ-9 and PHQ-2 events, both ways: a QuestionnaireResponse with the item scores, and an
Observation of the total score derived from it.

- ``QuestionnaireResponse``: ``questionnaire`` = ``…/Questionnaire/phq-9`` (or ``phq-2``),
  ``authored`` = the date, ``item[n]`` = ``{"linkId": "n+1", "answer": [{"valueInteger":
  score}]}`` in questionnaire order (item 9 of the PHQ-9 is thoughts of self-harm). The
  common members are on it; ``note`` is an extension (QuestionnaireResponse has no note).
- ``Observation``: LOINC 44261-6 (PHQ-9 total) or 55758-7 (PHQ-2 total), ``valueInteger``
  = the sum, ``derivedFrom`` = the response. It is derived: an import checks that it
  agrees with the items and keeps nothing from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from isocourse.adapters.fhir.codes import questionnaire_url, tables
from isocourse.adapters.fhir.mapping.common import (
    RETRACTED,
    Links,
    concept,
    read_common,
    read_status,
    with_common,
)
from isocourse.adapters.fhir.mapping.reading import Draft, Node, Report
from isocourse.domain.record import EventType

__all__ = ["QUESTIONNAIRES", "Total", "check_total", "phq_resources", "read_response", "read_total"]

#: Questionnaire name and item count of each event type.
QUESTIONNAIRES = {EventType.PHQ9: ("phq-9", 9), EventType.PHQ2: ("phq-2", 2)}
_TOTAL_TEXT = {EventType.PHQ9: "PHQ-9 total score", EventType.PHQ2: "PHQ-2 total score"}


def phq_resources(
    event: Mapping[str, Any], links: Links, response_url: str
) -> list[dict[str, Any]]:
    """The response and its total (which refers to the response by ``response_url``)."""
    kind = EventType(event["type"])
    retracted = event.get("id") in links.superseded
    response = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire_url(QUESTIONNAIRES[kind][0]),
        "status": RETRACTED if retracted else "completed",
        "subject": {"reference": links.patient},
        "authored": event["date"],
        "item": [
            {"linkId": str(n), "answer": [{"valueInteger": score}]}
            for n, score in enumerate(event["items"], start=1)
        ],
    }
    total = {
        "resourceType": "Observation",
        "status": RETRACTED if retracted else "final",
        "code": concept(tables().written(f"{kind.value}-total"), _TOTAL_TEXT[kind]),
        "subject": {"reference": links.patient},
        "effectiveDateTime": event["date"],
        "valueInteger": sum(event["items"]),
        "derivedFrom": [{"reference": response_url}],
    }
    return [with_common(response, event, one_identifier=True), total]


def read_response(resource: Node, report: Report) -> Draft | None:
    """A PHQ event from a response to an isocourse PHQ questionnaire (``None`` after
    reporting when it answers another questionnaire)."""
    canonical = (resource.at("questionnaire").text() or "").split("|")[0]
    kinds = [k for k, (name, _) in QUESTIONNAIRES.items() if questionnaire_url(name) == canonical]
    if not kinds:
        report.add(
            resource.at("questionnaire").path, "expected the isocourse PHQ-9 or PHQ-2 questionnaire"
        )
        return None
    kind = kinds[0]
    draft = Draft(resource)
    draft.put("type", kind.value, resource.at("questionnaire").path)
    read_common(resource, draft, report, note_extension=True)
    read_status(resource, draft, report, ("completed", "amended"))
    draft.take("date", resource.at("authored"))
    _read_items(resource, QUESTIONNAIRES[kind][1], draft, report)
    return draft


def _read_items(resource: Node, count: int, draft: Draft, report: Report) -> None:
    scores: dict[int, Any] = {}
    for item in resource.at("item").items():
        link = item.at("linkId").text()
        number = int(link) if link is not None and link.isascii() and link.isdigit() else 0
        if not 1 <= number <= count:
            report.add(item.at("linkId").path, f'expected "1" to "{count}"')
        elif number in scores:
            report.add(item.at("linkId").path, "the same item is answered twice")
        elif len(item.at("answer").items()) != 1:
            report.add(item.at("answer").path, "expected exactly one answer")
        else:
            answer = item.at("answer").items()[0].at("valueInteger")
            if not answer.present:
                report.add(answer.path, "expected valueInteger (the item score)")
            scores[number] = answer.value
            draft.paths[f"items[{number - 1}]"] = answer.path
    missing = [n for n in range(1, count + 1) if n not in scores]
    if missing:
        report.add(resource.at("item").path, f"missing the answer to item {missing[0]}")
    draft.put("items", [scores.get(n) for n in range(1, count + 1)], resource.at("item").path)


@dataclass(frozen=True, slots=True)
class Total:
    """A derived total score: its kind, its value and the reference to its response."""

    kind: str
    value: Node
    source: Node


def read_total(resource: Node, kind: str) -> Total:
    sources = resource.at("derivedFrom").items()
    source = sources[0].at("reference") if len(sources) == 1 else resource.at("derivedFrom")
    return Total(kind, resource.at("valueInteger"), source)


def check_total(total: Total, responses: Mapping[str, Draft], report: Report) -> None:
    """A total must come from one response in the Bundle, to the same questionnaire, and
    equal the sum of its item scores."""
    response = responses.get(total.source.text() or "")
    if response is None:
        report.add(
            total.source.path,
            "expected a reference to a PHQ QuestionnaireResponse "
            "in this Bundle (a total alone is not imported)",
        )
        return
    if response.data.get("type") != total.kind.removesuffix("-total"):
        report.add(total.source.path, "the response answers another questionnaire")
        return
    items = response.data.get("items", [])
    if all(isinstance(i, int) and not isinstance(i, bool) for i in items) and (
        total.value.value != sum(items) or isinstance(total.value.value, bool)
    ):
        report.add(total.value.path, "does not equal the sum of the item scores")
