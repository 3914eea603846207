"""The prescriber records a course's events from forms: the list fits the course, a good
form is recorded and the rules' findings follow, a bad one comes back with the errors next
to the fields and what was typed kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from isocourse.domain.record import Lab, PregnancyTest, Weight
from isocourse.services import courses
from isocourse.services.course_store import LoadedCourse
from isocourse.services.stored import CourseListFilter
from tests.e2e.browser.conftest import WebApp


def course_of(web: WebApp, ref: str) -> str:
    """The newest course of the demo patient ``ref`` (demo-001 ...)."""
    clinic = web.clinic
    patient = courses.find_patient(ref, uows=clinic.uows, actor=clinic.actor)
    _, headers = courses.get_patient(patient.id, uows=clinic.uows, actor=clinic.actor)
    return max(headers, key=lambda h: h.number).id


def loaded(web: WebApp, course_id: str) -> LoadedCourse:
    clinic = web.clinic
    return courses.get_course(course_id, uows=clinic.uows, actor=clinic.actor,
                              rules=clinic.rules)


def first_course(web: WebApp, jurisdiction: str, *, can_get_pregnant: bool) -> str:
    clinic = web.clinic
    page = courses.list_courses(CourseListFilter(jurisdiction=jurisdiction), offset=0,
                                limit=200, uows=clinic.uows, actor=clinic.actor)
    return next(h.id for h, p in page.courses
                if p.can_get_pregnant is can_get_pregnant and h.ended_on is None)


def test_a_negative_pregnancy_test_and_a_weight_are_recorded_from_the_list(
        web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    before = len(loaded(web, course_id).record.events_of(PregnancyTest))
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{course_id}/record")
    page.get_by_role("link", name="Pregnancy test").click()
    expect(page.get_by_label("Date the specimen was collected")).to_have_value(
        web.clinic.clock.today().isoformat())
    page.get_by_label("Negative").check()
    page.get_by_label("Laboratory").check()
    page.get_by_role("button", name="Record pregnancy test").click()
    expect(page.get_by_role("status")).to_have_text("Recorded: Pregnancy test.")
    page.get_by_role("link", name="Weight", exact=True).click()
    page.get_by_label("Weight in kg").fill("61.5")
    page.get_by_role("button", name="Record weight").click()
    expect(page.get_by_role("status")).to_have_text("Recorded: Weight.")
    record = loaded(web, course_id).record
    tests = record.events_of(PregnancyTest)
    assert len(tests) == before + 1
    assert (tests[-1].result.value, tests[-1].setting.value) == ("negative", "lab")
    assert str(record.events_of(Weight)[-1].kg) == "61.5"


def test_a_raised_alt_result_brings_the_liver_finding_into_view(web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{course_id}/record/lab")
    findings = page.locator(".findings")
    page.locator("#f-analyte").select_option("alt")
    page.locator("#f-value").fill("150")
    page.get_by_label("U/L (liver enzymes: ALT, AST)").check()
    page.locator("#f-uln").fill("40")
    page.get_by_role("button", name="Record lab result").click()
    expect(page.get_by_role("status")).to_have_text("Recorded: Lab result.")
    expect(findings.locator("li.warning")).to_contain_text("3.75× the upper limit of normal")
    lab = loaded(web, course_id).record.events_of(Lab)[-1]
    assert (lab.analyte.value, str(lab.value), lab.unit.value, str(lab.uln)) == (
        "alt", "150", "U/L", "40")


def test_errors_show_next_to_the_fields_and_keep_what_was_typed(web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    before = len(loaded(web, course_id).events)
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{course_id}/record/lab")
    today = web.clinic.clock.today()
    ahead = (today + dt.timedelta(days=10)).isoformat()
    page.locator("#f-date").fill(ahead)
    page.locator("#f-analyte").select_option("triglycerides")
    page.locator("#f-value").fill("abc")
    page.get_by_label("mmol/L (lipids)").check()
    page.get_by_label("Note").fill("fasting sample")
    page.get_by_role("button", name="Record lab result").click()
    expect(page.locator("#e-date")).to_contain_text(f"cannot be after {today.isoformat()}")
    expect(page.locator("#e-value")).to_contain_text("Enter a number")
    expect(page.get_by_role("alert")).to_contain_text("Please correct 2 fields")
    expect(page.locator("#f-value")).to_have_value("abc")
    expect(page.locator("#f-value")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-date")).to_have_value(ahead)
    expect(page.locator("#f-analyte")).to_have_value("triglycerides")
    expect(page.get_by_label("mmol/L (lipids)")).to_be_checked()
    expect(page.get_by_label("Note")).to_have_value("fasting sample")
    assert len(loaded(web, course_id).events) == before


def test_the_list_offers_what_the_programme_and_patient_need(web: WebApp) -> None:
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{first_course(web, 'us-ipledge', can_get_pregnant=True)}/record")
    for name in ("Pregnancy test", "Contraception", "Comprehension questions", "Enrollment"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.goto(f"/courses/{first_course(web, 'uk-mhra', can_get_pregnant=False)}/record")
    expect(page.get_by_role("link", name="Mental-health assessment")).to_be_visible()
    for name in ("Pregnancy test", "Contraception", "Comprehension questions", "Enrollment"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_event_list_and_a_form_with_errors_are_accessible(
        web: WebApp, phone: bool, check_page: Callable[[Page, str], None]) -> None:
    course_id = course_of(web, "demo-001")
    page = web.sign_in("prescriber", phone=phone)
    page.goto(f"/courses/{course_id}/record")
    check_page(page, "record-index")
    page.goto(f"/courses/{course_id}/record/lab")
    page.locator("#f-value").fill("abc")
    page.get_by_role("button", name="Record lab result").click()
    expect(page.locator("#e-value")).to_be_visible()
    check_page(page, "record-lab-errors")


def test_ending_the_course_asks_for_confirmation_then_records_the_last_dose(
        web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{course_id}/end")
    page.get_by_label("Reason").fill("stopped at the patient's request")
    page.get_by_role("button", name="End the course").click()
    expect(page.locator("#e-confirm")).to_contain_text("Tick this box")
    assert loaded(web, course_id).header.ended_on is None
    expect(page.get_by_label("Reason")).to_have_value("stopped at the patient's request")
    page.get_by_label("I confirm that the course has ended").check()
    page.get_by_role("button", name="End the course").click()
    expect(page.get_by_role("status")).to_have_text("Recorded: the course's end.")
    course = loaded(web, course_id)
    assert course.header.ended_on == web.clinic.clock.today()
    page.goto(f"/courses/{course_id}/prescribe")
    expect(page.get_by_text("takes no further prescriptions")).to_be_visible()
