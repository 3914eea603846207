"""Bulk export: every course of the actor's clinic, one at a time, to a writer.

The clinic is read in pages of course ids in id order (keyset paging: each page starts
after the last id of the one before), one unit of work per page, and each course is
loaded and handed to ``write`` before the next is read. At most one page of ids and one
course are held at once, whatever the size of the clinic; what the writer keeps is the
writer's business (the ndjson writer keeps nothing but open files and counts).

Each page is its own read transaction, so the export is not one snapshot: a course
changed while the export runs appears as it was when its page was read.

Every exported patient is noted for the audit trail (``uow.saw``): the entry of the
export (a CLI command, or a ``$export`` job) names them all as its subjects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from isocourse.domain.errors import Conflict
from isocourse.services.access import Action, require
from isocourse.services.course_store import LoadedCourse, load_course
from isocourse.services.ports import Actor, Rulebook, UnitOfWorkFactory

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ExportCancelled",
    "ExportSummary",
    "authorize_export",
    "export_clinic",
]

#: Course ids read per page (and per read transaction).
DEFAULT_PAGE_SIZE = 200


class ExportCancelled(Conflict):
    """The export was cancelled (``cancelled()`` turned true) before it finished."""

    code = "export-cancelled"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    courses: int
    patients: int


def authorize_export(actor: Actor) -> None:
    """Refuse (:class:`Forbidden`) an actor who may not export the clinic: asked before a
    background export starts, so that the refusal is the request's own answer."""
    require(actor, Action.BULK_EXPORT)


def export_clinic(write: Callable[[LoadedCourse], None], *, uows: UnitOfWorkFactory,
                  actor: Actor, rules: Rulebook, page_size: int = DEFAULT_PAGE_SIZE,
                  cancelled: Callable[[], bool] = lambda: False) -> ExportSummary:
    """Hand every course of the actor's clinic to ``write``, in course id order.
    ``cancelled`` is asked before each course; when it says so, :class:`ExportCancelled`
    is raised (what was written so far is the caller's to remove)."""
    authorize_export(actor)
    if page_size < 1:
        raise ValueError("page_size must be positive")
    after: str | None = None
    courses = 0
    patients: set[str] = set()
    while True:
        with uows() as uow:
            page = uow.courses.ids_of_clinic(actor.clinic_id, after=after, limit=page_size)
            for course_id in page:
                if cancelled():
                    raise ExportCancelled("the export was cancelled")
                course = load_course(uow, course_id, actor, rules)
                write(course)
                courses += 1
                patients.add(course.patient.id)
        if len(page) < page_size:
            return ExportSummary(courses=courses, patients=len(patients))
        after = page[-1]
