"""The UK's own measures (MHRA, from October 2023): the Acknowledgement of Risk Form for
every patient, mental-health and sexual-function assessment before starting and at
follow-up, two independent prescribers for under-18s (October 2023 to January 2026), and
reminders of requirements a course record cannot show."""

from __future__ import annotations

import datetime as dt

from isocourse.domain.dates import add_months, age_on
from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import (
    MentalHealthCheck,
    PrescriberAgreement,
    RiskAcknowledgement,
    SexualFunctionCheck,
)
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.kinds.ppp import at_initiation
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind

_ASSESSMENTS: dict[str, type[MentalHealthCheck] | type[SexualFunctionCheck]] = {
    "mental_health_check": MentalHealthCheck,
    "sexual_function_check": SexualFunctionCheck,
}
_WHEN = ("initiation", "during", "after", "always")


@rule_kind("ppp-acknowledgement-of-risk", params={
    "what": str, "revised_on": dt.date, "revision": str}, optional=("revised_on", "revision"))
def acknowledgement_of_risk(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Dispensing needs the signed form (``what``; a ``risk_acknowledgement`` event) on file,
    on or before the day, for every patient the rule applies to; missing: block, due today.
    With ``revised_on``, a form signed before that date is accepted with an info finding:
    new forms use the revised version (``revision`` says what changed); the sources found do
    not say that earlier forms must be signed again."""
    what = spec.value("what")
    form = facts.last(RiskAcknowledgement)
    if form is None:
        out.block(f"no signed {what} is on file; it is needed before dispensing")
        out.needs("risk_acknowledgement", facts.on, f"{what} before dispensing")
        return
    revised = spec.params.get("revised_on")
    if revised is not None and form.date < revised.value:
        change = spec.params["revision"].value if "revision" in spec.params else ""
        out.info(f"the {what} on file was signed on {form.date.isoformat()}, before the form "
                 f"was revised on {revised.value.isoformat()}; use the revised form for new "
                 f"signatures{f' ({change})' if change else ''}")


@rule_kind("ppp-periodic-assessment", params={
    "event": str, "what": str, "interval_months": int})
def periodic_assessment(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """An assessment recorded as ``event`` (``mental_health_check`` or
    ``sexual_function_check``) is needed before starting: missing before the first supply,
    it blocks. During the course it is due ``interval_months`` month(s) after the last one;
    overdue is a warning, and so is a concern recorded at the latest one."""
    event = spec.value("event")
    if event not in _ASSESSMENTS:
        raise RuleDataError(f"rule {spec.id}: event must be one of {', '.join(_ASSESSMENTS)}")
    what = spec.value("what")
    if facts.phase is Phase.AFTER:
        return
    last = facts.last(_ASSESSMENTS[event])
    starting = at_initiation(facts)
    if last is None:
        if starting:
            out.block(f"no {what} is on file; it is needed before starting isotretinoin")
        else:
            out.warning(f"no {what} is on file; assess it at the next follow-up")
        out.needs(event, facts.on, f"{what} before {'starting' if starting else 'continuing'}")
        return
    if last.concern:
        out.warning(f"a concern was recorded at the {what} on {last.date.isoformat()}: "
                    "the prescriber should review it before the next supply")
    if starting:
        return
    due = add_months(last.date, spec.days("interval_months"))
    out.needs(event, due, f"{what} at follow-up")
    if facts.on > due:
        out.warning(f"the last {what} was on {last.date.isoformat()}; the next was due by "
                    f"{due.isoformat()}")


@rule_kind("ppp-second-prescriber", params={"under_age": int})
def second_prescriber(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """A patient younger than ``under_age`` at the start of the course (``course.start_date``,
    or today while it is not set) needs a second, independent prescriber's agreement
    (``prescriber_agreement``) on file before the first supply; missing, it blocks."""
    if not at_initiation(facts):
        return
    start = facts.course.start_date or facts.on
    limit = spec.days("under_age")
    if age_on(facts.patient.birth_date, start) >= limit:
        return
    if facts.last(PrescriberAgreement) is None:
        out.block(f"the patient is under {limit} at the start of the course: a second, "
                  "independent prescriber must agree before the first supply, and no "
                  "agreement is on file")
        out.needs("prescriber_agreement", facts.on, "second prescriber's agreement")


@rule_kind("ppp-reminder", params={"message": str, "when": str})
def reminder(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """A requirement the course record cannot show, as an info finding with ``message``,
    ``when``: ``initiation`` (up to the first supply), ``during``, ``after`` or ``always``."""
    when = spec.value("when")
    if when not in _WHEN:
        raise RuleDataError(f"rule {spec.id}: when must be one of {', '.join(_WHEN)}")
    shown = {
        "initiation": at_initiation(facts),
        "during": facts.phase is Phase.DURING and not at_initiation(facts),
        "after": facts.phase is Phase.AFTER,
        "always": True,
    }[when]
    if shown:
        out.info(spec.value("message"))
