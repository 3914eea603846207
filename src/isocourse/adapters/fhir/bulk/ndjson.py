"""Writing course records as FHIR ndjson: one file per resource type, one resource per line.

Each course becomes the resources of :func:`~isocourse.adapters.fhir.mapping.course_to_bundle`
(validated by the FHIR models there). A Bundle's entries refer to each other by
``urn:uuid:`` fullUrls that depend only on their position, so the same urls recur in every
course; in ndjson each resource instead gets an ``id`` and references become
``Type/id``:

* the Patient's id is the patient's internal id, and it is written once per patient
  (a patient's later courses refer to the same Patient);
* every other resource's id is a name-based UUID of the course id and the resource's
  fullUrl, so the same course always gives the same ids.

Files are opened once, created with mode 0600 (patient data), appended to line by line and
never read back: memory stays flat whatever the size of the clinic. The writer keeps only
the open files, the counts and the ids of the patients already written.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from isocourse.adapters.fhir.mapping import course_to_bundle
from isocourse.services.course_store import LoadedCourse

__all__ = ["FILE_SUFFIX", "NdjsonWriter", "open_private"]

FILE_SUFFIX = ".ndjson"
_NAMESPACE = uuid.UUID("5a0c7d3e-2f4b-5e8a-9c61-7b1d0e4f3a29")


def open_private(path: Path) -> IO[str]:
    """A new file for writing, readable and writable by its owner only (0600) from the
    moment it exists. Refuses to replace an existing file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


class NdjsonWriter:
    """Call it with each course; ``counts`` gives the lines written per resource type.
    Use as a context manager (or call :meth:`close`) so that the files are closed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, IO[str]] = {}
        self._counts: dict[str, int] = {}
        self._patients: set[str] = set()

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(self._counts.items()))

    def files(self) -> dict[str, Path]:
        """The file of each resource type written so far."""
        return {kind: self.folder / f"{kind}{FILE_SUFFIX}" for kind in sorted(self._counts)}

    def __call__(self, course: LoadedCourse) -> None:
        for resource in course_resources(course, patient_written=course.patient.id
                                         in self._patients):
            self._line(resource)
        self._patients.add(course.patient.id)

    def _line(self, resource: dict[str, Any]) -> None:
        kind = str(resource["resourceType"])
        out = self._files.get(kind)
        if out is None:
            out = self._files[kind] = open_private(self.folder / f"{kind}{FILE_SUFFIX}")
        out.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        self._counts[kind] = self._counts.get(kind, 0) + 1

    def close(self) -> None:
        files, self._files = self._files, {}
        for out in files.values():
            out.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def course_resources(course: LoadedCourse, *,
                     patient_written: bool = False) -> Iterator[dict[str, Any]]:
    """The course's FHIR resources, each with an ``id`` and ``Type/id`` references
    (module docstring); the Patient left out when ``patient_written``."""
    bundle = course_to_bundle(course.record)
    entries = bundle["entry"]
    names: dict[str, str] = {}
    for entry in entries:
        resource = entry["resource"]
        kind = resource["resourceType"]
        if kind == "Patient":
            rid = course.patient.id
        else:
            rid = str(uuid.uuid5(_NAMESPACE, f"{course.header.id}/{entry['fullUrl']}"))
        entry["resource"] = {"resourceType": kind, "id": rid,
                             **{k: v for k, v in resource.items() if k != "resourceType"}}
        names[entry["fullUrl"]] = f"{kind}/{rid}"
    for entry in entries:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient" and patient_written:
            continue
        _relink(resource, names)
        yield resource


def _relink(node: Any, names: dict[str, str]) -> None:
    """Replace every ``reference`` to a fullUrl of the Bundle by ``Type/id``, in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str) and value in names:
                node[key] = names[value]
            else:
                _relink(value, names)
    elif isinstance(node, list):
        for item in node:
            _relink(item, names)
