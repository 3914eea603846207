"""Cards about the course itself, on every hook: where the course stands (patient-view), a
positive pregnancy test and a missed pick-up window. Each reads the engine's assessment
on the hook's date; the only numbers are the assessment's and the plan's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from isocourse.rules.model import DueItem, Finding
from isocourse.services.cds.cards import Card, CardKind, Indicator, fit
from isocourse.services.cds.view import WINDOW_KINDS, CourseView, one_decimal

__all__ = ["findings_list", "missed_window_card", "positive_test_card", "status_card"]


def findings_list(findings: Iterable[Finding]) -> str:
    """Findings as a Markdown list, each with its rule and source."""
    return "\n".join(f"- {f.message} (rule `{f.rule_id}`; {f.source})" for f in findings)


def _due_words(item: DueItem) -> str:
    what = item.item.replace("_", " ")
    if item.analytes:
        what += f" ({', '.join(item.analytes)})"
    return what


def _cumulative(view: CourseView) -> tuple[str, str]:
    """(short form for the summary, sentence for the detail)."""
    total = view.assessment.cumulative
    per_kg = one_decimal(total.mg_per_kg)
    mg = one_decimal(total.mg)
    basis = "conventional-equivalent mg" if total.basis == "equivalent" else "mg as given"
    target = view.target_mg_per_kg()
    if target is None:
        return (f"{per_kg} mg/kg so far",
                f"**Cumulative dose:** {mg} mg, {per_kg} mg/kg (counted as {basis}); the "
                "course has no isocourse plan, so no target.")
    percent = int(total.mg_per_kg * 100 / target) if target > 0 else 0
    return (f"{per_kg} of {target} mg/kg ({percent}%)",
            f"**Cumulative dose:** {mg} mg, {per_kg} mg/kg of the plan's {target} mg/kg "
            f"target ({percent}%, counted as {basis}; percentages rounded down).")


def status_card(view: CourseView) -> Card:
    """patient-view: the open window, what is due next and the cumulative progress."""
    assessment = view.assessment
    parts: list[str] = []
    if assessment.window is not None:
        parts.append(f"window open to {assessment.window.end.isoformat()}")
    if assessment.due:
        first = assessment.due[0]
        parts.append(f"next due: {_due_words(first)} by {first.due_date.isoformat()}")
    short, sentence = _cumulative(view)
    parts.append(short)
    header = view.course.header
    state = (f"ended {header.ended_on.isoformat()}" if header.ended_on is not None
             else "active")
    summary = fit(f"Isotretinoin course {state}: " + "; ".join(parts))
    lines = [f"**Rules:** {', '.join(assessment.rule_sets)} as of {view.on.isoformat()}."]
    if assessment.window is not None:
        window = assessment.window
        lines.append(f"**{window.kind.capitalize()} window:** {window.start.isoformat()} to "
                     f"{window.end.isoformat()} (both days included).")
    if assessment.due:
        lines.append("**Due:**\n" + "\n".join(
            f"- {_due_words(d)} by {d.due_date.isoformat()}"
            + (f": {d.reason}" if d.reason else "") + f" (rule `{d.rule_id}`)"
            for d in assessment.due))
    blocking = view.blocking()
    if blocking:
        lines.append("**Before the next dispense:**\n" + findings_list(blocking))
    lines.append(sentence)
    return Card(kind=CardKind.COURSE_STATUS, indicator=Indicator.INFO, summary=summary,
                detail="\n\n".join(lines), source=view.source,
                rule_ids=tuple(sorted({f.rule_id for f in blocking})))


def positive_test_card(view: CourseView) -> Card | None:
    """A positive pregnancy test on record: ``critical`` while the course is active (the
    one critical card), ``warning`` once it has ended."""
    urgent = view.urgent_positive()
    if not urgent:
        return None
    test = view.latest_positive_test()
    when = f" on {test.date.isoformat()}" if test is not None else ""
    if view.active:
        summary = (f"Positive pregnancy test{when}: stop isotretinoin now and refer; "
                   "nothing may be dispensed")
        indicator = Indicator.CRITICAL
    else:
        summary = f"Positive pregnancy test{when} after the course: refer and report"
        indicator = Indicator.WARNING
    return Card(kind=CardKind.POSITIVE_PREGNANCY_TEST, indicator=indicator,
                summary=fit(summary), detail=findings_list(urgent), source=view.source,
                rule_ids=_ids(urgent))


def missed_window_card(view: CourseView) -> Card | None:
    """A window that closed unused (or the waiting period after it) blocks dispensing."""
    missed = [f for f in view.blocking() if view.kind(f) in WINDOW_KINDS]
    if not missed:
        return None
    summary = "Pick-up window missed: a new negative pregnancy test is needed before dispensing"
    due = _test_due(view.assessment.due, missed)
    if due is not None:
        summary += f" (from {due.due_date.isoformat()})"
    return Card(kind=CardKind.MISSED_WINDOW, indicator=Indicator.WARNING, summary=fit(summary),
                detail=findings_list(missed), source=view.source, rule_ids=_ids(missed))


def _test_due(due: Sequence[DueItem], findings: Sequence[Finding]) -> DueItem | None:
    ids = {f.rule_id for f in findings}
    return next((d for d in due if d.item == "pregnancy_test" and d.rule_id in ids), None)


def _ids(findings: Iterable[Finding]) -> tuple[str, ...]:
    return tuple(sorted({f.rule_id for f in findings}))
