"""A positive pregnancy test: stop, refer, report."""

from __future__ import annotations

from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind


@rule_kind("positive-pregnancy-test", params={"report_to": str})
def positive_pregnancy_test(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Any positive pregnancy test on record (not corrected by a superseding event) is
    urgent: isotretinoin must be stopped at once, the patient referred to an
    obstetrician-gynaecologist experienced in reproductive toxicity, and the pregnancy
    reported as the programme requires (``report_to``). Dispensing is refused."""
    if not facts.positive_tests:
        return
    latest = facts.positive_tests[-1]
    exposure = "before the first dose" if facts.phase is Phase.BEFORE else (
        "during the course" if facts.phase is Phase.DURING else "after the course")
    out.urgent(
        f"positive pregnancy test on {latest.date.isoformat()} ({exposure}): stop "
        "isotretinoin now, refer to an obstetrician-gynaecologist experienced in "
        f"reproductive toxicity, and report it to {spec.value('report_to')}")
