"""``isocourse export --ndjson DIR``: the whole clinic as FHIR ndjson files, for the
server's operator (another system's import, an archive, research under the clinic's own
governance).

The operator acts as a **prescriber of the configured clinic** (actor id ``operator``):
a bulk export is clinical data, which the admin role never reads, and whoever runs this
command already holds the database itself. The command is recorded in the audit trail
like any request (``via`` = ``cli``, action ``export``), naming every exported patient.

Files: ``DIR/<ResourceType>.ndjson``, one resource per line, mode 0600, written course by
course without holding the clinic in memory. ``DIR`` is made (mode 0700) if missing; a
non-empty ``DIR`` is refused unless ``--overwrite`` (which removes its ``*.ndjson`` files
first, and nothing else). If the export fails part-way, the files it wrote are removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from isocourse.adapters.cli import output
from isocourse.adapters.cli.server import (
    DatabaseUrl,
    DataDir,
    _clinic,
    database_ready_or_new,
    load_settings,
)
from isocourse.domain.errors import InvalidInput

if TYPE_CHECKING:
    from isocourse.bootstrap import Clinic
    from isocourse.services.ports import Actor

__all__ = ["export_command", "exporter"]


def exporter(clinic: Clinic) -> Actor:
    """The actor of ``isocourse export`` (module docstring)."""
    from isocourse.services.access import Role
    from isocourse.services.ports import Actor

    return Actor(id=clinic.operator.id, role=Role.PRESCRIBER.value,
                 clinic_id=clinic.settings.clinic_id)


def _prepare(folder: Path, overwrite: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder", field="ndjson")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    present = list(folder.iterdir())
    if not present:
        return
    if not overwrite:
        raise InvalidInput(f"{folder} is not empty; choose an empty folder or give "
                           "--overwrite (which replaces its .ndjson files)", field="ndjson")
    for path in present:
        if path.is_file() and path.suffix == ".ndjson":
            path.unlink()


def export_command(
    ndjson: Annotated[Path, typer.Option(
        "--ndjson", help="Folder for the files, one <ResourceType>.ndjson per type "
                         "(made if missing; must be empty).")],
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Export into a non-empty folder, replacing its .ndjson files.")]
        = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export the clinic's courses as FHIR R4 ndjson (Bulk Data format): one file per
    resource type, one resource per line. Recorded in the audit trail."""
    from isocourse.adapters.fhir.bulk.ndjson import NdjsonWriter
    from isocourse.services.audit import AccessContext
    from isocourse.services.bulk_export import export_clinic

    _prepare(ndjson, overwrite)
    clinic = _clinic(load_settings(data_dir=data_dir, database_url=database_url))
    try:
        database_ready_or_new(clinic)
        clinic.migrate()
        actor = exporter(clinic)
        access = AccessContext(action="export", target="/export", via="cli",
                               actor_id=actor.id, role=actor.role, clinic_id=actor.clinic_id)
        uows = clinic.uows.for_access(access, clinic.clock.now)
        writer = NdjsonWriter(ndjson)
        try:
            with writer:
                summary = export_clinic(writer, uows=uows, actor=actor, rules=clinic.rules)
        except BaseException:
            for path in writer.files().values():
                path.unlink(missing_ok=True)
            raise
        finally:
            clinic.uows.record(access, at=clinic.clock.now(), status=None)
    finally:
        clinic.close()
    output.write_line(f"exported {summary.courses} course(s) of {summary.patients} "
                      f"patient(s) to {ndjson}")
    output.write_table(None, ["resource type", "resources", "file"], [
        [kind, str(count), f"{kind}.ndjson"] for kind, count in writer.counts.items()],
        right_align=(1,))
