"""A whole monthly cycle in the browser, across the three roles, on the demo clinic:
the prescriber records a negative pregnancy test, writes and signs the prescription after
seeing the rules' verdict; the pharmacist looks it up, authorizes and dispenses; a month
later the next prescription is not picked up, its 7-day window closes, and the pharmacy
is told not to dispense, with the reason; the prescriber's dashboard shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from playwright.sync_api import Page, expect

from isocourse.domain.record import Dispense
from isocourse.services import assessments, courses
from tests.e2e.browser.conftest import WebApp
from tests.support.clinics import DAY

#: The demo's US (iPLEDGE) patient who can get pregnant and whose last window was missed.
PATIENT = "demo-005"


def _course_id(web: WebApp) -> str:
    clinic = web.clinic
    patient = courses.find_patient(PATIENT, uows=clinic.uows, actor=clinic.actor)
    _, headers = courses.get_patient(patient.id, uows=clinic.uows, actor=clinic.actor)
    return max(headers, key=lambda h: h.number).id


def _blocking_rules(web: WebApp, course_id: str) -> set[str]:
    clinic = web.clinic
    _, assessment = assessments.assess_course(course_id, on=None, uows=clinic.uows,
                                              clock=clinic.clock, actor=clinic.actor,
                                              rules=clinic.rules)
    return {f.rule_id for f in assessment.findings if f.severity.stops_dispensing}


def _dispenses(web: WebApp, course_id: str) -> int:
    clinic = web.clinic
    course = courses.get_course(course_id, uows=clinic.uows, actor=clinic.actor,
                                rules=clinic.rules)
    return len(course.record.events_of(Dispense))


def _record_negative_test(page: Page, course_id: str) -> None:
    page.goto(f"/courses/{course_id}/record")
    page.get_by_role("link", name="Pregnancy test").click()
    page.get_by_label("Negative").check()
    page.get_by_label("Laboratory").check()
    page.get_by_role("button", name="Record pregnancy test").click()
    expect(page.get_by_role("status")).to_have_text("Recorded: Pregnancy test.")


def _prescribe(page: Page, course_id: str) -> str:
    page.goto(f"/courses/{course_id}/prescribe")
    page.get_by_label("Days' supply").fill("30")
    page.get_by_role("button", name="Check with the rules").click()
    expect(page.locator(".verdict")).to_contain_text("Allowed.")
    page.get_by_role("button", name="Sign prescription").click()
    expect(page.get_by_role("heading", name="Prescription signed")).to_be_visible()
    return page.locator("#prescription-id").inner_text().strip()


def _look_up(page: Page, reference: str) -> None:
    page.goto("/pharmacy")
    page.get_by_label("Prescription reference or authorization code").fill(reference)
    page.get_by_role("button", name="Look up").click()


def test_a_month_runs_from_the_test_to_the_dispense_and_a_missed_window_closes(
        web: WebApp, check_page: Callable[[Page, str], None]) -> None:
    course_id = _course_id(web)
    assert "us-ipledge.window" in _blocking_rules(web, course_id), "demo state changed"
    dispensed_before = _dispenses(web, course_id)

    # The prescriber: the course is blocked by the missed window; a new test opens one.
    prescriber = web.sign_in("prescriber")
    prescriber.goto(f"/courses/{course_id}")
    expect(prescriber.locator("body")).to_contain_text("us-ipledge.window")
    _record_negative_test(prescriber, course_id)
    assert "us-ipledge.window" not in _blocking_rules(web, course_id)
    rx = _prescribe(prescriber, course_id)

    # The pharmacist: allowed today, authorize, hand over the capsules once.
    pharmacist = web.sign_in("pharmacist")
    _look_up(pharmacist, rx)
    expect(pharmacist.locator("#verdict")).not_to_contain_text("Do not dispense")
    check_page(pharmacist, "cycle-pharmacy-allowed")
    pharmacist.get_by_role("button", name="Authorize").click()
    expect(pharmacist.locator("#status")).to_contain_text("granted")
    pharmacist.get_by_label("I have handed over these capsules").check()
    pharmacist.once("dialog", lambda dialog: dialog.accept())  # "hand over these capsules?"
    pharmacist.get_by_role("button", name="Record dispense").click()
    expect(pharmacist.get_by_role("heading", name="This supply has been dispensed")).to_be_visible()
    assert _dispenses(web, course_id) == dispensed_before + 1

    # The next month (sessions last hours, not weeks: both sign in again): a new test and
    # prescription, never picked up.
    web.clinic.clock.day = DAY + dt.timedelta(days=28)  # type: ignore[attr-defined]
    prescriber = web.sign_in("prescriber")
    _record_negative_test(prescriber, course_id)
    next_rx = _prescribe(prescriber, course_id)
    assert next_rx != rx

    # Day 8 after the test: the window has closed; the pharmacy is told why.
    web.clinic.clock.day = DAY + dt.timedelta(days=28 + 7)  # type: ignore[attr-defined]
    pharmacist = web.sign_in("pharmacist")
    _look_up(pharmacist, next_rx)
    verdict = pharmacist.locator("#verdict")
    expect(verdict).to_contain_text("Do not dispense today")
    expect(verdict).to_contain_text("us-ipledge.window")
    expect(pharmacist.get_by_role("button", name="Authorize")).to_have_count(0)
    check_page(pharmacist, "cycle-pharmacy-window-closed")
    assert _dispenses(web, course_id) == dispensed_before + 1

    # The prescriber's course page says the same.
    prescriber = web.sign_in("prescriber")
    prescriber.goto(f"/courses/{course_id}")
    expect(prescriber.locator("body")).to_contain_text("closed on")
