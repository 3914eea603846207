"""The events of a course record: one frozen dataclass per event type of the spec.

A course is a sequence of dated events; everything else (cumulative dose, open window, what
is due) is derived from them. Events are values: frozen, compared by value, never edited.
A mistake is corrected by a *new* event that names the old one in ``supersedes`` and says
why in ``reason`` (an isocourse addition to the spec's minimum), so the record keeps what
was believed and when.

These classes hold already-checked values; :func:`~isocourse.domain.record.parse.parse_record`
is the gate that checks them. Field names are the JSON keys of the spec, so the serializer
can write them without a mapping table. Doses are whole mg (``int``); weights and lab values
are exact :class:`~decimal.Decimal`. The code lists live in ``vocabulary.py`` and are
re-exported here.

``course_end`` has a spec field ``reason?`` (why the course ended). It shares the common
``reason`` field: on a ``course_end`` that also ``supersedes`` an earlier event, the one
text explains both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from isocourse.domain.record.vocabulary import (
    ContraceptionMethod,
    EventType,
    LabAnalyte,
    LabUnit,
    MethodCategory,
    PregnancyTestResult,
    PregnancyTestSetting,
    SideEffectKind,
)

__all__ = [
    "EVENT_CLASSES",
    "Comprehension",
    "Contraception",
    "ContraceptionMethod",
    "Counseling",
    "CourseEnd",
    "Dispense",
    "Dose",
    "Enrollment",
    "Event",
    "EventType",
    "Lab",
    "LabAnalyte",
    "LabUnit",
    "MentalHealthCheck",
    "MethodCategory",
    "Phq2",
    "Phq9",
    "PregnancyTest",
    "PregnancyTestResult",
    "PregnancyTestSetting",
    "PrescriberAgreement",
    "Prescription",
    "RiskAcknowledgement",
    "SexualFunctionCheck",
    "SideEffect",
    "SideEffectKind",
    "Weight",
]

@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """What every event has: its type, its date and the optional common fields.

    ``date`` is the clinical date of the fact (the specimen date of a test, the day a
    prescription was written), not the day it was typed in. ``extensions`` holds a copy of
    the event's ``"extensions"`` object: data isocourse does not interpret, kept so that a
    record round-trips without loss. It is left out of the hash (a dict is not hashable)
    but not out of equality.
    """

    type: ClassVar[EventType]

    date: dt.date
    id: str | None = None
    note: str | None = None
    supersedes: str | None = None
    reason: str | None = None
    extensions: Mapping[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrollment(Event):
    """The patient was enrolled in the jurisdiction's programme."""

    type: ClassVar[EventType] = EventType.ENROLLMENT


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskAcknowledgement(Event):
    """The signed acknowledgement / informed-consent form."""

    type: ClassVar[EventType] = EventType.RISK_ACKNOWLEDGEMENT


@dataclass(frozen=True, slots=True, kw_only=True)
class Counseling(Event):
    """A documented counselling visit."""

    type: ClassVar[EventType] = EventType.COUNSELING


@dataclass(frozen=True, slots=True, kw_only=True)
class Comprehension(Event):
    """The monthly comprehension questions (iPLEDGE)."""

    type: ClassVar[EventType] = EventType.COMPREHENSION
    passed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Contraception(Event):
    """The methods in use from this date on; a later event replaces the list.

    An empty tuple means *no* method, which is a fact worth recording, not a missing value.
    """

    type: ClassVar[EventType] = EventType.CONTRACEPTION
    methods: tuple[ContraceptionMethod, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PregnancyTest(Event):
    """A pregnancy test, dated by the day the specimen was collected."""

    type: ClassVar[EventType] = EventType.PREGNANCY_TEST
    result: PregnancyTestResult
    setting: PregnancyTestSetting
    verified_by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Lab(Event):
    """A lab result. ``uln`` (upper limit of normal, same unit as ``value``) matters for the
    enzymes; on a lipid it is kept but has no use. When absent a documented default applies."""

    type: ClassVar[EventType] = EventType.LAB
    analyte: LabAnalyte
    value: Decimal
    unit: LabUnit
    uln: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Weight(Event):
    """A new body weight in kg; it applies from this date on."""

    type: ClassVar[EventType] = EventType.WEIGHT
    kg: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Prescription(Event):
    """A prescription written that day. ``product`` overrides the course's product id."""

    type: ClassVar[EventType] = EventType.PRESCRIPTION
    daily_mg: int
    days_supply: int
    refills: int = 0
    product: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Dispense(Event):
    """Capsules handed to the patient that day: the default source of cumulative dose."""

    type: ClassVar[EventType] = EventType.DISPENSE
    daily_mg: int
    days_supply: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Dose(Event):
    """A diary entry for one day; ``mg`` is the dose due and ``taken`` whether it was."""

    type: ClassVar[EventType] = EventType.DOSE
    mg: int
    taken: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Phq2(Event):
    """A PHQ-2 screen: two items scored 0–3."""

    type: ClassVar[EventType] = EventType.PHQ2
    items: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.items)


@dataclass(frozen=True, slots=True, kw_only=True)
class Phq9(Event):
    """A PHQ-9: nine items scored 0–3 in questionnaire order.

    Item 9 asks about thoughts of self-harm; any score above 0 needs a clinician, whatever
    the total, which is why it has its own accessor.
    """

    type: ClassVar[EventType] = EventType.PHQ9
    items: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.items)

    @property
    def self_harm_item(self) -> int:
        return self.items[8]


@dataclass(frozen=True, slots=True, kw_only=True)
class SideEffect(Event):
    """A reported adverse effect, graded 1 (mild) to 3 (severe)."""

    type: ClassVar[EventType] = EventType.SIDE_EFFECT
    kind: SideEffectKind
    grade: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SexualFunctionCheck(Event):
    """UK requirement: sexual function was asked about; ``concern`` if a problem was raised."""

    type: ClassVar[EventType] = EventType.SEXUAL_FUNCTION_CHECK
    concern: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MentalHealthCheck(Event):
    """UK requirement: mental health was assessed; ``concern`` if a problem was raised."""

    type: ClassVar[EventType] = EventType.MENTAL_HEALTH_CHECK
    concern: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PrescriberAgreement(Event):
    """A second, independent prescriber agreed (UK under-18 rule while it was in force)."""

    type: ClassVar[EventType] = EventType.PRESCRIBER_AGREEMENT
    prescriber: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseEnd(Event):
    """The last dose was taken on this date; ``reason`` (optional) says why it ended."""

    type: ClassVar[EventType] = EventType.COURSE_END


#: The class of each event type, for parsers and for exhaustive tests.
EVENT_CLASSES: Mapping[EventType, type[Event]] = {
    cls.type: cls
    for cls in (
        Enrollment, RiskAcknowledgement, Counseling, Comprehension, Contraception,
        PregnancyTest, Lab, Weight, Prescription, Dispense, Dose, Phq2, Phq9, SideEffect,
        SexualFunctionCheck, MentalHealthCheck, PrescriberAgreement, CourseEnd,
    )
}
