"""Assessing a stored course with the safety engine, as of a date."""

from __future__ import annotations

import datetime as dt

from isocourse.domain.dates import supported
from isocourse.domain.errors import InvalidInput
from isocourse.rules.engine import assess
from isocourse.rules.model import Assessment
from isocourse.services.access import Action, require
from isocourse.services.course_store import LoadedCourse, load_course
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory

__all__ = ["assess_course", "assess_loaded"]


def assess_loaded(course: LoadedCourse, on: dt.date, rules: Rulebook) -> Assessment:
    return assess(course.record, on=on, library=rules.library, catalog=rules.catalog)


def assess_course(course_id: str, *, on: dt.date | None, uows: UnitOfWorkFactory,
                  clock: Clock, actor: Actor,
                  rules: Rulebook) -> tuple[LoadedCourse, Assessment]:
    """The course's assessment as of ``on`` (default: today in the clinic's zone), with the
    rules in force that day. Events dated after ``on`` are not seen, so the answer for a
    past date is what the rules said then (given what is now known about then)."""
    require(actor, Action.READ_RECORD)
    day = on or clock.today()
    if not supported(day):
        raise InvalidInput("the date is out of range", field="on")
    with uows() as uow:
        course = load_course(uow, course_id, actor, rules)
    return course, assess_loaded(course, day, rules)
