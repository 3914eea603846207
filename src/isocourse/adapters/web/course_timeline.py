"""Every event of a course as a timeline entry: what happened, when, who recorded it, and
whether a later event corrected it. Newest first. Pure (from the stored events and the
parsed record, which the course store keeps in the same order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from isocourse.adapters.reports.charts.display import plain
from isocourse.adapters.web.course_words import EVENT_NAMES, analyte_names, words
from isocourse.domain.record import (
    Comprehension,
    Contraception,
    CourseRecord,
    Dispense,
    Dose,
    Event,
    Lab,
    MentalHealthCheck,
    Phq2,
    Phq9,
    PregnancyTest,
    PrescriberAgreement,
    Prescription,
    SexualFunctionCheck,
    SideEffect,
    Weight,
)
from isocourse.services.stored import StoredEvent

__all__ = ["TimelineEntry", "event_summary", "timeline"]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    date: dt.date
    kind: str                    # the event type's code (a CSS hook and a filter key)
    name: str                    # the event type in words
    summary: str                 # what the event says
    event_id: str | None
    recorded_at: dt.datetime
    recorded_by: str
    recorded_for: str | None
    note: str | None
    reason: str | None
    corrects: str | None         # the id of the event this one supersedes
    corrected_by: str | None     # the id of the event that supersedes this one

    @property
    def superseded(self) -> bool:
        return self.corrected_by is not None


def _yes(value: bool, yes: str, no: str) -> str:
    return yes if value else no


def event_summary(event: Event) -> str:
    """One line saying what ``event`` records (its values; no judgement)."""
    match event:
        case Lab():
            uln = f" (upper limit of normal {plain(event.uln)})" if event.uln is not None else ""
            return f"{analyte_names([event.analyte.value])[0]} {plain(event.value)} " \
                   f"{event.unit.value}{uln}"
        case PregnancyTest():
            by = f", verified by {event.verified_by}" if event.verified_by else ""
            return f"{event.result.value.capitalize()} ({event.setting.value}{by})"
        case Prescription():
            refills = f", {event.refills} refill{'s' if event.refills != 1 else ''}"
            product = f", product {event.product}" if event.product else ""
            return f"{event.daily_mg} mg a day for {event.days_supply} days{refills}{product}"
        case Dispense():
            return f"{event.daily_mg} mg a day for {event.days_supply} days"
        case Dose():
            return f"{event.mg} mg {_yes(event.taken, 'taken', 'missed')}"
        case Weight():
            return f"{plain(event.kg)} kg"
        case Phq9():
            return f"Total {event.total} of 27; item 9 (thoughts of self-harm): " \
                   f"{event.self_harm_item}"
        case Phq2():
            return f"Total {event.total} of 6"
        case SideEffect():
            return f"{words(event.kind.value).capitalize()}, grade {event.grade}"
        case Contraception():
            return ", ".join(words(m.value) for m in event.methods) or "no method"
        case Comprehension():
            return _yes(event.passed, "Passed", "Not passed")
        case MentalHealthCheck() | SexualFunctionCheck():
            return _yes(event.concern, "A concern was recorded", "No concern")
        case PrescriberAgreement():
            return f"Agreed by {event.prescriber}"
    return ""


def timeline(stored: Sequence[StoredEvent], record: CourseRecord) -> list[TimelineEntry]:
    """The course's events, newest first (the reverse of record order: a correction comes
    before what it corrects)."""
    corrected_by: dict[str, str] = {}
    for event in record.events:
        if event.supersedes is not None:
            corrected_by[event.supersedes] = event.id or ""
    entries = []
    for row, event in zip(stored, record.events, strict=True):
        entries.append(TimelineEntry(
            date=event.date, kind=event.type.value,
            name=EVENT_NAMES.get(event.type.value, words(event.type.value).capitalize()),
            summary=event_summary(event), event_id=event.id, recorded_at=row.recorded_at,
            recorded_by=row.recorded_by, recorded_for=row.recorded_for, note=event.note,
            reason=event.reason, corrects=event.supersedes,
            corrected_by=corrected_by.get(event.id) if event.id is not None else None))
    entries.reverse()
    return entries
