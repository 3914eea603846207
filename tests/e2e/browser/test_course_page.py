"""The prescriber's course page in a real browser, on the demo clinic: the plan and where the
patient is on it, the cumulative-dose chart, the timeline, the findings with their sources,
the urgent banner for PHQ-9 item 9; not found for an unknown course or another clinic's.

The demo clinic's course ids are made at random when it is seeded, so the courses are found
here through the services, on a copy of the seeded clinic (:mod:`.course_demo`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from isocourse.domain.record import Jurisdiction
from isocourse.services import courses
from tests.e2e.browser.conftest import WebApp
from tests.e2e.browser.course_demo import DemoCourses, find_demo_courses

Check = Callable[[Page, str], None]


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoCourses:
    return find_demo_courses(demo_template, tmp_path_factory.mktemp("course-page"))


def test_the_course_page_shows_the_plan_the_patients_place_on_it_the_chart_and_the_timeline(
        web: WebApp, demo: DemoCourses) -> None:
    course = demo.mid_course
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{course.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"patient {course.patient}")
    plan = page.get_by_role("region", name="The plan")
    first = course.plan["phases"][0]
    expect(plan.get_by_role("table")).to_contain_text(f"{first['daily_mg']} mg")
    expect(plan).to_contain_text(f"{course.plan['target_mg_per_kg']} mg/kg")
    now = page.get_by_role("region", name="Where the patient is today")
    expect(now).to_contain_text(f"Day {(web.clinic.clock.today() - course.start).days + 1}")
    expect(now).to_contain_text("Morning:")
    expect(now.get_by_role("progressbar")).to_be_visible()
    chart = page.get_by_role("img", name="Cumulative dose")
    expect(chart).to_be_visible()
    expect(page.locator("svg#cumulative-dose title")).to_have_text("Cumulative dose")
    page.get_by_text("Data table: Cumulative dose").click()
    expect(page.locator("#figure-cumulative-dose + details table")).to_be_visible()
    expect(page.locator("ol.timeline > li")).to_have_count(course.events)
    expect(page.locator("ul.findings .source").first).to_contain_text("Source:")


def test_phq9_item_9_raises_the_urgent_banner_with_what_to_do(
        web: WebApp, demo: DemoCourses, check_page: Check) -> None:
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{demo.urgent.id}")
    banner = page.locator(".banner-urgent")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("item 9")
    expect(banner).to_contain_text("What to do")
    expect(banner.get_by_role("link", name="Record an event")).to_have_attribute(
        "href", f"/courses/{demo.urgent.id}/record")
    urgent = page.locator("ul.findings li.urgent")
    expect(urgent).to_contain_text("monitoring.self-harm")
    expect(urgent).to_contain_text("monitoring@")
    expect(page.get_by_text("Dispensing is not allowed today.")).to_be_visible()
    check_page(page, "course-urgent")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_course_page_is_accessible(web: WebApp, demo: DemoCourses, phone: bool,
                                       check_page: Check) -> None:
    page = web.sign_in("prescriber", phone=phone)
    page.goto(f"/courses/{demo.mid_course.id}")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    check_page(page, "course")


def test_the_delegate_sees_the_page_and_the_actions_to_record_and_prescribe(
        web: WebApp, demo: DemoCourses) -> None:
    page = web.sign_in("delegate")
    page.goto(f"/courses/{demo.mid_course.id}")
    actions = page.get_by_role("navigation", name="Course actions")
    for name, path in (("Record an event", "record"), ("Write prescription", "prescribe"),
                       ("Print / PDF summary", "summary.pdf")):
        expect(actions.get_by_role("link", name=name)).to_have_attribute(
            "href", f"/courses/{demo.mid_course.id}/{path}")


def test_an_unknown_course_or_another_clinics_gives_the_not_found_page(
        web: WebApp, demo: DemoCourses) -> None:
    elsewhere = replace(web.clinic.actor, clinic_id="another-clinic")
    kw = {"uows": web.clinic.uows, "clock": web.clinic.clock, "actor": elsewhere}
    patient = courses.register_patient(courses.RegisterPatient(
        external_id="elsewhere-1", birth_date=dt.date(2000, 1, 1), can_get_pregnant=False), **kw)
    theirs = courses.start_course(courses.StartCourse(
        patient_id=patient.id, jurisdiction=Jurisdiction.EU_PPP, product="uk-generic",
        weight_kg=Decimal(70), mg_per_kg=Decimal("0.5")), rules=web.clinic.rules, **kw)
    page = web.sign_in("prescriber")
    for course_id in ("no-such-course", theirs.header.id):
        response = page.goto(f"/courses/{course_id}")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("elsewhere-1")


def test_a_pharmacist_may_not_open_a_course_page_and_a_patient_not_anothers(
        web: WebApp, demo: DemoCourses) -> None:
    page = web.sign_in("pharmacist")
    response = page.goto(f"/courses/{demo.mid_course.id}")
    assert response is not None and response.status == 403
    page = web.sign_in("patient")
    response = page.goto(f"/courses/{demo.urgent.id}")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(demo.urgent.patient)


def test_an_imported_course_without_a_plan_still_renders(web: WebApp) -> None:
    record = {
        "format": "isocourse-course/1",
        "patient": {"id": "imported-1", "birth_date": "1999-03-04", "can_get_pregnant": False,
                    "weight_kg": 64},
        "course": {"jurisdiction": "eu-ppp", "product": "uk-generic"},
        "events": [{"type": "weight", "date": "2026-11-01", "kg": 65}],
    }
    loaded = courses.import_course(record, uows=web.clinic.uows, clock=web.clinic.clock,
                                   actor=web.clinic.actor, rules=web.clinic.rules)
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{loaded.header.id}")
    expect(page.get_by_role("region", name="The plan")).to_contain_text("No plan stored")
    expect(page.get_by_role("img", name="Cumulative dose")).to_be_visible()
    expect(page.locator("ol.timeline > li")).to_have_count(1)
