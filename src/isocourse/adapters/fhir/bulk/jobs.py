"""The asynchronous FHIR ``$export`` jobs of one server process.

A job is started by a request (the kick-off), runs :func:`~isocourse.services.bulk_export.
export_clinic` in a background thread into ``<data_dir>/exports/<job>/`` (folder 0700,
files 0600) and is then polled, downloaded and deleted by the user who started it; to
anyone else it does not exist. The files of a finished job are deleted
``bulk_export_expiry_minutes`` after it finished (checked whenever the registry is used).

Jobs live in this process's memory only: they do **not** survive a restart of the server,
and the folders a previous process left under ``exports/`` are removed when the registry
is made. Run one server process (as ``isocourse serve`` does); with several workers a
status poll could reach a worker that never heard of the job.

The job writes its own audit entry when it ends (action ``bulk_export``, the kick-off's
actor and address, every exported patient as a subject; no status, or 500 when it
failed); the kick-off, polls, downloads (naming the exported patients) and deletes are
audited as requests.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from isocourse.adapters.fhir.bulk.ndjson import NdjsonWriter
from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Hidden, NotFound
from isocourse.services.audit import AccessContext
from isocourse.services.bulk_export import ExportCancelled, authorize_export, export_clinic
from isocourse.services.course_store import LoadedCourse
from isocourse.services.ports import Actor

__all__ = ["MISSING", "ExportJob", "ExportJobs", "JobState"]

#: The answer for a job that is not the asker's (missing, expired or another user's).
MISSING = "no such export job"

log = logging.getLogger("isocourse.bulk")


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class ExportJob:
    id: str
    owner: str
    clinic_id: str
    request: str
    folder: Path
    transaction_time: dt.datetime
    state: JobState = JobState.RUNNING
    courses: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    patients: frozenset[str] = frozenset()
    finished_at: dt.datetime | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def expires_at(self, keep: dt.timedelta) -> dt.datetime | None:
        return None if self.finished_at is None else self.finished_at + keep

    def file(self, name: str) -> Path | None:
        """The path of ``<Type>.ndjson`` if the finished job wrote it."""
        kind = name.removesuffix(".ndjson")
        if self.state is not JobState.DONE or kind == name or kind not in self.counts:
            return None
        return self.folder / name


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ExportJobs:
    """The registry. ``now`` is the wall clock of expiry (the clinic's clock may be fixed)."""

    def __init__(self, clinic: Clinic, *, now: Callable[[], dt.datetime] = _now) -> None:
        self.clinic = clinic
        self.root = clinic.settings.data_dir / "exports"
        self.keep = dt.timedelta(minutes=clinic.settings.bulk_export_expiry_minutes)
        self._now = now
        self._jobs: dict[str, ExportJob] = {}
        self._lock = threading.Lock()
        if self.root.exists():  # left by a previous process: its jobs are gone
            shutil.rmtree(self.root, ignore_errors=True)

    def start(self, actor: Actor, *, request: str, access: AccessContext) -> ExportJob:
        """Start a job for ``actor`` (refused at once if they may not export);
        ``access`` is the kick-off request's audit context (who, from where)."""
        authorize_export(actor)
        self.expire()
        job_id = uuid.uuid4().hex
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = self.root / job_id
        folder.mkdir(mode=0o700)
        job = ExportJob(id=job_id, owner=actor.id, clinic_id=actor.clinic_id,
                        request=request, folder=folder,
                        transaction_time=self.clinic.clock.now())
        own = AccessContext(action="bulk_export", target=f"/fhir/R4/bulkstatus/{job_id}",
                            via=access.via, address=access.address, actor_id=actor.id,
                            role=actor.role, on_behalf_of=actor.on_behalf_of,
                            clinic_id=actor.clinic_id)
        job.thread = threading.Thread(target=self._run, args=(job, actor, own),
                                      name=f"export-{job_id[:8]}", daemon=True)
        with self._lock:
            self._jobs[job_id] = job
        job.thread.start()
        return job

    def _run(self, job: ExportJob, actor: Actor, access: AccessContext) -> None:
        clinic = self.clinic
        uows = clinic.uows.for_access(access, clinic.clock.now)
        state: JobState = JobState.FAILED
        status: int | None = 500
        writer = NdjsonWriter(job.folder)

        def write(course: LoadedCourse) -> None:
            writer(course)
            job.courses += 1

        try:
            with writer:
                summary = export_clinic(write, uows=uows, actor=actor, rules=clinic.rules,
                                        cancelled=job.cancel.is_set)
            job.counts = writer.counts
            job.patients = frozenset(access.subjects)
            job.courses = summary.courses
            state, status = JobState.DONE, None
        except ExportCancelled:
            state, status = JobState.CANCELLED, None
        except Exception as error:  # reported to the poller as a failed job
            log.warning("export job failed (%s)", type(error).__name__)
        try:  # before the job shows as finished: a poller then sees the entry written
            clinic.uows.record(access, at=clinic.clock.now(), status=status)
        except Exception as error:  # no trace, no data: the export is not served
            log.warning("audit entry of an export job not written (%s)",
                        type(error).__name__)
            state = JobState.FAILED
        if state is not JobState.DONE:
            shutil.rmtree(job.folder, ignore_errors=True)
        job.finished_at = self._now()
        job.state = state

    def get(self, job_id: str, actor: Actor) -> ExportJob:
        """The actor's own job: :class:`NotFound`, or :class:`Hidden` (answered the same
        way) for another user's job. Only those who may export have jobs."""
        authorize_export(actor)
        self.expire()
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(MISSING)
        if job.owner != actor.id or job.clinic_id != actor.clinic_id:
            raise Hidden(MISSING)
        return job

    def delete(self, job: ExportJob) -> None:
        """Cancel the job if it runs, and delete it and its files."""
        job.cancel.set()
        if job.thread is not None:
            job.thread.join(timeout=30)
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def expire(self) -> None:
        """Forget finished jobs whose time is up, and delete their files."""
        now = self._now()
        with self._lock:
            old = [j for j in self._jobs.values()
                   if j.finished_at is not None and j.finished_at + self.keep <= now]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        """Cancel every running job (tests, shutdown)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            self.delete(job)
