"""An assessment as the JSON document of shared/spec/course-record.md (a contract).

Fields beyond the contract's minimum: ``rule_sets`` (every pack used, the programme's first),
``window.kind``, ``cumulative.basis``, and on due items ``rule_id``, ``reason`` and
``analytes`` (for labs).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from isocourse.rules.model import Assessment, DueItem

__all__ = ["assessment_to_json"]


def _number(value: Decimal, places: int) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def _due(item: DueItem) -> dict[str, Any]:
    body: dict[str, Any] = {"item": item.item, "due_date": item.due_date.isoformat()}
    if item.analytes:
        body["analytes"] = list(item.analytes)
    if item.reason:
        body["reason"] = item.reason
    body["rule_id"] = item.rule_id
    return body


def assessment_to_json(assessment: Assessment) -> dict[str, Any]:
    window = assessment.window
    return {
        "as_of": assessment.as_of.isoformat(),
        "jurisdiction": assessment.jurisdiction,
        "rule_set": assessment.rule_set,
        "rule_sets": list(assessment.rule_sets),
        "dispense_allowed": assessment.dispense_allowed,
        "window": None if window is None else {
            "start": window.start.isoformat(), "end": window.end.isoformat(),
            "kind": window.kind},
        "cumulative": {
            "mg": _number(assessment.cumulative.mg, 1),
            "mg_per_kg": float(assessment.cumulative.mg_per_kg.quantize(
                Decimal("0.01"), rounding=ROUND_HALF_EVEN)),
            "basis": assessment.cumulative.basis,
        },
        "findings": [
            {"rule_id": f.rule_id, "severity": f.severity.value, "message": f.message,
             "source": f.source}
            for f in assessment.findings
        ],
        "due": [_due(d) for d in assessment.due],
    }
