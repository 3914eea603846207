"""The prescriber's dashboard in a real browser, on the demo clinic: the urgent banner,
filters, the search by patient id, the patient page, and who may see it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from isocourse.adapters.web.pages.clinic import within
from isocourse.services import due
from tests.e2e.browser.conftest import WebApp


def _urgent_phq9(web: WebApp) -> tuple[str, str]:
    """The demo course whose PHQ-9 item 9 was answered above 0: (patient id, course id),
    found through the due list as the engine sees it, not through the page."""
    clinic = web.clinic
    page = due.due_list(due.DueFilter(attention=True), offset=0, limit=500,
                        follow_up_days=clinic.settings.follow_up_days, on=None,
                        uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                        rules=clinic.rules)
    found = [e for e in page.entries
             if any(f.rule_id == "monitoring.self-harm" for f in e.attention)]
    assert len(found) == 1, "the demo clinic has one course in the phq9_urgent state"
    return found[0].course.patient.external_id, found[0].course.header.id


def test_the_dashboard_narrows_the_due_list_to_a_horizon_exactly_as_the_service_does(
        web: WebApp) -> None:
    clinic = web.clinic
    kw = {"offset": 0, "limit": 500, "follow_up_days": clinic.settings.follow_up_days,
          "on": None, "uows": clinic.uows, "clock": clinic.clock, "actor": clinic.actor,
          "rules": clinic.rules}
    everything = due.due_list(due.DueFilter(), **kw)
    for days in (0, 1, 7, 30):
        service = due.due_list(due.DueFilter(within_days=days), **kw)
        mine = within(everything.entries, everything.as_of + dt.timedelta(days=days))
        assert {(e.course.header.id, e.due, e.attention) for e in mine} == {
            (e.course.header.id, e.due, e.attention) for e in service.entries}
        assert len(mine) == service.total


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_prescriber_sees_the_urgent_phq9_banner_naming_the_patient_with_a_link_to_the_course(
        web: WebApp, phone: bool, check_page: Callable[[Page, str], None]) -> None:
    patient, course_id = _urgent_phq9(web)
    page = web.sign_in("prescriber", phone=phone)
    banner = page.locator("#urgent")
    expect(banner).to_contain_text("Urgent: 1 patient needs a clinician now")
    expect(banner).to_contain_text(f"Patient {patient}")
    expect(banner).to_contain_text("item 9 (thoughts of self-harm)")
    link = banner.get_by_role("link", name=f"Open the course of {patient}")
    expect(link).to_have_attribute("href", f"/courses/{course_id}")
    # The banner comes before everything else on the page.
    assert page.locator("main > *").first.get_attribute("id") == "urgent"
    check_page(page, "dashboard")


def test_filters_narrow_the_lists_and_keep_the_urgent_banner_whatever_is_chosen(
        web: WebApp) -> None:
    patient, _ = _urgent_phq9(web)
    page = web.sign_in("prescriber")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Programme").select_option("us-ipledge")
    page.get_by_label("Due", exact=True).select_option("30")
    page.get_by_role("button", name="Apply filters").click()
    assert "programme=us-ipledge" in page.url and "within=30" in page.url
    assert "demo-" not in page.url
    courses = page.locator("table[aria-labelledby='courses-title'] tbody tr")
    expect(courses.first).to_be_visible()
    for cell in courses.locator("td[data-label='Programme']").all_inner_texts():
        assert cell == "US iPLEDGE"
    for cell in page.locator("td[data-label='Programme']").all_inner_texts():
        assert cell == "US iPLEDGE"
    # The urgent PHQ-9 course is in the UK programme: filtered out of the lists, but the
    # banner still names the patient.
    expect(page.locator("#urgent")).to_contain_text(f"Patient {patient}")

    page.goto("/clinic?status=ended")
    statuses = page.locator("table[aria-labelledby='courses-title'] td[data-label='Status']")
    expect(statuses.first).to_be_visible()
    assert all("Ended" in s for s in statuses.all_inner_texts())

    page.goto("/clinic?item=lab&within=0")
    whats = page.locator("td[data-label='What']").all_inner_texts()
    assert whats and all(w.startswith("Blood tests") for w in whats)
    assert all(b in ("Due today",) or b.startswith("Overdue")
               for b in page.locator("td[data-label='When']").all_inner_texts())


def test_an_unknown_filter_value_is_said_and_left_out(web: WebApp) -> None:
    page = web.sign_in("prescriber")
    page.goto("/clinic?programme=mars&within=5")
    expect(page.get_by_role("status")).to_contain_text("Some filters were not understood")
    expect(page.locator("#e-programme")).to_be_visible()
    expect(page.locator("#e-within")).to_be_visible()


def test_searching_by_patient_id_posts_it_and_opens_the_patient_page(
        web: WebApp, check_page: Callable[[Page, str], None]) -> None:
    page = web.sign_in("prescriber")
    with page.expect_request(lambda r: r.url.endswith("/clinic/search")) as sent:
        page.get_by_label("Find a patient by the clinic's patient id").fill("demo-003")
        page.get_by_role("button", name="Find patient").click()
    assert sent.value.method == "POST"
    page.wait_for_url("**/patients/*")
    assert "demo-003" not in page.url
    expect(page.get_by_role("heading", name="Patient demo-003")).to_be_visible()
    expect(page.get_by_role("link", name="Course 1")).to_have_attribute(
        "href", re.compile(r"^/courses/[0-9a-f-]{36}$"))
    check_page(page, "patient")
    phone = web.sign_in("prescriber", phone=True)
    phone.goto(page.url.removeprefix(web.base_url))
    check_page(phone, "patient")


def test_a_search_for_an_unknown_id_says_there_is_no_such_patient_and_keeps_the_id(
        web: WebApp, check_page: Callable[[Page, str], None]) -> None:
    page = web.sign_in("prescriber")
    field = page.get_by_label("Find a patient by the clinic's patient id")
    field.fill("no-such-patient")
    page.get_by_role("button", name="Find patient").click()
    expect(page.locator("#e-patient")).to_contain_text("There is no patient with that id")
    expect(field).to_have_value("no-such-patient")
    expect(field).to_have_attribute("aria-invalid", "true")
    check_page(page, "dashboard-search-not-found")


def test_a_delegate_sees_the_dashboard_and_a_pharmacist_or_patient_is_refused(
        web: WebApp) -> None:
    delegate = web.sign_in("delegate")
    assert delegate.url.endswith("/clinic")
    expect(delegate.get_by_role("heading", name="Courses")).to_be_visible()
    expect(delegate.locator("#urgent")).to_be_visible()
    for username in ("pharmacist", "patient"):
        page = web.sign_in(username)
        response = page.goto("/clinic")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        assert page.locator("#urgent").count() == 0
