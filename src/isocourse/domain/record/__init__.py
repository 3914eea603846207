"""The course record: isocourse's interchange format (``isocourse-course/1``).

Pure domain model, parser and serializer of the JSON document fixed by
shared/spec/course-record.md (user reference: docs/reference/course-record.md)::

    record = parse_record(json.loads(text), known_products=catalog.products)
    data = record_to_json(record)          # parse_record(data) == record

:func:`parse_record` reports every problem of a document at once, each with its JSON path,
and never echoes a value (values are patient data). The JSON Schema of the format is
``course.schema.json`` beside this file (:func:`course_schema`).
"""

from __future__ import annotations

from isocourse.domain.record._parse_events import (
    MAX_DAILY_MG,
    MAX_DAYS_SUPPLY,
    MAX_LAB_VALUE,
    MAX_REFILLS,
    MIN_ULN,
)
from isocourse.domain.record.course import (
    FORMAT,
    CourseInfo,
    CourseRecord,
    Jurisdiction,
    Patient,
)
from isocourse.domain.record.events import (
    EVENT_CLASSES,
    Comprehension,
    Contraception,
    Counseling,
    CourseEnd,
    Dispense,
    Dose,
    Enrollment,
    Event,
    Lab,
    MentalHealthCheck,
    Phq2,
    Phq9,
    PregnancyTest,
    PrescriberAgreement,
    Prescription,
    RiskAcknowledgement,
    SexualFunctionCheck,
    SideEffect,
    Weight,
)
from isocourse.domain.record.parse import parse_course_info, parse_record
from isocourse.domain.record.schema import course_schema
from isocourse.domain.record.serialize import course_info_to_json, event_to_json, record_to_json
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
    "FORMAT",
    "MAX_DAILY_MG",
    "MAX_DAYS_SUPPLY",
    "MAX_LAB_VALUE",
    "MAX_REFILLS",
    "MIN_ULN",
    "Comprehension",
    "Contraception",
    "ContraceptionMethod",
    "Counseling",
    "CourseEnd",
    "CourseInfo",
    "CourseRecord",
    "Dispense",
    "Dose",
    "Enrollment",
    "Event",
    "EventType",
    "Jurisdiction",
    "Lab",
    "LabAnalyte",
    "LabUnit",
    "MentalHealthCheck",
    "MethodCategory",
    "Patient",
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
    "course_info_to_json",
    "course_schema",
    "event_to_json",
    "parse_course_info",
    "parse_record",
    "record_to_json",
]
