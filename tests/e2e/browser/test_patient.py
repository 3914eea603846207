"""The patient's pages in a real browser, as the demo patient (demo-001: a US course with a
prescription written the day before, its pick-up window open).

What the pages should show is worked out here from the record through the services, the
catalog's capsule table and the rule packs, never copied from the pages' own code."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from isocourse.adapters.web.comprehension import QUESTIONS
from isocourse.domain.capsules import DailyDose
from isocourse.domain.dosing import table_for
from isocourse.domain.record import Comprehension, Dose, Prescription
from isocourse.rules.model import Assessment
from isocourse.services import courses, dispensing
from isocourse.services.assessments import assess_course
from isocourse.services.course_store import LoadedCourse
from isocourse.services.due import DueFilter, due_list
from isocourse.services.security.accounts import NewUser, add_user
from isocourse.services.stored import CourseListFilter
from tests.e2e.browser.conftest import WebApp

Check = Callable[[Page, str], None]
PATIENT = "demo-001"
PASSWORD = "a long test patient passphrase"


def _date(day: Any) -> str:
    return f"{day.day} {day:%b %Y}"


def _course(web: WebApp, external_id: str = PATIENT) -> LoadedCourse:
    clinic = web.clinic
    patient = courses.find_patient(external_id, uows=clinic.uows, actor=clinic.actor)
    _, headers = courses.get_patient(patient.id, uows=clinic.uows, actor=clinic.actor)
    current = [h for h in headers if h.ended_on is None][-1]
    return courses.get_course(current.id, uows=clinic.uows, actor=clinic.actor,
                              rules=clinic.rules)


def _assessment(web: WebApp, course: LoadedCourse) -> Assessment:
    clinic = web.clinic
    return assess_course(course.header.id, on=None, uows=clinic.uows, clock=clinic.clock,
                         actor=clinic.actor, rules=clinic.rules)[1]


def _dose(web: WebApp, course: LoadedCourse, daily_mg: int) -> DailyDose:
    dose = table_for(web.clinic.rules.catalog.get(course.record.course.product)).dose(daily_mg)
    assert dose is not None and not dose.once_daily
    return dose


def _capsules(web: WebApp, course: LoadedCourse, daily_mg: int) -> list[str]:
    """The morning and evening capsules of a daily dose, from the catalog's table."""
    dose = _dose(web, course, daily_mg)
    return [" and ".join(f"{c.count} × {c.strength_mg} mg capsule{'s' if c.count > 1 else ''}"
                         for c in part) for part in (dose.am, dose.pm)]


def _dispense(web: WebApp, course: LoadedCourse) -> None:
    """The pharmacy hands over the prescribed supply today (as the pharmacist would)."""
    clinic = web.clinic
    rx = course.record.events_of(Prescription)[-1]
    pharmacist = replace(clinic.actor, id="demo-pharmacist", role="pharmacist")
    kw: dict[str, Any] = {"uows": clinic.uows, "clock": clinic.clock, "actor": pharmacist,
                          "rules": clinic.rules}
    row, _ = dispensing.request_authorization(dispensing.AuthorizationRequest(
        prescription_id=str(rx.id), course_id=course.header.id), **kw)
    dispensing.record_dispense(row.code, idempotency_key=None, **kw)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_my_course_shows_todays_capsules_progress_what_is_due_and_the_pick_up_window(
        web: WebApp, phone: bool, check: Check) -> None:
    course = _course(web)
    rx = course.record.events_of(Prescription)[-1]
    assessment = _assessment(web, course)
    page = web.sign_in("patient", phone=phone)
    assert page.url.endswith("/me")
    dose = page.locator(".dose-card")
    morning, evening = _capsules(web, course, rx.daily_mg)
    expect(dose.locator(".dose-time").nth(0)).to_contain_text("Morning")
    expect(dose.locator(".dose-time").nth(0)).to_contain_text(morning)
    expect(dose.locator(".dose-time").nth(1)).to_contain_text("Evening")
    expect(dose.locator(".dose-time").nth(1)).to_contain_text(evening)
    expect(dose).to_contain_text(f"{rx.daily_mg} mg a day")
    expect(dose).to_contain_text("You have not picked up these capsules yet")
    # us-absorica: "with or without meals" (ABSORICA label, clinical.md §1.2)
    expect(dose).to_contain_text("with or without food")
    target = course.header.plan["target_mg_per_kg"] if course.header.plan else 120
    expect(page.get_by_text(f"Your target is {target} mg per kg")).to_be_visible()
    expect(page.get_by_label("0% of your target")).to_have_attribute("value", "0")
    assert assessment.window is not None
    expect(page.get_by_text(f"Pick up by {_date(assessment.window.end)}")).to_be_visible()
    first = min(assessment.due, key=lambda d: d.due_date)
    due = page.locator(".due-item").first
    expect(due).to_contain_text(f"By {_date(first.due_date)}")
    check(page, "patient-home")

    if not phone:  # after the pharmacy hands the capsules over
        _dispense(web, course)
        page.reload()
        expect(dose).to_contain_text(f"picked up on {_date(web.clinic.clock.today())}")
        expect(page.get_by_text("Expected end:")).to_be_visible()


def test_the_diary_records_a_dose_taken_and_one_missed_and_says_skip_never_double(
        web: WebApp, check: Check) -> None:
    page = web.sign_in("patient", phone=True)
    page.goto("/me/diary")
    expect(page.locator(".skip-dose")).to_have_text(
        "If you miss a dose, skip it. Do not take two doses to make up for it.")
    page.get_by_role("button", name="I took it (morning dose today)").click()
    expect(page.get_by_role("status")).to_contain_text("Saved for today: morning dose")
    expect(page.get_by_role("status")).to_contain_text("taken")
    page.get_by_role("button", name="I missed it (evening dose today)").click()
    expect(page.locator(".notice--warning")).to_contain_text(
        "You missed a dose: skip it. Do not take two doses to make up for it.")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("Taken")
    expect(row).to_contain_text("Missed")
    check(page, "patient-diary")
    # the record holds one diary entry for today: the morning dose taken, counted
    course = _course(web)
    doses = [e for e in course.record.effective_events() if e.type.value == "dose"]
    dose = _dose(web, course, course.record.events_of(Prescription)[-1].daily_mg)
    assert len(doses) == 1 and isinstance(doses[0], Dose)
    assert (doses[0].taken, doses[0].mg) == (True, dose.am_mg)


def test_a_side_effect_gets_the_packs_advice_and_a_red_flag_says_contact_your_clinic_now(
        web: WebApp, check: Check) -> None:
    pack = web.clinic.rules.library.in_force("monitoring", web.clinic.clock.today())
    advice = next(s for s in pack.rules if s.kind == "side-effect-advice")
    page = web.sign_in("patient")
    page.goto("/me/side-effects")
    page.get_by_label("Dry or cracked lips").check()
    page.get_by_label("Mild").check()
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.get_by_role("heading", name="Dry or cracked lips")).to_be_visible()
    expect(page.locator(".advice")).to_have_text(advice.value("advice_cheilitis"))
    expect(page.get_by_role("heading", name="Contact your clinic now")).to_have_count(0)
    check(page, "patient-side-effect")

    for kind in ("Headache", "Changes in your eyesight"):
        page.goto("/me/side-effects")
        page.get_by_label(kind).check()
        page.get_by_label("Moderate").check()
        page.get_by_role("button", name="Save and see advice").click()
    expect(page.get_by_role("heading", name="Contact your clinic now")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("intracranial pressure")
    expect(page.locator(".advice")).to_have_text(advice.value("advice_visual_disturbance"))
    page.goto("/me")
    expect(page.get_by_role("heading", name="Contact your clinic now")).to_be_visible()


def test_a_phq9_with_thoughts_of_self_harm_shows_urgent_help_and_flags_the_prescriber(
        web: WebApp, check: Check) -> None:
    page = web.sign_in("patient", phone=True)
    page.goto("/me/phq9")
    for n in range(1, 9):
        page.locator(f"#f-item{n}").get_by_label("Several days").check()
    page.locator("#f-item9").get_by_label("Several days").check()
    page.get_by_role("button", name="Save my answers").click()
    help_box = page.get_by_role("alert")
    expect(help_box).to_contain_text("Please get help now")
    expect(help_box).to_contain_text("call your local emergency number now")
    expect(help_box).to_contain_text("Contact your clinic today")
    expect(page.locator(".big-number")).to_contain_text("9")
    expect(page.get_by_text("is in the mild range")).to_be_visible()
    check(page, "patient-phq9-result")

    clinic = web.clinic
    flagged = due_list(DueFilter(attention=True), offset=0, limit=100, follow_up_days=60,
                       on=None, uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                       rules=clinic.rules)
    mine = [e for e in flagged.entries if e.course.patient.external_id == PATIENT]
    assert mine and any(f.rule_id == "monitoring.self-harm" for f in mine[0].attention)

    prescriber = web.sign_in("prescriber")
    prescriber.goto("/clinic")
    banner = prescriber.locator("#urgent")
    expect(banner).to_contain_text(f"Patient {PATIENT}")
    expect(banner.locator("li").filter(has_text=f"Patient {PATIENT}")).to_contain_text(
        "item 9 (thoughts of self-harm)")


def test_a_wrong_comprehension_answer_is_shown_with_the_right_one(
        web: WebApp, check: Check) -> None:
    page = web.sign_in("patient")
    page.goto("/me/comprehension")
    expect(page.get_by_text("They do not replace the questions in the iPLEDGE system")
           ).to_be_visible()
    wrong = QUESTIONS[1]
    for question in QUESTIONS:
        value = question.answer if question is not wrong else next(
            v for v, _ in question.options if v != question.answer)
        group = page.locator(f"#f-{question.id}")
        group.get_by_label(question.option_text(value) or "", exact=True).check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"{len(QUESTIONS) - 1} of {len(QUESTIONS)} answers are right")
    result = page.locator(".quiz-result--wrong")
    expect(result).to_have_count(1)
    expect(result).to_contain_text(wrong.text)
    expect(result.locator(".right-answer")).to_have_text(f"The right answer: {wrong.answer_text}")
    check(page, "patient-comprehension-result")
    course = _course(web)
    recorded = course.record.events_of(Comprehension)[-1]
    assert recorded.date == web.clinic.clock.today() and not recorded.passed


def test_forms_with_errors_show_them_next_to_the_fields_and_keep_what_was_typed(
        web: WebApp) -> None:
    page = web.sign_in("patient")
    page.goto("/me/side-effects")
    page.get_by_label("Joint pain").check()
    page.get_by_label("When did you have it?").fill("2099-01-01")
    page.get_by_label("Anything else your clinic should know?").fill("worse after running")
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.locator("#e-grade")).to_contain_text("Choose how bad it is")
    expect(page.locator("#e-day")).to_contain_text("cannot be after")
    expect(page.get_by_label("Joint pain")).to_be_checked()
    expect(page.get_by_label("Anything else your clinic should know?")).to_have_value(
        "worse after running")

    page.goto("/me/phq9")
    for n in (1, 2, 4, 5, 6, 7, 8, 9):
        page.locator(f"#f-item{n}").get_by_label("Not at all").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator("#e-item3")).to_contain_text("Choose an answer")
    expect(page.locator("#f-item1").get_by_label("Not at all")).to_be_checked()
    expect(page.locator("#f-item9").get_by_label("Not at all")).to_be_checked()

    page.goto("/me/diary")
    page.locator("#f-day").fill("2020-01-01")
    page.get_by_label("Evening dose").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#e-day")).to_contain_text("in the last 30 days")
    expect(page.locator("#e-mark")).to_contain_text("took this dose or missed it")
    expect(page.get_by_label("Evening dose")).to_be_checked()
    expect(page.locator("#f-day")).to_have_value("2020-01-01")


def test_a_patient_opening_another_patients_course_gets_the_not_found_page(
        web: WebApp) -> None:
    clinic = web.clinic
    listing = courses.list_courses(CourseListFilter(), offset=0, limit=5, uows=clinic.uows,
                                   actor=clinic.actor)
    other = next(c for c, p in listing.courses if p.external_id != PATIENT)
    page = web.sign_in("patient")
    response = page.goto(f"/courses/{other.id}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert not re.search(r"demo-0\d\d", page.content().replace(PATIENT, ""))


def _patient_account(web: WebApp, username: str, external_id: str) -> Page:
    """A patient account for the clinic's patient ``external_id``, signed in."""
    clinic = web.clinic
    admin = replace(clinic.actor, id="test-admin", role="admin")
    add_user(NewUser(username=username, display_name="Test Patient", role="patient",
                     password=PASSWORD, patient_external_id=external_id),
             uows=clinic.uows, clock=clinic.clock, actor=admin, policy=clinic.security)
    page = web.page()
    page.goto("/sign-in")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/me")
    return page


def test_a_patient_without_a_course_and_one_whose_course_ended_get_a_page_that_says_so(
        web: WebApp, check: Check) -> None:
    clinic = web.clinic
    kw: dict[str, Any] = {"uows": clinic.uows, "clock": clinic.clock, "actor": clinic.actor}
    courses.register_patient(courses.RegisterPatient(
        external_id="p-new", birth_date=clinic.clock.today().replace(year=2001),
        can_get_pregnant=False), **kw)
    page = _patient_account(web, "new-patient", "p-new")
    expect(page.get_by_text("You do not have a course on record yet")).to_be_visible()
    page.goto("/me/diary")
    expect(page.get_by_text("nothing to record")).to_be_visible()

    listing = courses.list_courses(CourseListFilter(), offset=0, limit=200, uows=clinic.uows,
                                   actor=clinic.actor)
    by_patient: dict[str, list[Any]] = {}
    for header, patient in listing.courses:
        by_patient.setdefault(patient.external_id, []).append(header)
    done = next(pid for pid, found in sorted(by_patient.items())
                if all(h.ended_on is not None for h in found))
    ended = max(h.ended_on for h in by_patient[done])
    page = _patient_account(web, "done-patient", done)
    expect(page.get_by_role("heading", name="Your course has ended")).to_be_visible()
    expect(page.get_by_text(f"Your last dose was on {_date(ended)}")).to_be_visible()
    expect(page.locator(".dose-card")).to_have_count(0)
    check(page, "patient-home-ended")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_patient_page_is_accessible(web: WebApp, phone: bool, check: Check) -> None:
    """The pages the tests above do not check at this width (they check My course at both
    widths, the diary on a phone and each result page)."""
    page = web.sign_in("patient", phone=phone)
    pages = [("/me/side-effects", "patient-side-effects"), ("/me/phq9", "patient-phq9"),
             ("/me/comprehension", "patient-comprehension")]
    if not phone:
        pages.append(("/me/diary", "patient-diary"))
    for path, name in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check(page, name)


@pytest.fixture
def check(check_page: Check) -> Check:
    return check_page
