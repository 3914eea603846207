"""A course with what the server derives from it (the assessment as of today and the plan),
for the faces that write a course for other systems (the FHIR Bundle and FHIR REST reads).

The plan is stored as JSON (:func:`~isocourse.domain.plan_json.plan_to_json`) when a
course is started by the planner; a face that needs the :class:`Plan` itself gets it here by
planning again from the stored plan's own parameters, and only when that gives back exactly
the stored plan (an imported course has no plan, and a plan made under other inputs is not
guessed at).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from isocourse.domain.dates import age_on
from isocourse.domain.errors import IsocourseError
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import Plan, PlanRequest, plan_course
from isocourse.rules.model import Assessment
from isocourse.services.access import Action, require
from isocourse.services.assessments import assess_loaded
from isocourse.services.course_store import LoadedCourse, load_course, load_patient
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory
from isocourse.services.stored import PatientRow

__all__ = ["CourseOutputs", "course_outputs", "patient_outputs", "stored_plan"]


@dataclass(frozen=True, slots=True)
class CourseOutputs:
    course: LoadedCourse
    assessment: Assessment | None  # None when not asked for
    plan: Plan | None


def _outputs(course: LoadedCourse, clock: Clock, rules: Rulebook,
             assessed: bool) -> CourseOutputs:
    assessment = assess_loaded(course, clock.today(), rules) if assessed else None
    return CourseOutputs(course, assessment, stored_plan(course, rules))


def course_outputs(course_id: str, *, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
                   rules: Rulebook, assessed: bool = True) -> CourseOutputs:
    """The course (reach checked, as GET course), its assessment today (unless
    ``assessed=False``) and its plan."""
    require(actor, Action.READ_RECORD)
    with uows() as uow:
        course = load_course(uow, course_id, actor, rules)
    return _outputs(course, clock, rules, assessed)


def patient_outputs(patient_id: str, *, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
                    rules: Rulebook, assessed: bool = True
                    ) -> tuple[PatientRow, list[CourseOutputs]]:
    """The patient (reach checked, as GET patient) and each of their courses, oldest first."""
    require(actor, Action.READ_RECORD)
    with uows() as uow:
        patient = load_patient(uow, patient_id, actor)
        headers = sorted(uow.courses.of_patient(patient.id), key=lambda h: h.number)
        loaded = [load_course(uow, h.id, actor, rules) for h in headers]
    return patient, [_outputs(c, clock, rules, assessed) for c in loaded]


def stored_plan(course: LoadedCourse, rules: Rulebook) -> Plan | None:
    """The course's stored plan as a :class:`Plan`, or None (see the module's docstring)."""
    stored = course.header.plan
    if not stored:
        return None
    try:
        candidates = _requests(stored, course.patient.birth_date)
    except (KeyError, TypeError, ValueError, IndexError, InvalidOperation):
        return None
    for request in candidates:
        try:
            plan = plan_course(request, rules.catalog)
        except IsocourseError:
            continue
        if plan_to_json(plan) == dict(stored):
            return plan
    return None


def _requests(stored: Mapping[str, Any], birth_date: dt.date) -> list[PlanRequest]:
    phases = stored["phases"]
    start = dt.date.fromisoformat(stored["start_date"])
    first, last = phases[0], phases[-1]
    two = len(phases) > 1
    base: dict[str, Any] = {
        "product_id": stored["product"], "weight": Decimal(str(stored["weight_kg"])),
        "mg_per_kg": Decimal(str(last["mg_per_kg"])), "start_date": start,
        "start_mg_per_kg": Decimal(str(first["mg_per_kg"])) if two else None,
        "start_days": int(first["days"]) if two else None,
        "target_mg_per_kg": Decimal(str(stored["target_mg_per_kg"])),
        "age_years": age_on(birth_date, start),
        "alternate": stored.get("chosen_pattern") == "alternating",
    }
    return [PlanRequest(**base, severe=severe) for severe in (False, True)]
