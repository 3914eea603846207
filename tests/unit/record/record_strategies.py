"""Hypothesis strategies and sample documents for the course-record tests.

``records()`` builds random *valid* records as domain objects (every event type, ids,
corrections, extensions, awkward numbers and text), so the property tests can say "for any
valid record" and mean it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from isocourse.domain.record import (
    EVENT_CLASSES,
    ContraceptionMethod,
    CourseInfo,
    CourseRecord,
    Event,
    EventType,
    Jurisdiction,
    LabAnalyte,
    Patient,
    PregnancyTestResult,
    PregnancyTestSetting,
    SideEffectKind,
)

_NON_BLANK = re.compile(r"\S")

# Any text a person could type: no control characters other than tab and line breaks.
texts = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
        chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))),
    min_size=1, max_size=20).filter(lambda s: bool(_NON_BLANK.search(s)))
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def exact_decimals(low: int, high: int | None) -> st.SearchStrategy[Decimal]:
    """Decimals as people write them (0-4 places) and as JSON floats arrive (shortest repr)."""
    written = st.one_of(
        *(st.decimals(min_value=low, max_value=high, places=p) for p in range(5))
    )
    from_floats = st.floats(
        min_value=low, max_value=high if high is not None else 1e9, allow_nan=False
    ).map(lambda f: Decimal(repr(f)))
    return st.one_of(written, from_floats)


weights = exact_decimals(20, 250)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
extensions = st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=3)
scores = st.integers(0, 3)


def _lab() -> st.SearchStrategy[dict[str, Any]]:
    def body(analyte: LabAnalyte) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {"analyte": st.just(analyte), "value": exact_decimals(0, 5000),
             "unit": st.sampled_from(analyte.units)},
            optional={"uln": exact_decimals(0, 500).filter(lambda d: d >= Decimal("0.001"))},
        )
    return st.sampled_from(LabAnalyte).flatmap(body)


def _fields(**members: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(members)


#: The type-specific members of each event type, as strategies.
EVENT_BODIES: dict[EventType, st.SearchStrategy[dict[str, Any]]] = {
    EventType.ENROLLMENT: st.just({}),
    EventType.RISK_ACKNOWLEDGEMENT: st.just({}),
    EventType.COUNSELING: st.just({}),
    EventType.COMPREHENSION: _fields(passed=st.booleans()),
    EventType.CONTRACEPTION: _fields(
        methods=st.lists(st.sampled_from(ContraceptionMethod), unique=True).map(tuple)),
    EventType.PREGNANCY_TEST: st.fixed_dictionaries(
        {"result": st.sampled_from(PregnancyTestResult),
         "setting": st.sampled_from(PregnancyTestSetting)},
        optional={"verified_by": texts}),
    EventType.LAB: _lab(),
    EventType.WEIGHT: _fields(kg=weights),
    EventType.PRESCRIPTION: st.fixed_dictionaries(
        {"daily_mg": st.integers(1, 400), "days_supply": st.integers(1, 120),
         "refills": st.integers(0, 11)},
        optional={"product": texts}),
    EventType.DISPENSE: _fields(daily_mg=st.integers(1, 400), days_supply=st.integers(1, 120)),
    EventType.DOSE: _fields(mg=st.integers(0, 400), taken=st.booleans()),
    EventType.PHQ2: _fields(items=st.tuples(scores, scores)),
    EventType.PHQ9: _fields(items=st.lists(scores, min_size=9, max_size=9).map(tuple)),
    EventType.SIDE_EFFECT: _fields(kind=st.sampled_from(SideEffectKind),
                                   grade=st.integers(1, 3)),
    EventType.SEXUAL_FUNCTION_CHECK: _fields(concern=st.booleans()),
    EventType.MENTAL_HEALTH_CHECK: _fields(concern=st.booleans()),
    EventType.PRESCRIBER_AGREEMENT: _fields(prescriber=texts),
    EventType.COURSE_END: st.just({}),
}


@st.composite
def records(draw: st.DrawFn, max_events: int = 12) -> CourseRecord:
    """A valid record: events in date order, unique ids, corrections of earlier events."""
    patient = Patient(id=draw(texts), birth_date=draw(dates),
                      can_get_pregnant=draw(st.booleans()), weight_kg=draw(weights))
    course = CourseInfo(
        jurisdiction=draw(st.sampled_from(Jurisdiction)), product=draw(texts),
        start_date=draw(st.none() | dates), lab_profile=draw(texts),
        previous_course_end=draw(st.none() | dates),
        home_tests_allowed=draw(st.booleans()),
    )
    count = draw(st.integers(0, max_events))
    event_dates = sorted(draw(st.lists(dates, min_size=count, max_size=count)))
    ids = draw(st.lists(texts, min_size=count, max_size=count, unique=True))
    events: list[Event] = []
    correctable: list[str] = []
    for position in range(count):
        supersedes = None
        wants_correction = draw(st.booleans())
        if correctable and wants_correction:
            supersedes = draw(st.sampled_from(correctable))
            correctable.remove(supersedes)
        kind = draw(st.sampled_from(EventType))
        event = EVENT_CLASSES[kind](
            date=event_dates[position],
            id=ids[position] if draw(st.booleans()) else None,
            note=draw(st.none() | texts),
            supersedes=supersedes,
            reason=draw(texts) if supersedes is not None else draw(st.none() | texts),
            extensions=draw(extensions),
            **draw(EVENT_BODIES[kind]),
        )
        if event.id is not None:
            correctable.append(event.id)
        events.append(event)
    return CourseRecord(patient=patient, course=course, events=tuple(events),
                        extensions=draw(extensions))


#: The spec's top-level example, with one event of every type (field values as the spec
#: writes them), in date order.
SPEC_EXAMPLE: dict[str, Any] = {
    "format": "isocourse-course/1",
    "patient": {"id": "p-0001", "birth_date": "2008-04-02", "can_get_pregnant": True,
                "weight_kg": 58.0},
    "course": {"jurisdiction": "us-ipledge", "product": "us-conventional",
               "start_date": "2026-10-03", "lab_profile": "default",
               "home_tests_allowed": False},
    "events": [
        {"type": "enrollment", "date": "2026-09-01", "id": "enr"},
        {"type": "risk_acknowledgement", "date": "2026-09-01"},
        {"type": "counseling", "date": "2026-09-01", "note": "discussed two methods"},
        {"type": "contraception", "date": "2026-09-01", "methods": ["iud", "male-condom"]},
        {"type": "lab", "date": "2026-09-02", "analyte": "alt", "value": 22, "unit": "U/L",
         "uln": 40},
        {"type": "lab", "date": "2026-09-02", "analyte": "triglycerides", "value": 1.4,
         "unit": "mmol/L"},
        {"type": "phq2", "date": "2026-09-02", "items": [0, 1]},
        {"type": "phq9", "date": "2026-09-02", "items": [0, 1, 0, 0, 1, 0, 0, 0, 0]},
        {"type": "pregnancy_test", "date": "2026-09-02", "result": "negative",
         "setting": "lab", "id": "hcg-1"},
        {"type": "pregnancy_test", "date": "2026-10-01", "result": "negative",
         "setting": "office", "verified_by": "clinic nurse"},
        {"type": "comprehension", "date": "2026-10-02", "passed": True},
        {"type": "prescription", "date": "2026-10-02", "daily_mg": 40, "days_supply": 30,
         "refills": 0, "product": "us-conventional"},
        {"type": "dispense", "date": "2026-10-03", "daily_mg": 40, "days_supply": 30},
        {"type": "dose", "date": "2026-10-03", "mg": 40, "taken": True},
        {"type": "weight", "date": "2026-10-20", "kg": 59.5},
        {"type": "side_effect", "date": "2026-10-20", "kind": "cheilitis", "grade": 1},
        {"type": "sexual_function_check", "date": "2026-10-20", "concern": False},
        {"type": "mental_health_check", "date": "2026-10-20", "concern": False},
        {"type": "prescriber_agreement", "date": "2026-10-20", "prescriber": "dr-0002"},
        {"type": "course_end", "date": "2027-03-01", "reason": "target reached"},
    ],
}


def example() -> dict[str, Any]:
    """A fresh deep copy of :data:`SPEC_EXAMPLE`, for a test to change."""
    return copy.deepcopy(SPEC_EXAMPLE)
