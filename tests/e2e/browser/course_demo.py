"""Courses of the demo clinic the course-page and summary tests open, found through the
services on a copy of the seeded clinic (the demo's ids are random)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isocourse.adapters.db.engine import sqlite_url
from isocourse.bootstrap import build
from isocourse.config import Settings
from isocourse.domain.record import Dispense, Lab
from isocourse.rules.model import Severity
from isocourse.services import courses
from isocourse.services.course_outputs import course_outputs
from isocourse.services.ports import FixedClock
from tests.support.clinics import DAY

__all__ = ["CourseRef", "DemoCourses", "find_demo_courses"]


@dataclass(frozen=True)
class CourseRef:
    id: str
    patient: str                  # the patient's id in the record (demo-NNN)
    number: int
    plan: dict[str, Any]          # the stored plan ({} when none)
    start: dt.date | None
    events: int


@dataclass(frozen=True)
class DemoCourses:
    urgent: CourseRef             # PHQ-9 item 9 answered above 0
    mid_course: CourseRef         # under way: a stored plan, dispenses and labs
    own: CourseRef                # the demo patient account's (demo-001) course


def find_demo_courses(template: Path, folder: Path) -> DemoCourses:
    shutil.copyfile(template, folder / "isocourse.db")
    clinic = build(Settings(data_dir=folder, database_url=sqlite_url(folder / "isocourse.db")),
                   clock=FixedClock(DAY))
    try:
        with clinic.uows() as uow:
            ids = uow.courses.ids_of_clinic(clinic.actor.clinic_id, after=None, limit=500)
        urgent, under_way, by_patient = [], [], {}
        for course_id in ids:
            out = course_outputs(course_id, uows=clinic.uows, clock=clinic.clock,
                                 actor=clinic.actor, rules=clinic.rules)
            course, record = out.course, out.course.record
            ref = CourseRef(course_id, course.patient.external_id, course.header.number,
                            dict(course.header.plan or {}), record.course.start_date,
                            len(course.events))
            by_patient[ref.patient] = ref
            assert out.assessment is not None
            if any(f.severity is Severity.URGENT and f.rule_id == "monitoring.self-harm"
                   for f in out.assessment.findings):
                urgent.append(ref)
            if out.plan is not None and course.header.ended_on is None \
                    and record.events_of(Dispense) and record.events_of(Lab) \
                    and ref.start is not None and ref.start < DAY:
                under_way.append(ref)
        own = courses.find_patient("demo-001", uows=clinic.uows, actor=clinic.actor)
        return DemoCourses(min(urgent, key=lambda r: r.patient),
                           min(under_way, key=lambda r: r.patient),
                           by_patient[own.external_id])
    finally:
        clinic.close()
