"""The monthly prescription in the browser: the rules' verdict before signing, signing
saves it and shows the id the pharmacist looks up, a refused prescription saves nothing,
a delegate previews but does not sign, and changed values are checked again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from isocourse.domain.record import Prescription
from isocourse.services import assessments, courses
from tests.e2e.browser.conftest import WebApp


def course_of(web: WebApp, ref: str) -> str:
    clinic = web.clinic
    patient = courses.find_patient(ref, uows=clinic.uows, actor=clinic.actor)
    _, headers = courses.get_patient(patient.id, uows=clinic.uows, actor=clinic.actor)
    return max(headers, key=lambda h: h.number).id


def window_words(web: WebApp, course_id: str) -> str:
    """The open window as the pages write it (``21 Nov 2026 to 27 Nov 2026``), from the
    engine."""
    clinic = web.clinic
    _, assessment = assessments.assess_course(course_id, on=None, uows=clinic.uows,
                                              clock=clinic.clock, actor=clinic.actor,
                                              rules=clinic.rules)
    window = assessment.window
    assert window is not None
    return " to ".join(f"{d.day} {d:%b %Y}" for d in (window.start, window.end))


def prescriptions(web: WebApp, course_id: str) -> tuple[Prescription, ...]:
    clinic = web.clinic
    course = courses.get_course(course_id, uows=clinic.uows, actor=clinic.actor,
                                rules=clinic.rules)
    return course.record.events_of(Prescription)


def preview(page: Page, course_id: str, days: str = "30") -> None:
    page.goto(f"/courses/{course_id}/prescribe")
    page.get_by_label("Days' supply").fill(days)
    page.get_by_role("button", name="Check with the rules").click()
    expect(page.get_by_role("heading", name="The rules' verdict")).to_be_visible()


def test_the_verdict_comes_first_and_signing_saves_the_prescription_with_its_id(
        web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    before = prescriptions(web, course_id)
    page = web.sign_in("prescriber")
    page.goto(f"/courses/{course_id}/prescribe")
    planned = page.get_by_label("Daily dose in mg").input_value()
    assert planned.isdigit()
    expect(page.locator("#dose-facts")).to_contain_text("mg/kg at")
    expect(page.get_by_role("button", name="Sign prescription")).to_have_count(0)
    preview(page, course_id)
    verdict = page.locator(".verdict")
    expect(verdict).to_contain_text("Allowed.")
    window = window_words(web, course_id)
    expect(verdict).to_contain_text(f"Pick-up window {window}")
    expect(verdict).to_contain_text("mg/kg of the")
    expect(verdict.locator(".findings li").first).to_contain_text("us-ipledge.")
    assert prescriptions(web, course_id) == before       # a preview saves nothing
    page.get_by_role("button", name="Sign prescription").click()
    expect(page.get_by_role("heading", name="Prescription signed")).to_be_visible()
    after = prescriptions(web, course_id)
    assert len(after) == len(before) + 1
    newest = after[-1]
    assert (newest.daily_mg, newest.days_supply, newest.refills) == (int(planned), 30, 0)
    expect(page.locator("#prescription-id")).to_have_text(str(newest.id))
    expect(page.locator("dl.facts")).to_contain_text(window)


def test_a_prescription_the_rules_refuse_shows_why_and_saves_nothing(web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    before = prescriptions(web, course_id)
    page = web.sign_in("prescriber")
    preview(page, course_id, days="60")
    refusal = page.locator(".verdict .notice--urgent")
    expect(refusal).to_contain_text("Refused.")
    expect(refusal).to_contain_text("at most 30 days may be prescribed")
    expect(refusal).to_contain_text("us-ipledge.prescription-limits")
    expect(page.get_by_role("button", name="Sign prescription")).to_have_count(0)
    assert prescriptions(web, course_id) == before


def test_values_changed_after_the_preview_are_checked_again_not_signed(web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    before = prescriptions(web, course_id)
    page = web.sign_in("prescriber")
    preview(page, course_id)
    page.get_by_label("Days' supply").fill("60")
    page.get_by_role("button", name="Sign prescription").click()
    expect(page.get_by_role("status")).to_contain_text("changed after the rules' verdict")
    expect(page.locator(".verdict")).to_contain_text("Refused.")
    assert prescriptions(web, course_id) == before


def test_a_delegate_sees_the_verdict_but_the_prescriber_signs(web: WebApp) -> None:
    course_id = course_of(web, "demo-001")
    page = web.sign_in("delegate")
    preview(page, course_id)
    expect(page.locator(".verdict")).to_contain_text("until the prescriber signs it")
    expect(page.get_by_text("Only the prescriber signs a prescription")).to_be_visible()
    expect(page.get_by_role("button", name="Sign prescription")).to_have_count(0)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_prescription_preview_is_accessible(
        web: WebApp, phone: bool, check_page: Callable[[Page, str], None]) -> None:
    course_id = course_of(web, "demo-001")
    page = web.sign_in("prescriber", phone=phone)
    preview(page, course_id)
    check_page(page, "prescribe-preview")
