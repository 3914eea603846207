"""Building courses through the services for integration tests: a US patient who can get
pregnant, ready for a first dispense on ``READY_DAY`` (the example record's history)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from isocourse.bootstrap import Clinic
from isocourse.domain.record import Jurisdiction
from isocourse.services import courses, prescriptions
from isocourse.services.course_store import LoadedCourse

__all__ = ["READY_DAY", "ready_course", "ready_history", "start_us_course"]

#: The day the ready course's window is open and everything is on file.
READY_DAY = dt.date(2026, 10, 1)


def ready_history() -> list[dict[str, Any]]:
    """Enrollment to the first prescription day of examples/us-ipledge-course.json."""
    lab = "lab"
    return [
        {"type": "enrollment", "date": "2026-08-20"},
        {"type": "risk_acknowledgement", "date": "2026-08-20"},
        {"type": "contraception", "date": "2026-08-20", "methods": ["iud", "male-condom"]},
        {"type": "pregnancy_test", "date": "2026-08-20", "result": "negative",
         "setting": "office"},
        *({"type": lab, "date": "2026-09-10", "analyte": a, "value": v, "unit": u}
          for a, v, u in (("alt", 22, "U/L"), ("ast", 25, "U/L"),
                          ("triglycerides", 110, "mg/dL"),
                          ("total-cholesterol", 170, "mg/dL"))),
        {"type": "phq9", "date": "2026-09-30", "items": [0, 1, 0, 0, 1, 0, 0, 0, 0]},
        {"type": "counseling", "date": "2026-10-01"},
        {"type": "comprehension", "date": "2026-10-01", "passed": True},
        {"type": "pregnancy_test", "date": "2026-10-01", "result": "negative",
         "setting": "lab"},
    ]


def start_us_course(clinic: Clinic, external_id: str = "p-0001") -> LoadedCourse:
    kw: dict[str, Any] = {"uows": clinic.uows, "clock": clinic.clock, "actor": clinic.actor}
    patient = courses.register_patient(courses.RegisterPatient(
        external_id=external_id, birth_date=dt.date(2004, 4, 2), can_get_pregnant=True), **kw)
    return courses.start_course(courses.StartCourse(
        patient_id=patient.id, jurisdiction=Jurisdiction.US_IPLEDGE,
        product="us-conventional", weight_kg=Decimal(60), mg_per_kg=Decimal("0.5"),
        start_date=dt.date(2026, 10, 3)), rules=clinic.rules, **kw)


def ready_course(clinic: Clinic, external_id: str = "p-0001") -> tuple[LoadedCourse, str]:
    """A course with a prescription that may be dispensed on READY_DAY; returns it and the
    prescription's id. Sets the clinic's clock to READY_DAY."""
    clinic.clock.day = READY_DAY  # type: ignore[attr-defined]
    course = start_us_course(clinic, external_id)
    kw: dict[str, Any] = {"uows": clinic.uows, "clock": clinic.clock, "actor": clinic.actor,
                          "rules": clinic.rules}
    course, _ = courses.record_events(course.header.id, ready_history(),
                                      expected_version=None, **kw)
    verdict = prescriptions.write_prescription(prescriptions.WritePrescription(
        course_id=course.header.id, daily_mg=30, days_supply=30), preview=False,
        expected_version=None, **kw)
    assert verdict.saved and verdict.prescription_id is not None
    assert verdict.assessment.dispense_allowed, verdict.assessment.findings
    return verdict.course, verdict.prescription_id
