"""A patient's reminders as a calendar feed: secret links that a calendar app subscribes to.

Calendar apps cannot sign in or send headers, so the link itself is the credential. It is
made like an API token: the link ends in ``<id>_<secret>``, the id finds the stored row,
and the SHA-256 of the whole ``<id>_<secret>`` must match the stored digest (compared in
constant time). The secret is shown once, when the link is made, and never stored.

A link reads the record as the patient account that made it, limited to reading (the
``read`` scope), and shows only what the patient's current course has due and the last day
of its open window. It stops working when the patient revokes it, when that account is
disabled, or when the account is no longer linked to the patient. It does not expire by
itself: a calendar subscription is meant to last for the course. Unknown, revoked and
ended links all get the same answer (:class:`NotFound`, one message).

Only a patient signed in (not an API token) makes, lists and revokes their own links
(:attr:`Action.MANAGE_CALENDAR_FEEDS`). Reading a feed is a read of the patient's record:
the units of work the face passes note the patient for the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from isocourse.domain.errors import Conflict, Forbidden, Hidden, NotFound
from isocourse.rules.model import DueItem, Window
from isocourse.services.access import Action, Scope, require
from isocourse.services.assessments import assess_loaded
from isocourse.services.course_store import load_course, load_patient
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory
from isocourse.services.security.secrets_ import digest, new_secret
from isocourse.services.security.sessions import actor_of
from isocourse.services.stored_calendar import CalendarFeedRow

__all__ = [
    "MAX_ACTIVE_FEEDS",
    "FeedReminders",
    "NewFeed",
    "create_feed",
    "feed_id_of",
    "list_feeds",
    "reminders",
    "resolve_feed",
    "revoke_feed",
]

#: The most links a patient may have in use at once (a design default: one per calendar
#: app or device is plenty; it bounds what a repeated form submission can make).
MAX_ACTIVE_FEEDS = 10
#: ``last_used_at`` is written at most this often, so that a calendar app that polls
#: often does not turn every read into a write.
_TOUCH_EVERY = dt.timedelta(minutes=1)
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SECRET = re.compile(r"([a-z0-9]{16})_([A-Za-z0-9_-]{43})")
_UNKNOWN = "no such calendar"


@dataclass(frozen=True, slots=True)
class NewFeed:
    """A link just made: ``secret`` (``<id>_<random>``) is shown this once."""

    secret: str
    row: CalendarFeedRow


@dataclass(frozen=True, slots=True)
class FeedReminders:
    """What a patient's calendar holds today: the due items of their current course (the
    latest one, which may have ended and still have tests due) and its open window."""

    patient_id: str
    course_id: str | None
    due: tuple[DueItem, ...]
    window: Window | None
    as_of: dt.date


def feed_id_of(secret: str) -> str | None:
    """The id part of something shaped like a link's secret, or None (for the audit
    trail, which keeps the id and never the secret)."""
    match = _SECRET.fullmatch(secret)
    return match.group(1) if match is not None else None


def _own_patient(actor: Actor) -> str:
    require(actor, Action.MANAGE_CALENDAR_FEEDS)
    if actor.scopes is not None:
        raise Forbidden("calendar links are made in the browser, not with an API token")
    if actor.patient_id is None:  # pragma: no cover - a patient account always has one
        raise NotFound("no patient record is linked to this account")
    return actor.patient_id


def create_feed(*, uows: UnitOfWorkFactory, clock: Clock, actor: Actor) -> NewFeed:
    """Make a new link to the signed-in patient's reminders."""
    patient_id = _own_patient(actor)
    with uows(write=True) as uow:
        patient = load_patient(uow, patient_id, actor)
        active = [f for f in uow.calendar_feeds.of_patient(patient.id) if f.active]
        if len(active) >= MAX_ACTIVE_FEEDS:
            raise Conflict(f"you already have {len(active)} calendar links in use (the most "
                           "allowed); turn off one you no longer use first")
        feed_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
        secret = f"{feed_id}_{new_secret(32)}"
        row = CalendarFeedRow(id=feed_id, secret_hash=digest(secret), patient_id=patient.id,
                              clinic_id=patient.clinic_id, created_by=actor.id,
                              created_at=clock.now())
        uow.calendar_feeds.add(row)
        uow.commit()
    return NewFeed(secret, row)


def list_feeds(*, uows: UnitOfWorkFactory, actor: Actor) -> Sequence[CalendarFeedRow]:
    """The signed-in patient's links, oldest first, revoked ones included."""
    patient_id = _own_patient(actor)
    with uows() as uow:
        patient = load_patient(uow, patient_id, actor)
        return list(uow.calendar_feeds.of_patient(patient.id))


def revoke_feed(feed_id: str, *, uows: UnitOfWorkFactory, clock: Clock,
                actor: Actor) -> CalendarFeedRow:
    """Turn off one of one's own links (at once: the next read of it is refused). Turning
    off a link already off changes nothing."""
    patient_id = _own_patient(actor)
    with uows(write=True) as uow:
        row = uow.calendar_feeds.get(feed_id)
        if row is None:
            raise NotFound("no such calendar link")
        if row.patient_id != patient_id:  # someone else's: the attempt is audited as denied
            raise Hidden("no such calendar link")
        load_patient(uow, patient_id, actor)
        uow.calendar_feeds.revoke(feed_id, clock.now())
        revoked = uow.calendar_feeds.get(feed_id)
        uow.commit()
    assert revoked is not None
    return revoked


def resolve_feed(secret: str, *, uows: UnitOfWorkFactory,
                 clock: Clock) -> tuple[CalendarFeedRow, Actor]:
    """The link named by ``secret`` and the actor its feed reads as (the patient account
    that made it, read-only), or :class:`NotFound` with one message for every reason.
    ``uows`` need not be audited (the caller audits the read that follows)."""
    match = _SECRET.fullmatch(secret)
    if match is None:
        raise NotFound(_UNKNOWN)
    now = clock.now()
    with uows() as uow:
        row = uow.calendar_feeds.get(match.group(1))
        user = uow.users.get(row.created_by) if row is not None else None
    if row is None or user is None or not hmac.compare_digest(row.secret_hash, digest(secret)):
        raise NotFound(_UNKNOWN)
    if row.revoked_at is not None or not user.active or user.patient_id != row.patient_id:
        raise NotFound(_UNKNOWN)
    if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
        with uows(write=True) as uow:
            uow.calendar_feeds.touch(row.id, now)
            uow.commit()
    return row, actor_of(user, frozenset({Scope.READ.value}))


def reminders(*, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
              rules: Rulebook) -> FeedReminders:
    """What the patient's calendar holds today (the signed-in patient's, or a feed's
    actor's): the assessment of their latest course as of today in the clinic's zone."""
    require(actor, Action.READ_RECORD)
    if actor.patient_id is None:
        raise NotFound("reminders are a patient's own; this account has no patient record")
    today = clock.today()
    with uows() as uow:
        patient = load_patient(uow, actor.patient_id, actor)
        latest = max(uow.courses.of_patient(patient.id), key=lambda h: h.number, default=None)
        course = load_course(uow, latest.id, actor, rules) if latest is not None else None
    if course is None:
        return FeedReminders(patient.id, None, (), None, today)
    assessment = assess_loaded(course, today, rules)
    return FeedReminders(patient.id, course.header.id, tuple(assessment.due),
                         assessment.window, today)
