"""The course page's and the summary's view of one course: pure, from what the services
return (the loaded course, its assessment today, its authorizations) and the rulebook.

Nothing here evaluates a rule: findings, due items, the window and whether dispensing is
allowed are the engine's (:class:`~isocourse.rules.model.Assessment`), shown with the rule's
title and its pack looked up by id; the plan is the stored plan; the charts are
:mod:`isocourse.adapters.reports.charts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from isocourse.adapters.reports.charts import Chart, cumulative_chart, lab_charts, lab_thresholds
from isocourse.adapters.reports.charts.display import plain
from isocourse.adapters.web.course_plan import (
    PlanView,
    Progress,
    course_progress,
    plan_view,
    product_of,
)
from isocourse.adapters.web.course_timeline import TimelineEntry, timeline
from isocourse.adapters.web.course_words import (
    SEVERITY_NAMES,
    analyte_names,
    capsule_text,
    due_item_name,
    food_words,
)
from isocourse.domain.dates import age_on
from isocourse.domain.record import LabAnalyte
from isocourse.rules.facts import CourseFacts
from isocourse.rules.model import Assessment, Finding, Severity
from isocourse.services.course_store import LoadedCourse
from isocourse.services.ports import Rulebook
from isocourse.services.stored import AuthorizationRow

__all__ = [
    "CUMULATIVE_REFERENCES_MG_PER_KG",
    "AuthorizationView",
    "CourseView",
    "DueView",
    "FindingView",
    "LabLine",
    "WindowView",
    "course_view",
]

#: The reference lines of the cumulative-dose chart: the SmPC's band, "no substantial
#: additional benefit is to be expected beyond a cumulative treatment dose of 120–150 mg/kg"
#: (Roaccutane SmPC, [LABEL]; clinical.md §1.3 and §3). The course's own target is drawn
#: from its plan; these lines only show where the band lies.
CUMULATIVE_REFERENCES_MG_PER_KG = (Decimal(120), Decimal(150))


@dataclass(frozen=True, slots=True)
class FindingView:
    severity: str                 # info, warning, block, urgent (CSS classes too)
    severity_name: str
    message: str
    rule_id: str
    explanation: str              # the rule's title in its pack ("" when not found)
    pack: str                     # programme@version that holds the rule
    pack_title: str
    source: str                   # the citation the engine gives
    unconfirmed: bool             # a parameter is a configurable default, source unconfirmed


@dataclass(frozen=True, slots=True)
class DueView:
    name: str
    due_date: dt.date
    reason: str
    analytes: str
    rule_id: str
    overdue: bool
    today: bool


@dataclass(frozen=True, slots=True)
class WindowView:
    kind: str
    start: dt.date
    end: dt.date
    open_today: bool
    days_left: int                # days after today that are still in the window


@dataclass(frozen=True, slots=True)
class AuthorizationView:
    code: str
    status: str
    granted_on: dt.date
    do_not_dispense_after: dt.date
    daily_mg: int
    days_supply: int
    morning: str
    evening: str
    pharmacy: str | None
    usable_today: bool
    dispensed_on: dt.date | None
    reversed_on: dt.date | None
    reversal_reason: str | None


@dataclass(frozen=True, slots=True)
class LabLine:
    name: str
    value: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class CourseView:
    course_id: str
    number: int
    active: bool
    patient_ref: str              # the record's opaque patient id (never a name)
    birth_date: dt.date
    age: int
    can_get_pregnant: bool
    jurisdiction: str
    programme: str                # the programme pack in force, by title
    product_id: str
    product_name: str
    food: str
    weight_kg: Decimal            # the latest weight recorded
    today: dt.date
    plan: PlanView | None
    plan_stored: bool             # a plan document is stored (readable or not)
    progress: Progress
    cumulative: Chart
    labs: tuple[Chart, ...]
    latest_labs: tuple[LabLine, ...]
    findings: tuple[FindingView, ...]
    due: tuple[DueView, ...]
    window: WindowView | None
    dispense_allowed: bool
    rule_sets: tuple[str, ...]
    timeline: tuple[TimelineEntry, ...]
    authorizations: tuple[AuthorizationView, ...]

    @property
    def urgent(self) -> tuple[FindingView, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.URGENT.value)

    @property
    def blocking(self) -> tuple[FindingView, ...]:
        return tuple(f for f in self.findings
                     if Severity(f.severity).stops_dispensing)

    @property
    def superseded_count(self) -> int:
        return sum(1 for e in self.timeline if e.superseded)


def _finding(finding: Finding, assessment: Assessment, rules: Rulebook) -> FindingView:
    explanation = pack_name = pack_title = ""
    unconfirmed = False
    by_name = {p.name: p for p in rules.library.packs}
    for name in assessment.rule_sets:
        pack = by_name.get(name)
        spec = pack.rule(finding.rule_id) if pack is not None else None
        if pack is not None and spec is not None:
            explanation, pack_name, pack_title = spec.title, pack.name, pack.title
            unconfirmed = any(p.unconfirmed for p in spec.params.values())
            break
    return FindingView(finding.severity.value, SEVERITY_NAMES[finding.severity],
                       finding.message, finding.rule_id, explanation, pack_name, pack_title,
                       finding.source, unconfirmed)


def findings_of(assessment: Assessment, rules: Rulebook) -> tuple[FindingView, ...]:
    """The assessment's findings, most severe first (the engine's order within a level)."""
    ordered = sorted(assessment.findings, key=lambda f: -f.severity.rank)
    return tuple(_finding(f, assessment, rules) for f in ordered)


def _due(assessment: Assessment, today: dt.date) -> tuple[DueView, ...]:
    items = sorted(assessment.due, key=lambda d: d.due_date)
    return tuple(DueView(due_item_name(d.item), d.due_date, d.reason,
                         ", ".join(analyte_names(d.analytes)), d.rule_id,
                         d.due_date < today, d.due_date == today) for d in items)


def _window(assessment: Assessment, today: dt.date) -> WindowView | None:
    w = assessment.window
    if w is None:
        return None
    return WindowView(w.kind, w.start, w.end, w.start <= today <= w.end,
                      max((w.end - today).days, 0))


def authorization_view(row: AuthorizationRow, today: dt.date) -> AuthorizationView:
    return AuthorizationView(
        code=row.code, status=row.status.value, granted_on=row.granted_on,
        do_not_dispense_after=row.do_not_dispense_after, daily_mg=row.daily_mg,
        days_supply=row.days_supply, morning=capsule_text(row.capsules.get("am", ())),
        evening=capsule_text(row.capsules.get("pm", ())), pharmacy=row.pharmacy,
        usable_today=row.usable_on(today),
        dispensed_on=row.dispensed_at.date() if row.dispensed_at else None,
        reversed_on=row.reversed_at.date() if row.reversed_at else None,
        reversal_reason=row.reversal_reason)


def _latest_labs(facts: CourseFacts) -> tuple[LabLine, ...]:
    latest = {lab.analyte: lab for lab in facts.labs}   # the last result of each
    lines = []
    for lab in (latest[a] for a in LabAnalyte if a in latest):
        uln = f" (upper limit {plain(lab.uln)})" if lab.uln is not None else ""
        lines.append(LabLine(analyte_names([lab.analyte.value])[0],
                             f"{plain(lab.value)} {lab.unit.value}{uln}", lab.date))
    return tuple(lines)


def _programme(assessment: Assessment, rules: Rulebook) -> str:
    pack = next((p for p in rules.library.packs if p.name == assessment.rule_set), None)
    return pack.title if pack is not None else assessment.rule_set


def course_view(course: LoadedCourse, assessment: Assessment, rules: Rulebook, *,
                authorizations: Sequence[AuthorizationRow] = ()) -> CourseView:
    """Everything the course page and the summary show, as of the assessment's date."""
    today = assessment.as_of
    record = course.record
    product = product_of(record, rules.catalog)
    stored = course.header.plan
    facts = CourseFacts(record, today)
    chart = cumulative_chart(record, stored, on=today, catalog=rules.catalog,
                             references=CUMULATIVE_REFERENCES_MG_PER_KG)
    labs = lab_charts(record, lab_thresholds(record, rules.library, on=today), on=today)
    return CourseView(
        course_id=course.header.id, number=course.header.number,
        active=course.header.ended_on is None, patient_ref=course.patient.external_id,
        birth_date=course.patient.birth_date, age=age_on(course.patient.birth_date, today),
        can_get_pregnant=course.patient.can_get_pregnant,
        jurisdiction=record.course.jurisdiction.value,
        programme=_programme(assessment, rules),
        product_id=record.course.product,
        product_name=product.name if product is not None else record.course.product,
        food=food_words(product), weight_kg=facts.weight_kg, today=today,
        plan=plan_view(stored, today), plan_stored=bool(stored),
        progress=course_progress(record, stored, on=today, catalog=rules.catalog),
        cumulative=chart, labs=tuple(labs), latest_labs=_latest_labs(facts),
        findings=findings_of(assessment, rules), due=_due(assessment, today),
        window=_window(assessment, today), dispense_allowed=assessment.dispense_allowed,
        rule_sets=assessment.rule_sets,
        timeline=tuple(timeline(course.events, record)),
        authorizations=tuple(authorization_view(a, today)
                             for a in sorted(authorizations, key=lambda a: a.granted_at,
                                             reverse=True)))
