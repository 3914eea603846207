"""The records the network is copied from: the demo clinic, made through the services.

``seed_templates`` builds the demo clinic (``services.demo``: a few dozen courses of every
programme, product and stage, each step checked by the safety engine) in a throwaway SQLite
file and reads back its rows grouped by patient (a patient with their courses, events,
revisions and authorizations). ``render`` turns one group, moved back in time by a number
of days, into COPY text with ``{0}``-style holes for the ids a copy gets (see ``Slots``).

Moving a group back moves every date and instant in it (columns, and the date strings in
the JSON of settings, plans and event bodies) by the same number of days, so a copy is the
same valid record, started earlier: a course that was at its first window on the demo's
day is, moved back three weeks, past it; moved back a year, a finished course is history.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select

from isocourse.adapters.db.migrate import upgrade
from isocourse.adapters.db.orm import (
    AuthorizationRecord,
    CourseEventRecord,
    CourseRecordRow,
    CourseRevisionRecord,
    PatientRecord,
)
from isocourse.bootstrap import build
from isocourse.config import Settings
from isocourse.services.demo import seed_demo_clinic
from isocourse.services.ports import FixedClock

__all__ = ["TABLES", "Group", "Rendered", "render", "seed_templates"]

Row = dict[str, Any]

#: The tables a copy writes, in load order, with the columns written (revisions' ``id``
#: is left to its sequence: nothing refers to it).
TABLES: dict[str, tuple[str, ...]] = {
    t.name: tuple(c.name for c in t.columns if not (t.name == "course_revisions"
                                                      and c.name == "id"))
    for t in (PatientRecord.__table__, CourseRecordRow.__table__,
              CourseEventRecord.__table__, CourseRevisionRecord.__table__,
              AuthorizationRecord.__table__)
    if isinstance(t, Table)
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T")


@dataclass(frozen=True, slots=True)
class Group:
    """One patient of the demo clinic with everything of theirs."""

    patient: Row
    courses: tuple[Row, ...]
    events: tuple[Row, ...]
    revisions: tuple[Row, ...]
    authorizations: tuple[Row, ...]

    @property
    def active(self) -> bool:
        return any(c["ended_on"] is None for c in self.courses)


def seed_templates(day: dt.date) -> list[Group]:
    """The demo clinic as of ``day``, one group per patient (in external id order)."""
    with tempfile.TemporaryDirectory(prefix="isocourse-scale-") as folder:
        clinic = build(Settings(data_dir=Path(folder), clinic_id="template"),
                       clock=FixedClock(day))
        try:
            upgrade(clinic.engine)
            seed_demo_clinic(uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                             rules=clinic.rules)
            with clinic.engine.connect() as connection:
                def rows(table: Any, order: Any) -> list[Row]:
                    return [dict(r._mapping) for r in
                            connection.execute(select(table).order_by(order))]
                patients = rows(PatientRecord, PatientRecord.external_id)
                courses = rows(CourseRecordRow, CourseRecordRow.number)
                events = rows(CourseEventRecord, CourseEventRecord.id)
                revisions = rows(CourseRevisionRecord, CourseRevisionRecord.id)
                authorizations = rows(AuthorizationRecord, AuthorizationRecord.granted_at)
        finally:
            clinic.close()
    groups = []
    for patient in patients:
        mine = tuple(c for c in courses if c["patient_id"] == patient["id"])
        ids = {c["id"] for c in mine}
        groups.append(Group(
            patient, mine, tuple(e for e in events if e["course_id"] in ids),
            tuple(r for r in revisions if r["course_id"] in ids),
            tuple(a for a in authorizations if a["course_id"] in ids)))
    return groups


# -- rendering -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rendered:
    """COPY text of one group per table, with holes: ``{0}`` the clinic, ``{1}`` the
    patient's external id, ``{2}`` the patient id, then one per course id, one per
    authorization code, then the event row ids as ``{k}`` in group order (see ``slots``)."""

    text: Mapping[str, str]
    courses: int
    events: int
    authorizations: int


def render(group: Group, shift_days: int) -> Rendered:
    """The group moved back by ``shift_days`` days, as COPY text lines with holes."""
    back = dt.timedelta(days=-shift_days)
    holes: dict[str, str] = {group.patient["id"]: "{2}"}
    n = 3
    for c in group.courses:
        holes[c["id"]] = f"{{{n}}}"
        n += 1
    for a in group.authorizations:
        holes[a["code"]] = f"{{{n}}}"
        n += 1
    row_ids: dict[int, str] = {}
    for e in group.events:
        row_ids[e["id"]] = f"{{{n}}}"
        n += 1

    def line(table: str, row: Row, **special: str) -> str:
        out = []
        for column in TABLES[table]:
            if column in special:
                out.append(special[column])
                continue
            value = row[column]
            if isinstance(value, str) and value in holes:
                out.append(holes[value])
            elif column in ("prescription_row", "dispense_row") and value is not None:
                out.append(row_ids[value])
            else:
                out.append(_braces(_copy_value(_moved(value, back))))
        return "\t".join(out) + "\n"

    text = {
        "patients": line("patients", group.patient, clinic_id="{0}", external_id="{1}"),
        "courses": "".join(line("courses", c, clinic_id="{0}") for c in group.courses),
        "course_events": "".join(line("course_events", e, id=row_ids[e["id"]])
                                 for e in group.events),
        "course_revisions": "".join(line("course_revisions", r) for r in group.revisions),
        "authorizations": "".join(line("authorizations", a) for a in group.authorizations),
    }
    return Rendered(text, len(group.courses), len(group.events), len(group.authorizations))


def _moved(value: Any, back: dt.timedelta) -> Any:
    if isinstance(value, dt.datetime):
        return value + back
    if isinstance(value, dt.date):
        return value + back
    if isinstance(value, str):
        if _DATE.match(value):
            return (dt.date.fromisoformat(value) + back).isoformat()
        if _INSTANT.match(value):
            try:
                return (dt.datetime.fromisoformat(value) + back).isoformat()
            except ValueError:
                return value
        return value
    if isinstance(value, Mapping):
        return {k: _moved(v, back) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [_moved(v, back) for v in value]
    return value


def _copy_value(value: Any) -> str:
    """One field in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    else:
        text = str(value)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def slots(group: Group) -> int:
    """How many holes a rendering of ``group`` has."""
    return 3 + len(group.courses) + len(group.authorizations) + len(group.events)


def holes_of(groups: Iterable[Group]) -> int:
    return max(slots(g) for g in groups)
