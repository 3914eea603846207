"""Reported side effects: practical advice, review of the troublesome ones, and red flags.

Only recent reports count (dated within ``recent_days`` before the assessment date), and of
those the latest report of each kind: a later, milder report of the same effect means it
has been seen again. The advice texts are pack data, one parameter per kind with its own
source, so a clinic can edit them without touching code.
"""

from __future__ import annotations

import datetime as dt

from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import SideEffect, SideEffectKind
from isocourse.rules.facts import CourseFacts
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__ = ["ADVICE_PARAMS", "advice_param", "latest_recent", "red_flag", "side_effect_advice"]


def advice_param(kind: SideEffectKind) -> str:
    """The pack parameter holding the advice for one kind: ``advice_dry_eyes``."""
    return "advice_" + kind.value.replace("-", "_")


#: One optional advice text per side-effect kind (a test checks the packaged pack has all).
ADVICE_PARAMS = {advice_param(kind): str for kind in SideEffectKind}


def latest_recent(facts: CourseFacts, days: int) -> dict[SideEffectKind, SideEffect]:
    """The latest report of each kind dated within ``days`` before the assessment date."""
    since = facts.on - dt.timedelta(days=days)
    latest: dict[SideEffectKind, SideEffect] = {}
    for report in facts.of(SideEffect):
        if report.date >= since:
            latest[report.kind] = report
    return latest


@rule_kind("side-effect-advice", params={"recent_days": int, "review_grade": int,
                                         **ADVICE_PARAMS},
           optional=tuple(ADVICE_PARAMS))
def side_effect_advice(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """For each side effect reported within ``recent_days``, its practical advice (the
    ``advice_<kind>`` parameter) as information; at grade ``review_grade`` (2) or above a
    warning instead: the effect should be reviewed by the prescriber (a dose reduction or
    treatment of the effect may be needed). Red flags (kind ``red-flag``) are separate
    rules and add an urgent finding of their own.
    """
    review = spec.days("review_grade")
    for kind, report in sorted(latest_recent(facts, spec.days("recent_days")).items()):
        name = advice_param(kind)
        advice = str(spec.value(name)) if name in spec.params else "no advice text configured"
        text = (f"{kind.value} (grade {report.grade}) reported on {report.date.isoformat()}: "
                f"{advice}")
        if report.grade >= review:
            out.warning(f"{text} Review at this visit.")
        else:
            out.info(text)


def _kinds(spec: RuleSpec) -> tuple[SideEffectKind, ...]:
    try:
        kinds = tuple(SideEffectKind(k) for k in spec.value("kinds"))
    except (TypeError, ValueError):
        raise RuleDataError(f"rule {spec.id}: parameter 'kinds' must list side-effect "
                            "kinds") from None
    if not kinds:
        raise RuleDataError(f"rule {spec.id}: parameter 'kinds' is empty")
    return kinds


@rule_kind("red-flag", params={"kinds": list, "min_grade": int, "recent_days": int,
                               "message": str})
def red_flag(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """A red flag: every one of ``kinds`` reported at ``min_grade`` or above within
    ``recent_days`` (the latest report of each kind counts) is urgent, with ``message``
    saying what it may mean and what to do. A clinician must see the patient now;
    dispensing waits. Packaged red flags: headache together with a visual disturbance
    (raised intracranial pressure), severe abdominal pain (pancreatitis), severe rash
    (serious skin reactions), severe mood change.
    """
    kinds = _kinds(spec)
    latest = latest_recent(facts, spec.days("recent_days"))
    reports = [latest.get(kind) for kind in kinds]
    found = [r for r in reports if r is not None and r.grade >= spec.days("min_grade")]
    if len(found) != len(kinds):
        return
    what = " and ".join(f"{r.kind.value} (grade {r.grade}, {r.date.isoformat()})"
                        for r in found)
    out.urgent(f"{what}: {spec.value('message')}")
