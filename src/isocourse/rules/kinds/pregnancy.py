"""A positive pregnancy test: stop, refer, report."""

from __future__ import annotations

from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind

#: Used when a pack gives no ``refer_to``: the EU/UK referral wording is not in the reference.
DEFAULT_REFERRAL = "refer the patient for specialist evaluation and counselling"


@rule_kind("positive-pregnancy-test", params={"report_to": str, "refer_to": str},
           optional=("refer_to",))
def positive_pregnancy_test(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Any positive pregnancy test on record (not corrected by a superseding event) is
    urgent: isotretinoin must be stopped at once, the patient referred (``refer_to``; the
    iPLEDGE boxed warning names an obstetrician-gynaecologist experienced in reproductive
    toxicity), and the pregnancy reported as the programme requires (``report_to``).
    Dispensing is refused."""
    if not facts.positive_tests:
        return
    latest = facts.positive_tests[-1]
    exposure = "before the first dose" if facts.phase is Phase.BEFORE else (
        "during the course" if facts.phase is Phase.DURING else "after the course")
    refer = spec.value("refer_to") if "refer_to" in spec.params else DEFAULT_REFERRAL
    out.urgent(
        f"positive pregnancy test on {latest.date.isoformat()} ({exposure}): stop "
        f"isotretinoin now, {refer}, and report it to {spec.value('report_to')}")
