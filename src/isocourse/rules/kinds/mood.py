"""Mood: PHQ-9 and PHQ-2 scoring, thoughts of self-harm, and when the next PHQ-9 is due.

The latest questionnaire of each kind counts. A PHQ-9 on or after a PHQ-2 answers it (the
PHQ-2 is the PHQ-9's first two questions); a later PHQ-2 does not clear a PHQ-9 finding,
because it does not ask the other seven questions, item 9 among them.
"""

from __future__ import annotations

from collections.abc import Sequence

from isocourse.domain.dates import add_months
from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import Phq2, Phq9
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__ = ["PHQ9_BANDS", "phq2", "phq9", "phq9_band", "phq9_self_harm"]

#: Kroenke 2001's names for the PHQ-9 severity bands, lowest first (the cut-points are
#: pack data: 5, 10, 15, 20).
PHQ9_BANDS = ("minimal", "mild", "moderate", "moderately severe", "severe")


def phq9_band(total: int, cut_points: Sequence[int]) -> str:
    """The severity band of a PHQ-9 total: how many ascending cut-points it reaches."""
    if len(cut_points) != len(PHQ9_BANDS) - 1 or list(cut_points) != sorted(cut_points):
        raise ValueError("expected four ascending PHQ-9 cut-points")
    return PHQ9_BANDS[sum(1 for cut in cut_points if total >= cut)]


def _cut_points(spec: RuleSpec) -> list[int]:
    raw = spec.value("bands")
    try:
        phq9_band(0, raw)
    except (TypeError, ValueError):
        raise RuleDataError(f"rule {spec.id}: parameter 'bands' must be four ascending "
                            "whole-number cut-points") from None
    return [int(c) for c in raw]


@rule_kind("phq9", params={"bands": list, "info_at": int, "warning_at": int,
                           "every_months": int})
def phq9(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The latest PHQ-9: a total (0–27) at or above ``warning_at`` (10: sensitivity and
    specificity 88% for major depression, Kroenke 2001) is a warning, a clinician should
    review mood; at or above ``info_at`` (5, mild) it is information. The band is named
    from the cut-points ``bands`` (5/10/15/20: mild, moderate, moderately severe, severe).
    Below ``info_at`` nothing is said.

    A PHQ-9 is due before the first dose (the label asks for an assessment before starting
    and at each visit) and then ``every_months`` after the latest one, while the course
    runs. Item 9 (thoughts of self-harm) is the ``phq9-self-harm`` kind's concern.
    """
    cuts = _cut_points(spec)
    latest = facts.last(Phq9)
    if latest is not None and latest.total >= spec.days("info_at"):
        band = phq9_band(latest.total, cuts)
        text = f"PHQ-9 of {latest.date.isoformat()} totals {latest.total} ({band})"
        if latest.total >= spec.days("warning_at"):
            out.warning(f"{text}: a clinician should review mood before the next prescription")
        else:
            out.info(f"{text}: ask about mood at each visit")
    if facts.phase is Phase.AFTER:
        return
    if latest is not None:
        out.needs("phq9", add_months(latest.date, spec.days("every_months")),
                  "periodic mood screen")
        return
    start = facts.course.start_date
    due = start if start is not None and start > facts.on else facts.on
    if facts.first_dose_date is not None:
        due = facts.first_dose_date  # started without a screen: overdue since day 1
    out.needs("phq9", due, "mood screen before the first dose")


@rule_kind("phq9-self-harm", params={"urgent_from": int})
def phq9_self_harm(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Item 9 of the latest PHQ-9 (thoughts of being better off dead or of self-harm) at
    ``urgent_from`` or above (1: any answer but "not at all") is urgent, whatever the
    total: a clinician must assess the patient now, and dispensing waits for that. A later
    PHQ-9 with item 9 below ``urgent_from`` clears it; a PHQ-2 cannot, as it does not ask.
    """
    latest = facts.last(Phq9)
    if latest is None or latest.self_harm_item < spec.days("urgent_from"):
        return
    out.urgent(f"PHQ-9 of {latest.date.isoformat()}: item 9 (thoughts of self-harm) scored "
               f"{latest.self_harm_item}: a clinician must assess the patient now, whatever "
               "the total")


@rule_kind("phq2", params={"positive_at": int})
def phq2(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """The latest PHQ-2 (total 0–6) at or above ``positive_at`` is a positive screen: a
    warning, and a PHQ-9 is due from the day of the screen. A PHQ-9 on or after the PHQ-2
    answers it, and the PHQ-9 rules take over. ``positive_at`` is 3 (sensitivity 61%,
    specificity 92%, Arroll 2010); 2 is the more sensitive choice (86% / 78%).
    """
    latest = facts.last(Phq2)
    if latest is None or latest.total < spec.days("positive_at"):
        return
    screened = latest.date
    if facts.last(Phq9, where=lambda q: q.date >= screened) is not None:
        return
    out.warning(f"PHQ-2 of {latest.date.isoformat()} totals {latest.total} (positive at "
                f"{spec.days('positive_at')} or more): complete a PHQ-9")
    out.needs("phq9", latest.date, "after a positive PHQ-2")
