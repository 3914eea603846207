"""The printable course summary in a real browser: the PDF downloads from the course page
and holds the patient's plan as text; a patient downloads their own; the printable page is
accessible; another patient's summary is not found."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import WebApp
from tests.e2e.browser.course_demo import CourseRef, DemoCourses, find_demo_courses
from tests.support.pdf_text import page_count, pdf_text

Check = Callable[[Page, str], None]


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoCourses:
    return find_demo_courses(demo_template, tmp_path_factory.mktemp("summary-pdf"))


def _download(page: Page, link: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _plan_lines(course: CourseRef) -> list[str]:
    """What the summary says of each phase of the stored plan (its numbers, not ours)."""
    return [f"{p['daily_mg']} mg a day" for p in course.plan["phases"]]


def test_the_pdf_summary_downloads_from_the_course_page_with_the_patients_plan(
        web: WebApp, demo: DemoCourses) -> None:
    course = demo.mid_course
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{course.id}")
    name, pdf = _download(page, "Print / PDF summary")
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) >= 1
    assert re.fullmatch(rf"course-summary-{course.number}-{web.clinic.clock.today()}\.pdf",
                        name)
    assert course.patient not in name
    text = " ".join(pdf_text(pdf).split())
    assert f"Patient {course.patient}" in text
    for line in _plan_lines(course):
        assert line in text
    assert f"Target {course.plan['target_mg_per_kg']} mg/kg" in text
    assert "Generated on" in text and "isocourse" in text


def test_a_patient_downloads_the_summary_of_their_own_course(
        web: WebApp, demo: DemoCourses) -> None:
    page = web.sign_in("patient")
    page.goto("/me/summary")
    expect(page.get_by_role("heading", name="Isotretinoin course summary")).to_be_visible()
    _, pdf = _download(page, "Download PDF")
    text = " ".join(pdf_text(pdf).split())
    assert f"Patient {demo.own.patient}" in text
    for line in _plan_lines(demo.own):
        assert line in text
    assert demo.urgent.patient not in text
    response = page.goto(f"/courses/{demo.urgent.id}/summary")
    assert response is not None and response.status == 404


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_printable_summary_page_is_accessible(web: WebApp, demo: DemoCourses, phone: bool,
                                                  check_page: Check) -> None:
    page = web.sign_in("prescriber", phone=phone)
    page.goto(f"/courses/{demo.urgent.id}/summary")
    expect(page.get_by_role("img", name="Cumulative dose")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_have_attribute(
        "href", f"/courses/{demo.urgent.id}/summary.pdf")
    check_page(page, "course-summary")
