"""The course summary as a PDF, from a course made through the services on SQLite: it says
the plan, the cumulative dose the engine computes, the findings and what is due; WeasyPrint
fetches nothing but ``data:`` URIs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from isocourse.adapters.reports.pdf import html_to_pdf, offline_fetcher
from isocourse.adapters.web.course_view import course_view
from isocourse.adapters.web.course_words import due_item_name
from isocourse.adapters.web.pages.summary import file_name, summary_pdf
from isocourse.bootstrap import Clinic
from isocourse.rules.output import assessment_to_json
from isocourse.services import courses, dispensing
from isocourse.services.course_outputs import course_outputs
from tests.support.clinics import clinic_on, pharmacist
from tests.support.courses import READY_DAY, ready_course
from tests.support.db_fixtures import SqliteTemplate
from tests.support.pdf_text import page_count, pdf_text


@pytest.fixture
def sqlite_clinic(sqlite_template: SqliteTemplate, tmp_path: Path) -> Iterator[Clinic]:
    url = sqlite_template.fresh(tmp_path / "data")
    with clinic_on(url, tmp_path / "data") as built:
        yield built


def _words(text: str) -> str:
    return " ".join(text.split())


def _kw(clinic: Clinic) -> dict[str, Any]:
    return {"uows": clinic.uows, "clock": clinic.clock, "actor": clinic.actor,
            "rules": clinic.rules}


def test_the_summary_pdf_says_the_plan_the_cumulative_dose_the_findings_and_what_is_due(
        sqlite_clinic: Clinic) -> None:
    clinic = sqlite_clinic
    course, rx = ready_course(clinic)
    row, _ = dispensing.request_authorization(dispensing.AuthorizationRequest(
        course_id=course.header.id, prescription_id=rx, pharmacy="Main St"),
        uows=clinic.uows, clock=clinic.clock, actor=pharmacist(clinic), rules=clinic.rules)
    dispensing.record_dispense(row.code, idempotency_key=None, uows=clinic.uows,
                               clock=clinic.clock, actor=pharmacist(clinic), rules=clinic.rules)
    clinic.clock.day = READY_DAY + dt.timedelta(days=12)  # type: ignore[attr-defined]
    out = course_outputs(course.header.id, **_kw(clinic))
    assert out.assessment is not None
    view = course_view(out.course, out.assessment, clinic.rules)
    pdf = summary_pdf(view)
    assert pdf.startswith(b"%PDF-") and page_count(pdf) >= 1
    text = _words(pdf_text(pdf))
    stored = out.course.header.plan
    assert stored is not None
    assert f"Patient {out.course.patient.external_id}" in text
    assert "Birth date 2 Apr 2004" in text
    for number, phase in enumerate(stored["phases"], start=1):
        last = phase["start_day"] + phase["days"] - 1
        assert (f"Phase {number}, days {phase['start_day']}–{last}: {phase['daily_mg']} mg "
                "a day") in text
    engine = assessment_to_json(out.assessment)["cumulative"]
    assert f"{engine['mg_per_kg']:.2f} mg/kg ({engine['mg']} mg)" in text
    for finding in out.assessment.findings:
        assert finding.rule_id in text
    for item in out.assessment.due:
        assert due_item_name(item.item) in text
    assert "Generated on 13 Oct 2026 by isocourse" in text
    assert file_name(view, clinic.clock.today()) == "course-summary-1-2026-10-13.pdf"


def test_the_summary_of_an_imported_course_without_a_plan_says_so(
        sqlite_clinic: Clinic) -> None:
    record = {
        "format": "isocourse-course/1",
        "patient": {"id": "imported-2", "birth_date": "1990-05-06", "can_get_pregnant": False,
                    "weight_kg": 80},
        "course": {"jurisdiction": "uk-mhra", "product": "uk-generic",
                   "start_date": "2026-10-01"},
        "events": [{"type": "dispense", "date": "2026-10-01", "daily_mg": 40,
                    "days_supply": 30}],
    }
    loaded = courses.import_course(record, **_kw(sqlite_clinic))
    out = course_outputs(loaded.header.id, **_kw(sqlite_clinic))
    assert out.assessment is not None and out.plan is None
    text = _words(pdf_text(summary_pdf(course_view(out.course, out.assessment,
                                                   sqlite_clinic.rules))))
    assert "No plan stored: the course was imported without one" in text
    assert "of the target of 120 mg/kg" in text  # the planner's default, said so above


def test_the_pdf_loads_data_uris_and_nothing_from_files_or_the_network(tmp_path: Path) -> None:
    secret = tmp_path / "local.css"
    secret.write_text('p::after { content: "FROM-A-FILE" }', encoding="utf-8")
    html = (
        "<!doctype html><html lang='en'><head><title>t</title>"
        f"<link rel='stylesheet' href='{secret.as_uri()}'>"
        "<link rel='stylesheet' href='http://127.0.0.1:9/x.css'>"
        "<link rel='stylesheet' href='data:text/css,h1::after%7Bcontent:%22FROM-DATA%22%7D'>"
        "</head><body><h1>Title</h1><p>Text</p></body></html>")
    text = pdf_text(html_to_pdf(html))
    assert "FROM-DATA" in text
    assert "FROM-A-FILE" not in text
    fetcher = offline_fetcher()
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.css", "https://example.org/"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
