"""The pharmacist's job in a real browser, on the demo clinic: look up, authorize, dispense
once, reverse; refusals in plain words with their sources; errors next to the fields.

The demo clinic's references are made at random when it is seeded, so they are found here
the way a pharmacy cannot: through the services, on a copy of the seeded clinic.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from isocourse.adapters.db.engine import sqlite_url
from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.domain.record import Prescription
from isocourse.services import courses
from isocourse.services.pharmacy_lookup import look_up_prescription
from isocourse.services.ports import FixedClock
from tests.e2e.browser.conftest import WebApp
from tests.support.clinics import DAY

Check = Callable[[Page, str], None]


@dataclass(frozen=True)
class References:
    """Newest prescriptions of demo courses: one dispensable today and not yet authorized,
    one never dispensed, refused because its window was missed; and an authorization
    granted, not used."""

    open_rx: str
    missed_rx: str
    granted_code: str


def _newest_prescriptions(clinic: Clinic) -> list[str]:
    with clinic.uows() as uow:
        course_ids = uow.courses.ids_of_clinic(clinic.actor.clinic_id, after=None, limit=500)
    found = []
    for course_id in course_ids:
        course = courses.get_course(course_id, uows=clinic.uows, actor=clinic.actor,
                                    rules=clinic.rules)
        rxs = course.record.events_of(Prescription)
        if rxs and rxs[-1].id is not None:
            found.append(rxs[-1].id)
    return sorted(found)


@pytest.fixture(scope="module")
def refs(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> References:
    folder = tmp_path_factory.mktemp("pharmacy-refs")
    shutil.copyfile(demo_template, folder / "isocourse.db")
    clinic = build(Settings(data_dir=folder, database_url=sqlite_url(folder / "isocourse.db")),
                   clock=FixedClock(DAY))
    try:
        looked = [look_up_prescription(rx, uows=clinic.uows, clock=clinic.clock,
                                       actor=clinic.actor, rules=clinic.rules)
                  for rx in _newest_prescriptions(clinic)]
    finally:
        clinic.close()
    open_rx = next(x.prescription_id for x in looked  # a window opened by a pregnancy test
                   if x.allowed and not x.authorizations and x.window is not None
                   and x.window.kind == "pick-up")
    missed_rx = next(x.prescription_id for x in looked
                     if not x.allowed and not x.authorizations
                     and any(r.rule_id and r.rule_id.endswith("window") for r in x.reasons))
    granted = next(x.open_authorization.code for x in looked
                   if x.open_authorization is not None)
    return References(open_rx, missed_rx, granted)


def look_up(page: Page, reference: str) -> None:
    page.goto("/pharmacy")
    page.get_by_label("Prescription reference or authorization code").fill(reference)
    page.get_by_role("button", name="Look up").click()


def dispenses_of(clinic: Clinic, code: str) -> int:
    """How many dispense events carry this authorization's code."""
    with clinic.uows() as uow:
        row = uow.authorizations.get(code)
        assert row is not None
        events = uow.courses.events(row.course_id)
    return sum(1 for e in events if e.type == "dispense"
               and e.body.get("extensions", {}).get("isocourse", {}).get("authorization") == code)


def test_a_pharmacist_authorizes_and_dispenses_once_and_a_second_till_is_refused(
        web: WebApp, refs: References, check_page: Check) -> None:
    page = web.sign_in("pharmacist")
    expect(page.get_by_role("heading", name="Look up a prescription")).to_be_visible()
    check_page(page, "pharmacy-lookup")
    look_up(page, refs.open_rx)
    expect(page.locator("#verdict")).to_contain_text("Dispensing is allowed today")
    expect(page.locator("#verdict")).to_contain_text("window is open from")
    expect(page.locator("#capsules")).to_be_visible()
    check_page(page, "pharmacy-prescription")

    page.get_by_label("Pharmacy name").fill("High Street Pharmacy")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r"/pharmacy/authorizations/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    code = page.url.rsplit("/", 1)[1]
    expect(page.locator("#status")).to_contain_text("granted")
    expect(page.locator("#verdict")).to_contain_text("You may dispense this supply today")
    expect(page.get_by_text("High Street Pharmacy")).to_be_visible()
    check_page(page, "pharmacy-authorization")

    # A second till opens the same authorization before the first records the dispense.
    other = page.context.new_page()
    other.goto(page.url)
    asked: list[str] = []

    def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    for till in (page, other):
        till.on("dialog", confirm)

    # Without the confirmation box ticked nothing is recorded (this works without JS too).
    page.get_by_role("button", name="Record dispense").click()
    expect(page.locator("#e-confirm")).to_contain_text("Tick the box")
    assert dispenses_of(web.clinic, code) == 0
    page.get_by_label("I have handed over these capsules").check()
    page.get_by_role("button", name="Record dispense").click()
    expect(page.locator("#status")).to_contain_text("dispensed")
    expect(page.locator("#verdict")).to_contain_text("This supply has been dispensed")
    expect(page.get_by_role("button", name="Record dispense")).to_have_count(0)
    assert asked and "capsules" in asked[0]
    assert dispenses_of(web.clinic, code) == 1

    other.get_by_label("I have handed over these capsules").check()
    other.get_by_role("button", name="Record dispense").click()
    expect(other.locator("#problem")).to_contain_text("The dispense was not recorded")
    expect(other.locator("#problem")).to_contain_text("already been used to dispense")
    assert dispenses_of(web.clinic, code) == 1


def test_a_double_submitted_dispense_form_dispenses_once(web: WebApp,
                                                         refs: References) -> None:
    page = web.sign_in("pharmacist")
    page.goto(f"/pharmacy/authorizations/{refs.granted_code}")
    dispense_form = page.locator("form[action$='/dispense']")
    form: dict[str, str | float | bool] = {
        "csrf_token": dispense_form.locator("[name=csrf_token]").input_value(),
        "idempotency_key": dispense_form.locator("[name=idempotency_key]").input_value(),
        "confirm": "on"}
    url = f"/pharmacy/authorizations/{refs.granted_code}/dispense"
    answers = [page.request.post(url, form=form) for _ in range(2)]
    assert [a.status for a in answers] == [200, 200]   # both end on the page (303 followed)
    assert all("This supply has been dispensed" in a.text() for a in answers)
    assert dispenses_of(web.clinic, refs.granted_code) == 1


def test_a_missed_window_says_do_not_dispense_with_each_reason_and_its_source(
        web: WebApp, refs: References, check_page: Check) -> None:
    page = web.sign_in("pharmacist", phone=True)
    look_up(page, refs.missed_rx)
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("Do not dispense today")
    expect(verdict.locator("li")).not_to_have_count(0)
    expect(verdict.locator("li").first).to_contain_text("Source:")
    expect(verdict).to_contain_text("window")
    expect(page.get_by_role("button", name="Authorize")).to_have_count(0)
    check_page(page, "pharmacy-prescription-blocked")


def test_a_positive_test_recorded_before_authorizing_means_no_authorization_is_made(
        web: WebApp, refs: References) -> None:
    page = web.sign_in("pharmacist")
    look_up(page, refs.open_rx)
    expect(page.locator("#verdict")).to_contain_text("Dispensing is allowed today")
    # Meanwhile the clinic records a positive pregnancy test.
    clinic = web.clinic
    found = look_up_prescription(refs.open_rx, uows=clinic.uows, clock=clinic.clock,
                                 actor=clinic.actor, rules=clinic.rules)
    courses.record_events(found.course_id, [
        {"type": "pregnancy_test", "date": DAY.isoformat(), "result": "positive",
         "setting": "lab"}], expected_version=None, uows=clinic.uows, clock=clinic.clock,
        actor=clinic.actor, rules=clinic.rules)
    page.get_by_role("button", name="Authorize").click()
    expect(page.locator("#problem")).to_contain_text("No authorization was made")
    expect(page.locator("#verdict")).to_contain_text("Do not dispense today")
    expect(page.locator("#verdict li")).not_to_have_count(0)
    expect(page.locator("#authorizations")).to_have_count(0)


def test_reversing_without_a_reason_keeps_the_page_with_an_error_next_to_the_field(
        web: WebApp, refs: References) -> None:
    page = web.sign_in("pharmacist")
    page.on("dialog", lambda d: d.accept())
    look_up(page, refs.granted_code.lower().replace("-", " "))  # as read over the phone
    page.wait_for_url(f"**/pharmacy/authorizations/{refs.granted_code}")
    page.get_by_role("button", name="Reverse authorization").click()
    expect(page.locator("#e-reason")).to_contain_text("Say why the authorization is reversed")
    expect(page.get_by_label("Why is it reversed?")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#status")).to_contain_text("granted")
    page.get_by_label("Why is it reversed?").fill("patient did not come to collect")
    page.get_by_role("button", name="Reverse authorization").click()
    expect(page.locator("#status")).to_contain_text("reversed")
    expect(page.locator("#status")).to_contain_text("patient did not come to collect")
    expect(page.get_by_role("button", name="Record dispense")).to_have_count(0)


def test_an_unknown_reference_is_refused_next_to_the_field_keeping_what_was_typed(
        web: WebApp) -> None:
    page = web.sign_in("pharmacist")
    look_up(page, "rx-0000000000")
    field = page.get_by_label("Prescription reference or authorization code")
    expect(page.locator("#e-reference")).to_contain_text(
        "No prescription or authorization with that reference")
    expect(field).to_have_value("rx-0000000000")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "rx-0000000000" not in page.url


def test_a_prescriber_may_read_an_authorization_but_not_record_a_dispense(
        web: WebApp, refs: References) -> None:
    page = web.sign_in("prescriber")
    page.goto(f"/pharmacy/authorizations/{refs.granted_code}")
    expect(page.locator("#status")).to_contain_text("granted")
    expect(page.get_by_role("button", name="Record dispense")).to_have_count(0)
    token = page.locator("[name=csrf_token]").first.input_value()
    answer = page.request.post(f"/pharmacy/authorizations/{refs.granted_code}/dispense",
                               form={"csrf_token": token, "idempotency_key": "k1",
                                     "confirm": "on"})
    assert answer.status == 403
    assert "Not allowed" in answer.text()
    assert dispenses_of(web.clinic, refs.granted_code) == 0


def test_the_pharmacy_pages_are_accessible_on_a_phone(web: WebApp, refs: References,
                                                      check_page: Check) -> None:
    page = web.sign_in("pharmacist", phone=True)
    check_page(page, "pharmacy-lookup")
    look_up(page, refs.open_rx)
    expect(page.locator("#verdict")).to_be_visible()
    check_page(page, "pharmacy-prescription")
    page.goto(f"/pharmacy/authorizations/{refs.granted_code}")
    expect(page.locator("#status")).to_be_visible()
    check_page(page, "pharmacy-authorization")
