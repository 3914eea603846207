"""An assessment's findings as DetectedIssues: export only.

Findings are derived (the safety engine computes them from the record, the rule packs and a
date), so they are written for other systems to read and never imported: an import skips
DetectedIssues and a clinic reassesses the course.

One DetectedIssue per finding: ``code`` = the rule id in ``…/CodeSystem/rule``, ``detail``
= the message, ``identifiedDateTime`` = the assessment date, ``implicated`` = the course,
``severity`` = low (info), moderate (warning) or high (block, urgent). FHIR has three
severities where isocourse has four, so the exact one is also in the extension
``finding-severity``, with the rule's source in ``rule-source`` and the rule set in
``rule-set``.
"""

from __future__ import annotations

from typing import Any

from isocourse.adapters.fhir.mapping.common import Links, concept, extension, local
from isocourse.rules.model import Assessment, Finding, Severity

__all__ = ["detected_issue_resources"]

_SEVERITY = {
    Severity.INFO: "low",
    Severity.WARNING: "moderate",
    Severity.BLOCK: "high",
    Severity.URGENT: "high",
}


def detected_issue_resources(assessment: Assessment, links: Links) -> list[dict[str, Any]]:
    return [_issue(finding, assessment, links) for finding in assessment.findings]


def _issue(finding: Finding, assessment: Assessment, links: Links) -> dict[str, Any]:
    return {
        "resourceType": "DetectedIssue",
        "extension": [
            extension("finding-severity", "valueCode", finding.severity.value),
            extension("rule-source", "valueString", finding.source),
            extension("rule-set", "valueString", assessment.rule_set),
        ],
        "status": "final",
        "code": concept([local("rule", finding.rule_id)], finding.rule_id),
        "severity": _SEVERITY[finding.severity],
        "patient": {"reference": links.patient},
        "identifiedDateTime": assessment.as_of.isoformat(),
        "implicated": [{"reference": links.course}],
        "detail": finding.message,
    }
