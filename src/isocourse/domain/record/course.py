"""The course record as a whole: who the patient is, which course, and its events.

A :class:`CourseRecord` is the pure, in-memory form of one ``isocourse-course/1`` document.
It stores facts only; what follows from them (cumulative dose, windows, findings) is
computed elsewhere from :meth:`CourseRecord.effective_events`, so nothing is stored twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from isocourse.domain.record.events import Event

__all__ = ["FORMAT", "CourseInfo", "CourseRecord", "Jurisdiction", "Patient"]

#: The ``format`` value of this version of the interchange format.
FORMAT = "isocourse-course/1"

_E = TypeVar("_E", bound=Event)


class Jurisdiction(StrEnum):
    """The risk-management programme the course runs under."""

    US_IPLEDGE = "us-ipledge"
    EU_PPP = "eu-ppp"
    UK_MHRA = "uk-mhra"


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """The patient as the rules need them; ``id`` is opaque and never a name.

    ``can_get_pregnant`` is the programme's risk category (iPLEDGE "patient who can get
    pregnant", EU/UK "of childbearing potential"). ``weight_kg`` is the weight at enrollment;
    later weights are ``weight`` events.
    """

    id: str
    birth_date: dt.date
    can_get_pregnant: bool
    weight_kg: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseInfo:
    """The course's settings. ``start_date`` is the first dose, ``None`` until it is taken.

    ``product`` is a catalog id, kept as a string: the catalog is data a clinic may extend,
    so the format layer checks it only against the ids it is given.
    """

    jurisdiction: Jurisdiction
    product: str
    start_date: dt.date | None = None
    lab_profile: str = "default"
    home_tests_allowed: bool = False
    #: The last dose of the patient's previous isotretinoin course, if any: a new course
    #: should not start until 8 weeks after it (label). An isocourse addition to the format.
    previous_course_end: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseRecord:
    """One course record. ``events`` are in date order, corrections after what they correct.

    ``extensions`` is the document's top-level ``"extensions"`` object, kept uninterpreted
    so that other tools' data survives a round trip.
    """

    format: str = FORMAT
    patient: Patient
    course: CourseInfo
    events: tuple[Event, ...] = ()
    extensions: Mapping[str, Any] | None = field(default=None, hash=False)

    def superseded_ids(self) -> frozenset[str]:
        """Ids of events that a later event corrects (names in its ``supersedes``)."""
        seen: set[str] = set()
        superseded: set[str] = set()
        for event in self.events:
            if event.supersedes is not None and event.supersedes in seen:
                superseded.add(event.supersedes)
            if event.id is not None:
                seen.add(event.id)
        return frozenset(superseded)

    def effective_events(self) -> tuple[Event, ...]:
        """The events that still stand: every event except those a later one supersedes.

        This is what rules and calculations should read. A chain of corrections resolves
        to its last link, because each link supersedes the one before.
        """
        superseded = self.superseded_ids()
        return tuple(e for e in self.events if e.id is None or e.id not in superseded)

    def events_of(self, kind: type[_E], *, include_superseded: bool = False) -> tuple[_E, ...]:
        """The events of one class, in record order.

        Superseded events are left out unless asked for: reading a retracted test result as
        if it stood is the mistake this default prevents.
        """
        source = self.events if include_superseded else self.effective_events()
        return tuple(e for e in source if isinstance(e, kind))

    def event_by_id(self, event_id: str) -> Event | None:
        """The event with this id, or ``None`` (ids are unique in a valid record)."""
        return next((e for e in self.events if e.id == event_id), None)
