"""The patient's reminders in the browser: make a calendar link, read the feed over HTTP as
a calendar app would, turn the link off; the page at desktop and phone widths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest
from icalendar import Calendar, Event
from playwright.sync_api import Page, expect

from isocourse.services import courses
from isocourse.services.course_outputs import patient_outputs
from isocourse.services.demo_accounts import DEMO_PATIENT
from tests.e2e.browser.conftest import WebApp

WINDOW_CLOSING = "Last day to collect your isotretinoin"


def make_link(page: Page) -> str:
    page.goto("/me/reminders")
    page.get_by_role("button", name="Make a calendar link").click()
    expect(page.get_by_role("heading", name="Your new calendar link")).to_be_visible()
    link = page.get_by_role("textbox", name="Calendar link").input_value()
    assert link.startswith(page.url.split("/me/")[0] + "/calendar/")
    return link


def feed_events(link: str) -> list[Event]:
    answer = httpx.get(link, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    assert isinstance(calendar, Calendar)
    return list(calendar.walk("VEVENT"))  # type: ignore[arg-type]


def test_a_patient_subscribes_their_calendar_to_the_feed_and_turns_the_link_off(
        web: WebApp) -> None:
    page = web.sign_in("patient")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reminders").click()
    expect(page.get_by_role("heading", name="Reminders in your calendar")).to_be_visible()
    expect(page.get_by_text("You have no calendar links in use")).to_be_visible()

    link = make_link(page)
    webcal = page.get_by_role("link", name="Open in my calendar app")
    expect(webcal).to_have_attribute("href", "webcal://" + link.split("://", 1)[1])

    # What the calendar app reads is the demo patient's course as the rules see it today.
    kw = {"uows": web.clinic.uows, "clock": web.clinic.clock, "actor": web.clinic.actor}
    patient = courses.find_patient(DEMO_PATIENT, uows=web.clinic.uows, actor=web.clinic.actor)
    _, outputs = patient_outputs(patient.id, rules=web.clinic.rules, **kw)
    assessment = outputs[-1].assessment
    assert assessment is not None and assessment.window is not None
    today = web.clinic.clock.today()
    events = feed_events(link)
    days = {e.decoded("dtstart") for e in events}
    assert {max(d.due_date, today) for d in assessment.due} <= days
    closing = [e for e in events if str(e["summary"]) == WINDOW_CLOSING]
    assert [e.decoded("dtstart") for e in closing] == [assessment.window.end]
    assert len(events) == len(set(assessment.due)) + 1
    assert DEMO_PATIENT not in "".join(str(e.to_ical()) for e in events)

    # The page lists the same events, and no longer shows the link once left.
    page.goto("/me/reminders")
    rows = page.locator("table.reminders-now tbody tr")
    expect(rows).to_have_count(len(events))
    expect(page.get_by_role("textbox", name="Calendar link")).to_have_count(0)
    assert link.rsplit("/", 1)[1] not in page.content()
    expect(page.get_by_role("row").filter(has_text="Not yet")).to_have_count(0)  # it was read

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Turn off the link").click()
    expect(page.get_by_role("status")).to_contain_text("The calendar link was turned off")
    expect(page.get_by_text("You have no calendar links in use")).to_be_visible()
    assert httpx.get(link, timeout=30).status_code == 404


def test_the_calendar_moves_on_with_the_clinics_day(web: WebApp) -> None:
    page = web.sign_in("patient")
    link = make_link(page)
    before = feed_events(link)
    assert any(str(e["summary"]) == WINDOW_CLOSING for e in before)
    web.clinic.clock.day += dt.timedelta(days=40)  # type: ignore[attr-defined]
    after = feed_events(link)
    assert not any(str(e["summary"]) == WINDOW_CLOSING for e in after)  # the window closed
    assert all(e.decoded("dtstart") >= web.clinic.clock.today() for e in after)


def test_the_days_calendar_downloads_as_a_file(web: WebApp) -> None:
    page = web.sign_in("patient")
    page.goto("/me/reminders")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download today's calendar").click()
    assert download.value.suggested_filename == "isotretinoin-reminders.ics"
    path = download.value.path()
    calendar = Calendar.from_ical(path.read_bytes())
    assert isinstance(calendar, Calendar)
    assert any(str(e["summary"]) == WINDOW_CLOSING for e in calendar.walk("VEVENT"))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_reminders_page_is_accessible_with_a_new_link_shown(
        web: WebApp, phone: bool, check_page: Callable[[Page, str], None]) -> None:
    page = web.sign_in("patient", phone=phone)
    make_link(page)
    for summary in ("Google Calendar", "Apple Calendar (iPhone, iPad, Mac)", "Outlook"):
        page.get_by_text(summary, exact=True).click()  # open each app's steps
    check_page(page, "patient-reminders-new-link")
    page.goto("/me/reminders")
    check_page(page, "patient-reminders")
