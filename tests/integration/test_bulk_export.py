"""Bulk export of a clinic (``services/bulk_export.py``, the ndjson writer and
``isocourse export``) on SQLite and PostgreSQL: every line of every file is one valid FHIR
R4B resource, the counts add up, references resolve, and the export is audited."""

from __future__ import annotations

import json
import os
import stat
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class

from isocourse.adapters.cli.main import main
from isocourse.adapters.fhir.bulk.ndjson import NdjsonWriter
from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Forbidden
from isocourse.services.bulk_export import ExportCancelled, export_clinic
from isocourse.services.course_store import LoadedCourse
from isocourse.services.demo import seed_demo_clinic
from isocourse.services.ports import Actor


def read_ndjson(folder: Path) -> dict[str, list[dict[str, object]]]:
    """Every file's resources, each line parsed and validated on its own."""
    found: dict[str, list[dict[str, object]]] = {}
    for path in sorted(folder.glob("*.ndjson")):
        kind = path.name.removesuffix(".ndjson")
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[-1] == "", "the file ends with a newline"
        for line in lines[:-1]:
            resource = json.loads(line)
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
            found.setdefault(kind, []).append(resource)
    return found


def references(node: object) -> list[str]:
    if isinstance(node, dict):
        out = [v for k, v in node.items() if k == "reference" and isinstance(v, str)]
        return out + [r for v in node.values() for r in references(v)]
    if isinstance(node, list):
        return [r for v in node for r in references(v)]
    return []


def test_the_cli_exports_the_demo_clinic_as_valid_ndjson(
        clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = seed_demo_clinic(uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                               rules=clinic.rules)
    out = tmp_path / "export"
    settings = clinic.settings
    args = ["export", "--ndjson", str(out), "--data-dir", str(settings.data_dir)]
    if settings.database_url:
        args += ["--database-url", settings.database_url]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"exported {summary.courses} course(s) of {summary.patients} patient(s)" in printed

    found = read_ndjson(out)
    for kind, resources in found.items():
        assert f"{kind} " in printed and f" {len(resources)} " in printed
        assert stat.S_IMODE((out / f"{kind}.ndjson").stat().st_mode) == 0o600
    assert len(found["Patient"]) == summary.patients
    # One course plan (MedicationRequest, intent plan) and one acne Condition per course.
    plans = [r for r in found["MedicationRequest"] if r["intent"] == "plan"]
    assert len(plans) == summary.courses
    ids = Counter(f"{r['resourceType']}/{r['id']}" for rs in found.values() for r in rs)
    assert max(ids.values()) == 1, "every resource has its own id"
    dangling = {ref for rs in found.values() for r in rs for ref in references(r)} - set(ids)
    assert not dangling, "every reference names an exported resource"

    with clinic.uows() as uow:
        entry = uow.audit.entries(newest_first=True, limit=1)[0]
    assert (entry.action, entry.via, entry.actor_id, entry.role) == (
        "export", "cli", "operator", "prescriber")
    assert len(entry.subjects) == summary.patients

    # Not again into the same folder, unless asked to overwrite.
    assert main(args) == 2
    assert "not empty" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0
    assert read_ndjson(out).keys() == found.keys()


def test_export_pages_through_the_clinic_and_may_be_cancelled(
        clinic: Clinic, tmp_path: Path) -> None:
    seed_demo_clinic(uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                     rules=clinic.rules)
    seen: list[str] = []
    summary = export_clinic(lambda c: seen.append(c.header.id), uows=clinic.uows,
                            actor=clinic.actor, rules=clinic.rules, page_size=7)
    assert seen == sorted(seen) and len(set(seen)) == summary.courses == len(seen)

    folder = tmp_path / "cancelled"
    folder.mkdir()
    calls = iter(range(1000))
    with NdjsonWriter(folder) as writer, pytest.raises(ExportCancelled):
        export_clinic(writer, uows=clinic.uows, actor=clinic.actor, rules=clinic.rules,
                      cancelled=lambda: next(calls) >= 5)
    assert sum(writer.counts.values()) > 0


@pytest.mark.parametrize("role", ["admin", "delegate", "pharmacist", "patient"])
def test_only_a_prescriber_may_export_the_clinic(clinic: Clinic, role: str) -> None:
    actor = Actor(id="someone", role=role, clinic_id=clinic.settings.clinic_id)
    with pytest.raises(Forbidden):
        export_clinic(lambda c: None, uows=clinic.uows, actor=actor, rules=clinic.rules)
    token = Actor(id="someone", role="prescriber", clinic_id=clinic.settings.clinic_id,
                  scopes=frozenset({"write"}))
    with pytest.raises(Forbidden):
        export_clinic(lambda c: None, uows=clinic.uows, actor=token, rules=clinic.rules)


COURSES = 2000


@pytest.mark.slow
def test_a_large_clinic_is_exported_in_bounded_memory(
        database_url: str, tmp_path: Path) -> None:
    """Memory stays flat while the clinic streams out: the traced peak (tracemalloc) is a
    fraction of what was written, and what stays allocated between courses grows by no
    more than a patient id per course (the audit entry's subjects, the Patient once).
    Loading the clinic at once would hold every course record (several times the size of
    its JSON) and fail both. Two thousand courses keep the run short under tracemalloc,
    which slows the FHIR validation about tenfold; ``bench/`` is the place for big runs."""
    from tests.support.clinics import clinic_on
    from tests.support.synthetic import synthetic_clinic

    with clinic_on(database_url, tmp_path / "data") as big:
        synthetic_clinic(big, COURSES)
        warm = tmp_path / "warm"
        warm.mkdir()
        with NdjsonWriter(warm) as writer, pytest.raises(ExportCancelled):  # warm up
            export_clinic(writer, uows=big.uows, actor=big.actor, rules=big.rules,
                          cancelled=iter([False, True]).__next__)
        out = tmp_path / "out"
        out.mkdir()
        between: list[int] = []
        tracemalloc.start()
        try:
            with NdjsonWriter(out) as writer:
                def write(course: LoadedCourse) -> None:
                    writer(course)
                    between.append(tracemalloc.get_traced_memory()[0])
                summary = export_clinic(write, uows=big.uows, actor=big.actor,
                                        rules=big.rules)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    written = sum(p.stat().st_size for p in out.iterdir())
    assert summary.courses == COURSES
    assert writer.counts["Patient"] == COURSES
    growth = (between[-1] - between[49]) / (COURSES - 50)
    measured = (f"{COURSES} courses: {written} bytes written, traced peak {peak} bytes, "
                f"{growth:.0f} bytes kept per course")
    assert peak < written / 2, measured
    assert growth < 1000, measured
    if os.environ.get("ISOCOURSE_SHOW_MEMORY"):
        pytest.fail(measured)  # to read the numbers: ISOCOURSE_SHOW_MEMORY=1 pytest -k bounded
