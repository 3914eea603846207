"""Lab monitoring profiles: which analytes are checked when, chosen by ``course.lab_profile``.

Each profile is one rule of kind ``lab-schedule`` in the monitoring pack, with its own source
(US label, EU SmPC, 2022 Delphi consensus), so each interval carries its own provenance and
a clinic can add a profile as data. ``lab_profile = "default"`` selects the profile whose
``default_for`` lists the course's jurisdiction. The rule of kind ``lab-profile`` catches a
profile name that no rule knows.

Due items have the spec's shape ``{"item": "lab", "analytes": [...], "due_date": ...}``;
analytes due on the same day share one item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from isocourse.domain.dates import add_months
from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import Lab, LabAnalyte
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec, Severity
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__ = ["first_dispense_pending", "lab_analytes", "lab_profile", "lab_schedule"]

DEFAULT = "default"


def lab_analytes(spec: RuleSpec, name: str = "analytes") -> tuple[LabAnalyte, ...]:
    """A pack's list of analyte codes, checked (a typo is a named pack error)."""
    raw = spec.value(name)
    try:
        return tuple(LabAnalyte(code) for code in raw)
    except (TypeError, ValueError):
        raise RuleDataError(f"rule {spec.id}: parameter {name!r} must list analytes of "
                            f"{', '.join(a.value for a in LabAnalyte)}") from None


def _severity(spec: RuleSpec, name: str) -> Severity:
    try:
        return Severity(spec.value(name))
    except ValueError:
        raise RuleDataError(f"rule {spec.id}: parameter {name!r} must be a severity") from None


def first_dispense_pending(facts: CourseFacts) -> bool:
    """A dispense today would be the first one (see ``CourseFacts.awaiting_first_supply``)."""
    return facts.awaiting_first_supply


def _names(analytes: Iterable[LabAnalyte]) -> str:
    return ", ".join(a.value for a in analytes)


@rule_kind("lab-profile", params={"profiles": list})
def lab_profile(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The course's ``lab_profile`` must be ``default`` or one of ``profiles`` (the names of
    this pack's ``lab-schedule`` rules). An unknown name means no lab schedule applies, so
    lab monitoring cannot be checked: before the first dispense that is a block (the
    baseline labs the label requires cannot be verified), afterwards a warning. The record
    must be corrected; the message does not repeat the unknown value."""
    chosen = facts.course.lab_profile
    known = [str(p) for p in spec.value("profiles")]
    if chosen == DEFAULT or chosen in known:
        return
    message = (f"the course's lab_profile is not one of {DEFAULT}, {', '.join(sorted(known))}: "
               "no lab schedule applies, so lab monitoring is not being checked; correct "
               "the record")
    if first_dispense_pending(facts):
        out.block(message)
    elif facts.phase is not Phase.AFTER:
        out.warning(message)


def _applies(facts: CourseFacts, spec: RuleSpec) -> bool:
    chosen = facts.course.lab_profile
    if chosen == DEFAULT:
        return facts.course.jurisdiction.value in spec.value("default_for")
    return bool(chosen == spec.value("profile"))


def _results(facts: CourseFacts, analyte: LabAnalyte) -> list[Lab]:
    return [lab for lab in facts.labs if lab.analyte is analyte]


def _peak_start(facts: CourseFacts, anchor: dt.date) -> dt.date:
    """The day the highest daily dose dispensed so far was first dispensed (the start of
    the "peak dose"), never before the first dose."""
    if not facts.dispenses:
        return anchor
    peak = max(d.daily_mg for d in facts.dispenses)
    first = next(d.date for d in facts.dispenses if d.daily_mg == peak)
    return max(first, anchor)


def _due_during(facts: CourseFacts, spec: RuleSpec, analyte: LabAnalyte,
                anchor: dt.date) -> dt.date | None:
    """When ``analyte`` is next due, once the course has started on ``anchor``."""
    results = _results(facts, analyte)
    dues: list[dt.date] = []
    after = [r.date for r in results if r.date > anchor]
    first, every = spec.days("first_months"), spec.days("every_months")
    if not after and first > 0:
        dues.append(add_months(anchor, first))
    elif after and every > 0:
        dues.append(add_months(after[-1], every))
    if spec.value("peak_dose"):
        peak = _peak_start(facts, anchor)
        if not any(r.date > peak for r in results):
            dues.append(add_months(peak, spec.days("peak_months")))
    return min(dues) if dues else None


def _group(dues: dict[LabAnalyte, dt.date]) -> dict[dt.date, list[LabAnalyte]]:
    """Analytes by due date, earliest first; within a date in the pack's order."""
    grouped: dict[dt.date, list[LabAnalyte]] = {}
    for analyte, day in sorted(dues.items(), key=lambda item: item[1]):
        grouped.setdefault(day, []).append(analyte)
    return grouped


@rule_kind("lab-schedule", params={
    "profile": str, "default_for": list, "analytes": list, "baseline_months": int,
    "first_months": int, "every_months": int, "peak_dose": bool, "peak_months": int,
    "missing_baseline": str}, optional=("peak_months",))
def lab_schedule(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """One lab-monitoring profile, applied when the course's ``lab_profile`` is ``profile``
    (or ``default`` and the jurisdiction is in ``default_for``).

    **Baseline.** Each of ``analytes`` needs a result within ``baseline_months`` before the
    first dose. Until the first dispense, a missing baseline raises ``missing_baseline``
    (``block`` in the packaged profiles): the US label asks for fasting lipids and liver
    tests *before starting*, the EU SmPC *before treatment*, the 2022 consensus *within 1
    month before start*; once treatment has begun a baseline can no longer be obtained, and
    dispensing the first month's capsules is the last point at which the requirement can be
    enforced. The due date is the course's start date when it is still ahead, else today.
    With the baseline done and a start date set, the first follow-up is already listed.

    **Follow-up.** From the first dose: a result ``first_months`` after it, then every
    ``every_months`` after the latest result (0 = none). With ``peak_dose``, a result while
    on the highest daily dose dispensed so far, due ``peak_months`` after that dose was
    first dispensed; a later increase asks again. A result dated after the first dose (or
    after the peak dose started) counts; one on the day itself is taken as drawn before it.
    Overdue follow-up labs are a warning (the results, not the schedule, decide whether
    treatment must stop: see the lab-threshold kinds). During the course an analyte with no
    result at all is due today. Nothing is due after the last dose.
    """
    if not _applies(facts, spec) or facts.phase is Phase.AFTER:
        return
    analytes = lab_analytes(spec)
    if first_dispense_pending(facts):
        since = add_months(facts.on, -spec.days("baseline_months"))
        missing = [a for a in analytes
                   if not any(since <= r.date <= facts.on for r in _results(facts, a))]
        if missing:
            start = facts.course.start_date
            due = start if start is not None and start > facts.on else facts.on
            out.add(_severity(spec, "missing_baseline"),
                    f"baseline labs missing: {_names(missing)} (needed within "
                    f"{spec.days('baseline_months')} month(s) before the first dose, "
                    f"{spec.value('profile')} profile)")
            out.needs("lab", due, "baseline before the first dose",
                      tuple(a.value for a in missing))
            return
        if facts.course.start_date is None:
            return
    profile = spec.value("profile")
    never = [a for a in analytes if not _results(facts, a)]
    if never:
        out.warning(f"no result on record for {_names(never)}: baseline labs should have "
                    f"preceded the first dose ({profile} profile)")
        out.needs("lab", facts.on, "no result on record", tuple(a.value for a in never))
    anchor = facts.first_dose_date or (
        facts.dispenses[0].date if facts.dispenses else facts.course.start_date)
    if anchor is None:
        return
    dues = {a: day for a in analytes if a not in never
            and (day := _due_during(facts, spec, a, anchor)) is not None}
    for day, group in _group(dues).items():
        if day < facts.on:
            out.warning(f"lab tests overdue since {day.isoformat()}: {_names(group)} "
                        f"({profile} profile)")
        out.needs("lab", day, f"{profile} monitoring", tuple(a.value for a in group))
