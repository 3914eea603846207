"""A patient's calendar feed links on SQLite and PostgreSQL: stored as a digest only, one
answer for every refused link, reach and limits, and the feed over real HTTP (audited as a
read of the patient's record, the secret masked, the access log naming the route only)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from isocourse.adapters.db.orm_calendar import CalendarFeedRecord
from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Conflict, Forbidden, Hidden, NotFound
from isocourse.services import calendar_feeds, courses
from isocourse.services.assessments import assess_course
from isocourse.services.audit import AuditEntry
from isocourse.services.course_store import LoadedCourse
from isocourse.services.ports import Actor
from isocourse.services.security.accounts import disable_user
from isocourse.services.security.sessions import actor_of, sign_in
from tests.support.accounts import PASSWORD, add_account
from tests.support.courses import ready_course, start_us_course
from tests.support.live_server import live_server


def patient(clinic: Clinic, external_id: str = "p-0001", username: str = "pat") -> Actor:
    """The account of the patient ``external_id`` (registered already)."""
    return actor_of(add_account(clinic, "patient", username, patient_external_id=external_id))


def feed_kw(clinic: Clinic, actor: Actor) -> dict[str, Any]:
    return {"uows": clinic.uows, "clock": clinic.clock, "actor": actor}


def entries(clinic: Clinic) -> list[AuditEntry]:
    with clinic.uows() as uow:
        return list(uow.audit.entries())


@pytest.fixture
def ready(clinic: Clinic) -> tuple[LoadedCourse, Actor]:
    """A course with a prescription and an open pick-up window, and its patient's account."""
    course, _ = ready_course(clinic)
    return course, patient(clinic)


def test_a_link_is_stored_only_as_its_sha256_and_reads_as_its_patient(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor]) -> None:
    course, me = ready
    new = calendar_feeds.create_feed(**feed_kw(clinic, me))
    assert re.fullmatch(r"[a-z0-9]{16}_[A-Za-z0-9_-]{43}", new.secret)
    with clinic.engine.connect() as connection:
        rows = connection.execute(select(CalendarFeedRecord.__table__)).mappings().all()
    assert len(rows) == 1
    stored = dict(rows[0])
    assert stored["secret_hash"] == hashlib.sha256(new.secret.encode()).hexdigest()
    assert not any(new.secret.split("_", 1)[1] in str(v) for v in stored.values())
    assert (stored["patient_id"], stored["created_by"], stored["clinic_id"]) == (
        course.header.patient_id, me.id, course.header.clinic_id)
    row, actor = calendar_feeds.resolve_feed(new.secret, uows=clinic.uows, clock=clinic.clock)
    assert (row.id, actor.id, actor.patient_id, actor.scopes) == (
        new.row.id, me.id, course.header.patient_id, frozenset({"read"}))


def test_the_feed_holds_the_current_courses_due_items_and_window(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor]) -> None:
    course, me = ready
    new = calendar_feeds.create_feed(**feed_kw(clinic, me))
    _, actor = calendar_feeds.resolve_feed(new.secret, uows=clinic.uows, clock=clinic.clock)
    found = calendar_feeds.reminders(rules=clinic.rules, **feed_kw(clinic, actor))
    _, assessment = assess_course(course.header.id, on=None, rules=clinic.rules,
                                  **feed_kw(clinic, clinic.actor))
    assert found.course_id == course.header.id
    assert found.due == assessment.due and found.due
    assert found.window == assessment.window is not None
    assert found.as_of == clinic.clock.today()


def test_a_patient_without_a_course_has_an_empty_calendar(clinic: Clinic) -> None:
    start_us_course(clinic, "p-0002")  # someone else's course
    courses.register_patient(courses.RegisterPatient(
        external_id="p-0003", birth_date=dt.date(2000, 1, 1), can_get_pregnant=False),
        **feed_kw(clinic, clinic.actor))
    me = patient(clinic, "p-0003")
    found = calendar_feeds.reminders(rules=clinic.rules, **feed_kw(clinic, me))
    assert (found.course_id, found.due, found.window) == (None, (), None)


def test_unknown_revoked_misshapen_and_wrong_secret_links_are_refused_alike(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor]) -> None:
    _, me = ready
    kept = calendar_feeds.create_feed(**feed_kw(clinic, me))
    ended = calendar_feeds.create_feed(**feed_kw(clinic, me))
    calendar_feeds.revoke_feed(ended.row.id, **feed_kw(clinic, me))
    wrong = kept.row.id + "_" + "A" * 43  # the right id, another secret
    messages = set()
    for secret in (ended.secret, wrong, "a" * 16 + "_" + "B" * 43, "", "../../etc/passwd",
                   kept.secret + "x"):
        with pytest.raises(NotFound) as refused:
            calendar_feeds.resolve_feed(secret, uows=clinic.uows, clock=clinic.clock)
        messages.add(refused.value.message)
    assert messages == {"no such calendar"}
    calendar_feeds.resolve_feed(kept.secret, uows=clinic.uows, clock=clinic.clock)


def test_a_link_stops_when_the_patients_account_is_disabled(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor]) -> None:
    _, me = ready
    new = calendar_feeds.create_feed(**feed_kw(clinic, me))
    disable_user("pat", **feed_kw(clinic, clinic.operator))
    with pytest.raises(NotFound):
        calendar_feeds.resolve_feed(new.secret, uows=clinic.uows, clock=clinic.clock)


def test_only_a_signed_in_patient_makes_links_and_only_for_themself(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor]) -> None:
    _, me = ready
    with pytest.raises(Forbidden):
        calendar_feeds.create_feed(**feed_kw(clinic, clinic.actor))  # a prescriber
    with pytest.raises(Forbidden, match="browser"):
        calendar_feeds.create_feed(**feed_kw(clinic, replace(me, scopes=frozenset(
            {"read", "write"}))))
    mine = calendar_feeds.create_feed(**feed_kw(clinic, me))
    start_us_course(clinic, "p-0002")
    other = patient(clinic, "p-0002", "pat2")
    with pytest.raises(Hidden):
        calendar_feeds.revoke_feed(mine.row.id, **feed_kw(clinic, other))
    with pytest.raises(NotFound):
        calendar_feeds.revoke_feed("no-such-link", **feed_kw(clinic, other))
    assert calendar_feeds.list_feeds(uows=clinic.uows, actor=other) == []
    assert [f.id for f in calendar_feeds.list_feeds(uows=clinic.uows, actor=me)] == [
        mine.row.id]


def test_at_most_ten_links_are_in_use_at_once(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor]) -> None:
    _, me = ready
    made = [calendar_feeds.create_feed(**feed_kw(clinic, me))
            for _ in range(calendar_feeds.MAX_ACTIVE_FEEDS)]
    with pytest.raises(Conflict, match="10 calendar links"):
        calendar_feeds.create_feed(**feed_kw(clinic, me))
    again = calendar_feeds.revoke_feed(made[3].row.id, **feed_kw(clinic, me))
    assert again.revoked_at == clinic.clock.now()
    calendar_feeds.create_feed(**feed_kw(clinic, me))
    assert len(calendar_feeds.list_feeds(uows=clinic.uows, actor=me)) == 11


def test_reading_a_link_notes_when_it_was_last_read_at_most_once_a_minute(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor]) -> None:
    _, me = ready
    new = calendar_feeds.create_feed(**feed_kw(clinic, me))
    start = dt.datetime.combine(clinic.clock.today(), dt.time(8), tzinfo=dt.UTC)

    def read_at(moment: dt.datetime) -> dt.datetime | None:
        clinic.clock.instant = moment  # type: ignore[attr-defined]
        calendar_feeds.resolve_feed(new.secret, uows=clinic.uows, clock=clinic.clock)
        return calendar_feeds.list_feeds(uows=clinic.uows, actor=me)[0].last_used_at

    assert read_at(start) == start
    assert read_at(start + dt.timedelta(seconds=59)) == start
    assert read_at(start + dt.timedelta(minutes=1)) == start + dt.timedelta(minutes=1)


# -- over HTTP -----------------------------------------------------------------------------


def server_log(caplog: pytest.LogCaptureFixture, expected: str) -> str:
    """What the server has logged (not the test's own HTTP client, which logs the URLs it
    asks for), once ``expected`` is in it or after 10 s: the access log line is written
    after the answer is sent, so it may come a moment after the client has it."""
    deadline = time.monotonic() + 10
    while True:
        logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(
            ("isocourse", "uvicorn", "fastapi", "starlette")))
        if expected in logged or time.monotonic() > deadline:
            return logged
        time.sleep(0.02)


@pytest.fixture
def served(clinic: Clinic) -> Iterator[str]:
    with live_server(clinic) as root:
        yield root


def test_the_feed_over_http_is_a_calendar_audited_as_a_read_of_the_patients_record(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor], served: str,
        caplog: pytest.LogCaptureFixture) -> None:
    course, me = ready
    new = calendar_feeds.create_feed(**feed_kw(clinic, me))
    before = len(entries(clinic))
    with caplog.at_level(logging.DEBUG):
        answer = httpx.get(f"{served}/calendar/{new.secret}.ics")
        logged = server_log(caplog, "GET /calendar/{secret}.ics 200")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in answer.headers["cache-control"]
    calendar = Calendar.from_ical(answer.content)
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert "Last day to collect your isotretinoin" in summaries
    assert len(summaries) >= 2
    assert course.patient.external_id not in answer.text
    [entry] = entries(clinic)[before:]
    assert (entry.action, entry.via, entry.outcome, entry.status) == (
        "calendar_feed", "calendar-feed", "allowed", 200)
    assert (entry.actor_id, entry.role, entry.clinic_id) == (me.id, "patient", me.clinic_id)
    assert entry.subjects == (course.header.patient_id,)
    assert entry.target == f"/calendar/{new.row.id}_****.ics"
    secret_part = new.secret.split("_", 1)[1]
    assert "GET /calendar/{secret}.ics 200" in logged
    assert secret_part not in logged and new.row.id not in logged


def test_an_unknown_or_revoked_link_is_the_same_404_over_http_and_audited_as_denied(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor], served: str) -> None:
    _, me = ready
    new = calendar_feeds.create_feed(**feed_kw(clinic, me))
    calendar_feeds.revoke_feed(new.row.id, **feed_kw(clinic, me))
    before = len(entries(clinic))
    revoked = httpx.get(f"{served}/calendar/{new.secret}.ics")
    unknown = httpx.get(f"{served}/calendar/{'z' * 16}_{'Q' * 43}.ics")
    misshapen = httpx.get(f"{served}/calendar/nonsense.ics")
    assert revoked.status_code == unknown.status_code == misshapen.status_code == 404
    assert revoked.json() == unknown.json() == misshapen.json()
    assert revoked.json()["detail"] == "no such calendar"
    made = entries(clinic)[before:]
    assert [(e.action, e.outcome, e.status, e.subjects, e.actor_id) for e in made] == [
        ("calendar_feed", "denied", 404, (), None)] * 3
    assert [e.target for e in made] == [f"/calendar/{new.row.id}_****.ics",
                                        f"/calendar/{'z' * 16}_****.ics", "/calendar/****.ics"]


def _signed_in(clinic: Clinic, served: str, username: str) -> httpx.Client:
    signed = sign_in(username, PASSWORD, address=None, uows=clinic.uows, clock=clinic.clock,
                     policy=clinic.security)
    client = httpx.Client(base_url=served, follow_redirects=False)
    client.cookies.set("isocourse_session", signed.secret)
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_patient_makes_a_link_on_the_page_sees_it_once_and_turns_it_off(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor], served: str) -> None:
    with _signed_in(clinic, served, "pat") as browser:
        page = browser.get("/me/reminders")
        assert page.status_code == 200
        assert "Last day to collect your isotretinoin" in page.text
        assert "You have no calendar links in use" in page.text
        made = browser.post("/me/reminders/links", data={"csrf_token": _csrf(page.text)})
        assert made.status_code == 201
        assert made.headers["cache-control"] == "no-store"
        link = re.search(r'id="feed-link"[^>]*value="([^"]+)"', made.text)
        assert link is not None
        url = link.group(1)
        assert url.startswith(f"{served}/calendar/") and url.endswith(".ics")
        assert f'href="webcal://{url.removeprefix("http://")}"' in made.text
        assert httpx.get(url).status_code == 200
        again = browser.get("/me/reminders")
        secret = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert secret.split("_", 1)[1] not in again.text  # shown once only
        feed_id = secret.split("_", 1)[0]
        off = browser.post(f"/me/reminders/links/{feed_id}/revoke",
                           data={"csrf_token": _csrf(again.text)})
        assert (off.status_code, off.headers["location"]) == (303, "/me/reminders?revoked=1")
        assert "The calendar link was turned off" in browser.get(off.headers["location"]).text
        assert httpx.get(url).status_code == 404
        download = browser.get("/me/reminders.ics")
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment")
        assert b"BEGIN:VCALENDAR" in download.content


def test_a_prescriber_has_no_reminders_page_and_a_form_without_its_token_is_refused(
        clinic: Clinic, ready: tuple[LoadedCourse, Actor], served: str) -> None:
    add_account(clinic, "prescriber", "doc")
    with _signed_in(clinic, served, "doc") as browser:
        assert browser.get("/me/reminders").status_code == 403
    with _signed_in(clinic, served, "pat") as browser:
        assert browser.post("/me/reminders/links", data={"csrf_token": "x"}).status_code == 403
    assert calendar_feeds.list_feeds(uows=clinic.uows, actor=ready[1]) == []
