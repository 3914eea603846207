"""The clinic's due list: every course that needs something, with what and by when.

The prescriber's morning view. Each active course (and each ended course still within
``follow_up_days`` of its end, for post-course tests) is assessed as of the day, and the
course is listed when anything is due or any finding needs attention. Entries are sorted
by urgency: urgent findings first, then blocked dispensing, then the earliest due date.

Cost: one assessment per candidate course, so the list is computed in time linear in the
clinic's active courses (about a thousand per second, see docs/performance.md). A clinic
network of many thousand active courses needs a stored index of next-due dates; that is
measured and planned in issue 8, not pretended here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from isocourse.domain.dates import supported
from isocourse.domain.errors import InvalidInput
from isocourse.rules.model import Assessment, Cumulative, DueItem, Finding, Severity
from isocourse.services.access import Action, require
from isocourse.services.assessments import assess_loaded
from isocourse.services.course_store import LoadedCourse, load_course
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory

__all__ = ["DueEntry", "DueFilter", "DuePage", "due_list"]


@dataclass(frozen=True, slots=True)
class DueFilter:
    """``within_days``: only items due on or before today + N (overdue included).
    ``item``: only courses with that due item (``pregnancy_test``, ``lab`` ...).
    ``jurisdiction``: one programme. ``attention``: only courses with an urgent or a
    dispense-blocking finding."""

    within_days: int | None = None
    item: str | None = None
    jurisdiction: str | None = None
    attention: bool = False


@dataclass(frozen=True, slots=True)
class DueEntry:
    course: LoadedCourse
    assessment: Assessment
    due: tuple[DueItem, ...]
    attention: tuple[Finding, ...]

    @property
    def next_due(self) -> dt.date | None:
        return min((d.due_date for d in self.due), default=None)

    @property
    def top_severity(self) -> Severity | None:
        return max((f.severity for f in self.attention), key=lambda s: s.rank, default=None)


@dataclass(frozen=True, slots=True)
class DuePage:
    entries: list[DueEntry]
    total: int
    as_of: dt.date


def due_list(flt: DueFilter, *, offset: int, limit: int, follow_up_days: int,
             on: dt.date | None, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
             rules: Rulebook) -> DuePage:
    require(actor, Action.DUE_LIST)
    today = on or clock.today()
    if not supported(today):
        raise InvalidInput("the date is out of range", field="on")
    since = today - dt.timedelta(days=follow_up_days)
    with uows() as uow:
        headers = uow.courses.active_or_recent(actor.clinic_id, since)
        if flt.jurisdiction is not None:
            headers = [h for h in headers if h.info.jurisdiction.value == flt.jurisdiction]
        courses = [load_course(uow, h.id, actor, rules, audited=False) for h in headers]
        entries = [e for e in (_entry(c, today, flt, rules) for c in courses) if e is not None]
        entries.sort(key=_urgency)
        page = entries[offset:offset + limit]
        for entry in page:  # the records a person sees are those on the page
            uow.saw(entry.course.header.patient_id)
    return DuePage(page, len(entries), today)


def _entry(course: LoadedCourse, today: dt.date, flt: DueFilter,
           rules: Rulebook) -> DueEntry | None:
    try:
        assessment = assess_loaded(course, today, rules)
    except (ArithmeticError, ValueError):
        # One course whose record the engine cannot compute (a defect to fix) must not take
        # the clinic's whole list down: it is listed as needing attention instead.
        return _unassessable(course, today)
    due: Sequence[DueItem] = assessment.due
    if flt.within_days is not None:
        horizon = today + dt.timedelta(days=flt.within_days)
        due = [d for d in due if d.due_date <= horizon]
    # After the course's end, "nothing more is dispensed" blocks are expected: only urgent
    # findings (a positive post-course test) still need attention.
    stopping = (Severity.URGENT,) if course.header.ended_on is not None \
        else (Severity.URGENT, Severity.BLOCK)
    attention = tuple(f for f in assessment.findings if f.severity in stopping)
    if flt.item is not None and not any(d.item == flt.item for d in due):
        return None
    if flt.attention and not attention:
        return None
    if not due and not attention:
        return None
    return DueEntry(course, assessment, tuple(due), attention)


def _urgency(entry: DueEntry) -> tuple[int, dt.date, str]:
    severity = entry.top_severity
    rank = -severity.rank if severity is not None else 0
    return (rank, entry.next_due or dt.date.max, entry.course.header.id)


def _unassessable(course: LoadedCourse, today: dt.date) -> DueEntry:
    finding = Finding(rule_id="isocourse.unassessable", severity=Severity.URGENT,
                      message="the safety rules could not be computed for this course; "
                              "check its record before dispensing", source="isocourse")
    assessment = Assessment(
        as_of=today, jurisdiction=course.record.course.jurisdiction.value, rule_set="",
        rule_sets=(), dispense_allowed=False, window=None,
        cumulative=Cumulative(mg=Decimal(0), mg_per_kg=Decimal(0), basis=""),
        findings=(finding,), due=())
    return DueEntry(course, assessment, (), (finding,))
