"""A clinic to load: ready courses with a standing prescription each, a pharmacist and a
prescriber with API tokens, made through the services (as ``isocourse users add`` and
``POST /tokens`` make them) against the database the server will then open.

The courses are the test suite's ready course (tests/support/courses.py) moved to today:
the server runs on the system clock, so every date of the history is shifted by
``today - READY_DAY`` and each prescription may be dispensed today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.support.accounts import add_account, token_for
from tests.support.courses import READY_DAY, ready_history

from isocourse.bootstrap import build
from isocourse.config import Settings
from isocourse.domain.record import Jurisdiction
from isocourse.services import courses, prescriptions
from isocourse.services.access import Role
from isocourse.services.ports import FixedClock

__all__ = ["Seeded", "seed_clinic"]


@dataclass(frozen=True)
class Seeded:
    prescriptions: list[tuple[str, str]]  # (course id, prescription id), each grantable today
    pharmacist_token: str
    prescriber_token: str
    seconds: float


def _shift(events: list[dict[str, Any]], days: dt.timedelta) -> list[dict[str, Any]]:
    return [{**e, "date": (dt.date.fromisoformat(e["date"]) + days).isoformat()}
            for e in events]


def seed_clinic(data_dir: Path, database_url: str | None, n_courses: int,
                today: dt.date | None = None) -> Seeded:
    import time

    started = time.perf_counter()
    day = today or dt.datetime.now(dt.UTC).date()  # the server's zone is UTC (the default)
    shift = day - READY_DAY
    clinic = build(Settings(data_dir=data_dir, database_url=database_url),
                   clock=FixedClock(day))
    try:
        clinic.migrate()
        kw: dict[str, Any] = {"uows": clinic.uows, "clock": clinic.clock,
                              "actor": clinic.actor}
        history = _shift(ready_history(), shift)
        made: list[tuple[str, str]] = []
        for n in range(n_courses):
            patient = courses.register_patient(courses.RegisterPatient(
                external_id=f"bench-{n:05d}", birth_date=dt.date(2004, 4, 2),
                can_get_pregnant=True), **kw)
            course = courses.start_course(courses.StartCourse(
                patient_id=patient.id, jurisdiction=Jurisdiction.US_IPLEDGE,
                product="us-conventional", weight_kg=Decimal(60), mg_per_kg=Decimal("0.5"),
                start_date=dt.date(2026, 10, 3) + shift), rules=clinic.rules, **kw)
            course, _ = courses.record_events(course.header.id, history,
                                              expected_version=None, rules=clinic.rules, **kw)
            verdict = prescriptions.write_prescription(prescriptions.WritePrescription(
                course_id=course.header.id, daily_mg=30, days_supply=30), preview=False,
                expected_version=None, rules=clinic.rules, **kw)
            if not (verdict.saved and verdict.prescription_id
                    and verdict.assessment.dispense_allowed):
                raise RuntimeError(f"seeded course {n} cannot be dispensed today: "
                                   f"{verdict.assessment.findings}")
            made.append((course.header.id, verdict.prescription_id))
        pharmacist = add_account(clinic, Role.PHARMACIST, "bench-pharmacist")
        prescriber = add_account(clinic, Role.PRESCRIBER, "bench-prescriber")
        return Seeded(prescriptions=made, pharmacist_token=token_for(clinic, pharmacist),
                      prescriber_token=token_for(clinic, prescriber),
                      seconds=time.perf_counter() - started)
    finally:
        clinic.close()
