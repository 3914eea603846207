"""The patient's reminders in their own calendar app.

* ``GET /me/reminders`` - what the calendar holds today (tests, blood tests, visits and
  questionnaires due, and the last day of the pick-up window), the patient's calendar
  links, and a button to make one.
* ``POST /me/reminders/links`` - make a link; the answer shows it this once (it is never
  stored, so it cannot be shown again). This is the one form answered with a page instead
  of a redirect: the link must not travel in a URL. The page is not cached.
* ``POST /me/reminders/links/{feed_id}/revoke`` - turn a link off, then back to the page.
* ``GET /me/reminders.ics`` - today's calendar as a file, once (it does not update).
* ``GET /calendar/{secret}.ics`` - the feed itself, for calendar apps: no session, the
  link is the credential (``services/calendar_feeds.py``). Unknown, revoked and ended
  links get the same 404 (the API's problem document). Each read is audited as a read of
  the patient's record, with the link's id and never its secret (the access log line
  names only the route template). Reads are not rate-limited here: put a limit at the
  reverse proxy if needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from icalendar import Calendar

from isocourse.adapters.api.auth import access_of
from isocourse.adapters.api.deps import Ports
from isocourse.adapters.reports import reminder_calendar
from isocourse.adapters.reports.ics import DEFAULT_ALARM, REFRESH
from isocourse.adapters.web.forms import Form, empty_form
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Conflict, Hidden, NotFound
from isocourse.services import calendar_feeds
from isocourse.services.audit import describe_target
from isocourse.services.calendar_feeds import FeedReminders, NewFeed
from isocourse.services.stored_calendar import CalendarFeedRow

__all__ = ["CalendarEntry", "FeedLink", "alarm_words", "calendar_entries", "feed_links",
           "feed_target", "router"]

router = APIRouter(include_in_schema=False)

FEED_ROUTE = "/calendar/{secret}.ics"
_FILE_NAME = "isotretinoin-reminders.ics"
_ICS = "text/calendar; charset=utf-8"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One event of the calendar as the page lists it."""

    day: dt.date
    summary: str
    description: str


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A new link in the forms calendar apps take: ``https`` (Google, Outlook on the web)
    and ``webcal`` (opens the subscription in Apple Calendar or desktop Outlook)."""

    https: str
    webcal: str


def calendar_entries(ics: bytes) -> list[CalendarEntry]:
    """The events of a calendar, by day: the page shows exactly what the feed holds."""
    calendar = Calendar.from_ical(ics)
    assert isinstance(calendar, Calendar)
    entries = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("dtstart")
        day = start.date() if isinstance(start, dt.datetime) else start
        assert isinstance(day, dt.date)
        entries.append(CalendarEntry(day, str(event.get("summary", "")),
                                     str(event.get("description", ""))))
    return sorted(entries, key=lambda e: (e.day, e.summary))


def feed_links(base_url: str, secret: str) -> FeedLink:
    """The link to the feed at ``base_url`` (``https://clinic.example`` or with a path),
    and its ``webcal://`` form."""
    url = base_url.rstrip("/") + FEED_ROUTE.format(secret=secret)
    scheme, sep, rest = url.partition("://")
    return FeedLink(url, f"webcal://{rest}" if sep and scheme in ("http", "https") else url)


def feed_target(secret: str) -> str:
    """The audit trail's target of a feed read: the route with the link's id, the secret
    masked (as authorization codes are), or no id at all when the path is not a link."""
    feed_id = calendar_feeds.feed_id_of(secret)
    return describe_target(FEED_ROUTE, {"secret": f"{feed_id}_****" if feed_id else "****"})


def _calendar_bytes(clinic: Clinic, found: FeedReminders) -> bytes:
    return reminder_calendar(found.course_id or found.patient_id, found.due,
                             window=found.window, zone=clinic.settings.zone,
                             now=clinic.clock.now())


def _base_url(request: Request, clinic: Clinic) -> str:
    """The server's public address: the configured one (``cds_base_url``, the address
    browsers and other systems reach), else the one this request came to."""
    return clinic.settings.cds_base_url or str(request.base_url)


def _local(moment: dt.datetime | None, zone: ZoneInfo) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y}, {local:%H:%M}"


def alarm_words(alarm: dt.timedelta = DEFAULT_ALARM) -> str:
    """When an all-day event's alert fires, in words: ``at 09:00 the day before`` for
    an alarm 15 hours before the event's start (midnight)."""
    before = -alarm
    days_before = before.days + 1 if before.seconds else before.days
    since_midnight = dt.timedelta(days=days_before) - before
    hours, minutes = divmod(int(since_midnight.total_seconds()) // 60, 60)
    when = {0: "on the day", 1: "the day before"}.get(days_before,
                                                       f"{days_before} days before")
    return f"at {hours:02d}:{minutes:02d} {when}"


def _page(request: Request, ports: Ports, *, new: NewFeed | None = None,
          form: Form | None = None, flash: dict[str, str] | None = None,
          status: int = 200) -> Response:
    clinic = ports.clinic
    zone = clinic.settings.zone
    feeds = [f for f in calendar_feeds.list_feeds(**ports.read) if f.active]  # patients only
    found = calendar_feeds.reminders(**ports.kw)
    context = {
        "entries": calendar_entries(_calendar_bytes(clinic, found)),
        "has_course": found.course_id is not None,
        "feeds": [_feed_view(f, zone) for f in feeds],
        "max_feeds": calendar_feeds.MAX_ACTIVE_FEEDS,
        "new_link": feed_links(_base_url(request, clinic), new.secret) if new else None,
        "form": form or empty_form(),
        "alarm": alarm_words(),
        "refresh_hours": int(REFRESH.total_seconds() // 3600),
        "flash": flash,
    }
    response = render(request, "patient/reminders.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _feed_view(feed: CalendarFeedRow, zone: ZoneInfo) -> dict[str, str | None]:
    return {"id": feed.id, "made": _local(feed.created_at, zone),
            "last_read": _local(feed.last_used_at, zone)}


@router.get("/me/reminders")
def reminders_page(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    flash = {"kind": "ok", "text": "The calendar link was turned off. A calendar app that "
             "used it will stop getting updates."} \
        if request.query_params.get("revoked") == "1" else None
    return _page(request, ports, flash=flash)


@router.post("/me/reminders/links")
def make_link(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    try:
        new = calendar_feeds.create_feed(**ports.kw_no_rules)
    except Conflict as refused:
        form = empty_form()
        form.summary = refused.message[:1].upper() + refused.message[1:] + "."
        return _page(request, ports, form=form, status=409)
    return _page(request, ports, new=new, status=201)


@router.post("/me/reminders/links/{feed_id}/revoke")
def revoke_link(feed_id: str, user: WebUserDep, ports: WebPorts) -> Response:
    calendar_feeds.revoke_feed(feed_id, **ports.kw_no_rules)
    return RedirectResponse("/me/reminders?revoked=1", status_code=303)


@router.get("/me/reminders.ics")
def download_calendar(user: WebUserDep, ports: WebPorts) -> Response:
    found = calendar_feeds.reminders(**ports.kw)
    return Response(_calendar_bytes(ports.clinic, found), media_type=_ICS, headers={
        "Content-Disposition": f'attachment; filename="{_FILE_NAME}"',
        "Cache-Control": "no-store"})


@router.get(FEED_ROUTE, name="calendar_feed")
def calendar_feed(secret: str, request: Request) -> Response:
    """The feed a calendar app reads. Audited as a read of the patient's record."""
    clinic: Clinic = request.app.state.clinic
    access = access_of(request)
    if access is not None:
        access.action, access.target, access.via = "calendar_feed", feed_target(secret), \
            "calendar-feed"
    try:
        _, actor = calendar_feeds.resolve_feed(secret, uows=clinic.uows,
                                                  clock=clinic.clock)
        if access is not None:
            access.actor_id, access.role = actor.id, actor.role
            access.clinic_id = actor.clinic_id
        uows = clinic.uows if access is None else \
            clinic.uows.for_access(access, clinic.clock.now)
        found = calendar_feeds.reminders(uows=uows, clock=clinic.clock, actor=actor,
                                         rules=clinic.rules)
    except NotFound:  # unknown, revoked, ended, or the record out of the account's reach
        # One answer for all (the API's 404 problem document: /calendar/ is not a page),
        # recorded as denied.
        raise Hidden("no such calendar") from None
    return Response(_calendar_bytes(clinic, found), media_type=_ICS, headers={
        "Content-Disposition": f'inline; filename="{_FILE_NAME}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"})
