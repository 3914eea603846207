"""Contraception: which methods count, and for how long before, during and after."""

from __future__ import annotations

from isocourse.domain.dates import add_months
from isocourse.domain.record import ContraceptionMethod, MethodCategory
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind


def _meets(spec: RuleSpec, methods: tuple[ContraceptionMethod, ...]) -> bool:
    if spec.value("abstinence_counts") and ContraceptionMethod.ABSTINENCE in methods:
        return True
    eligible = [m for m in set(methods) if m.category is not MethodCategory.OTHER]
    primary = [m for m in eligible if m.category is MethodCategory.PRIMARY]
    return len(eligible) >= spec.days("min_methods") and len(primary) >= spec.days(
        "min_primary")


def _requirement(spec: RuleSpec) -> str:
    methods, primary = spec.days("min_methods"), spec.days("min_primary")
    text = f"{methods} method{'s' if methods != 1 else ''}"
    if primary:
        text += f" (at least {primary} primary)"
    if spec.value("abstinence_counts"):
        text += " or a commitment to continuous abstinence"
    return text


@rule_kind("contraception-in-use", params={
    "min_methods": int, "min_primary": int, "abstinence_counts": bool,
    "lead_months": int, "after_months": int})
def contraception_in_use(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Contraception that meets the programme (``min_methods`` eligible methods, at least
    ``min_primary`` of them primary, or abstinence where ``abstinence_counts``) must be in
    use without a break from ``lead_months`` before the first dose, throughout, and for
    ``after_months`` after the last dose. Before the course and during it a shortfall
    blocks dispensing; after it, a shortfall is a warning."""
    needed = _requirement(spec)
    since = facts.contraception_meeting_since(lambda methods: _meets(spec, methods))
    if facts.phase is Phase.AFTER:
        assert facts.last_dose_date is not None
        until = add_months(facts.last_dose_date, spec.days("after_months"))
        if facts.on <= until and since is None:
            out.warning(f"contraception must continue until {until.isoformat()} "
                        f"({needed}); the record shows it does not")
        return
    if since is None:
        out.block(f"contraception on record does not meet the programme: {needed} are needed")
        return
    if facts.awaiting_first_supply:
        # Until the first supply is handed over, the lead time is checked against the
        # first dose (the course's start date when set, else today).
        first_dose = facts.course.start_date or facts.on
        ready = add_months(since, spec.days("lead_months"))
        if max(first_dose, facts.on) < ready:
            out.block(f"contraception meeting the programme has been in use since "
                      f"{since.isoformat()}; it must be in use for {spec.days('lead_months')} "
                      f"month(s) before the first dose, so not before {ready.isoformat()}")
