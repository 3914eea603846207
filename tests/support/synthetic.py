"""A large synthetic clinic, made fast: one real course made through the services, then
its rows copied with new ids by bulk inserts (patients, courses, events). Every copy is a
valid course record (the same as the original, under another patient id)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select

from isocourse.adapters.db.orm import CourseEventRecord, CourseRecordRow, PatientRecord
from isocourse.bootstrap import Clinic
from tests.support.courses import start_us_course

__all__ = ["synthetic_clinic"]


def _row(obj: Any, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in drop}


def synthetic_clinic(clinic: Clinic, courses: int, *, batch: int = 500) -> None:
    """Fill ``clinic`` with ``courses`` courses, one patient each."""
    template = start_us_course(clinic, "synthetic-0")
    with clinic.engine.begin() as connection:
        course = connection.execute(select(CourseRecordRow).where(
            CourseRecordRow.id == template.header.id)).one()._mapping
        patient = connection.execute(select(PatientRecord).where(
            PatientRecord.id == template.patient.id)).one()._mapping
        events = [dict(r._mapping) for r in connection.execute(select(CourseEventRecord).where(
            CourseEventRecord.course_id == template.header.id))]
    for start in range(1, courses, batch):
        patients, headers, rows = [], [], []
        for n in range(start, min(start + batch, courses)):
            pid, cid = str(uuid.uuid4()), str(uuid.uuid4())
            patients.append({**patient, "id": pid, "external_id": f"synthetic-{n}"})
            headers.append({**course, "id": cid, "patient_id": pid})
            rows += [{**{k: v for k, v in e.items() if k != "id"}, "course_id": cid}
                     for e in events]
        with clinic.engine.begin() as connection:
            connection.execute(insert(PatientRecord), patients)
            connection.execute(insert(CourseRecordRow), headers)
            if rows:
                connection.execute(insert(CourseEventRecord), rows)
