"""Sessions after sign-in: who they resolve to, and when they end (idle time, maximum age,
sign-out, a disabled account, a changed or reset password)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from isocourse.domain.errors import NotAuthenticated
from isocourse.services.access import Role
from isocourse.services.ports import FixedClock
from isocourse.services.security.accounts import (
    change_own_password,
    disable_user,
    reset_password,
)
from isocourse.services.security.policy import SecurityPolicy
from isocourse.services.security.secrets_ import digest
from isocourse.services.security.sessions import (
    actor_of,
    resolve_session,
    sign_in,
    sign_out,
)
from tests.unit.security.conftest import START
from tests.unit.security.fakes import FakeUnitOfWorks
from tests.unit.security.people import ADMIN, PASSWORD, add_person

pytestmark = pytest.mark.usefixtures("cheap_hashing")

MINUTE = dt.timedelta(minutes=1)
NEW_PASSWORD = "an entirely new phrase 42"


def signed_in(uows: FakeUnitOfWorks, clock: FixedClock, name: str = "alice",
              role: Role = Role.PRESCRIBER) -> str:
    if not any(u.username == name for u in uows.store.users.values()):
        add_person(uows, clock, name, role)
    return sign_in(name, PASSWORD, address=None, uows=uows, clock=clock,
                   policy=SecurityPolicy()).secret


def resolves(uows: FakeUnitOfWorks, clock: FixedClock, secret: str) -> bool:
    try:
        resolve_session(secret, uows=uows, clock=clock, policy=SecurityPolicy())
    except NotAuthenticated:
        return False
    return True


def at(clock: FixedClock, offset: dt.timedelta) -> None:
    clock.instant = START + offset


def test_a_session_resolves_to_the_signed_in_person_without_scopes(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    secret = signed_in(uows, clock, "pat", Role.PATIENT)
    actor, session = resolve_session(secret, uows=uows, clock=clock, policy=SecurityPolicy())
    user = uows.store.users[session.user_id]
    assert actor == actor_of(user)
    assert (actor.role, actor.patient_id, actor.clinic_id, actor.scopes) == (
        "patient", "pid-pat", "main", None)


def test_a_session_ends_after_the_idle_time_without_a_request(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    busy, idle = signed_in(uows, clock), signed_in(uows, clock, "bob")
    at(clock, 30 * MINUTE - dt.timedelta(microseconds=1))
    assert resolves(uows, clock, busy)
    at(clock, 30 * MINUTE)
    assert not resolves(uows, clock, idle)  # idle exactly the idle time
    assert resolves(uows, clock, busy)


def test_using_a_session_moves_its_idle_deadline_on(uows: FakeUnitOfWorks,
                                                    clock: FixedClock) -> None:
    secret = signed_in(uows, clock)
    for minutes in range(20, 20 * 10, 20):
        at(clock, minutes * MINUTE)
        assert resolves(uows, clock, secret)
    assert uows.store.sessions[digest(secret)].last_seen_at == START + 180 * MINUTE
    at(clock, 210 * MINUTE)
    assert not resolves(uows, clock, secret)


def test_the_idle_deadline_is_written_at_most_once_a_minute(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    secret = signed_in(uows, clock)
    commits = uows.store.commits
    at(clock, 59 * dt.timedelta(seconds=1))
    assert resolves(uows, clock, secret)
    assert uows.store.commits == commits
    at(clock, MINUTE)
    assert resolves(uows, clock, secret)
    assert uows.store.commits == commits + 1


def test_a_session_ends_at_its_maximum_age_however_busy(uows: FakeUnitOfWorks,
                                                        clock: FixedClock) -> None:
    secret = signed_in(uows, clock)
    for minutes in range(10, 12 * 60, 10):
        at(clock, minutes * MINUTE)
        assert resolves(uows, clock, secret)
    at(clock, dt.timedelta(hours=12))
    assert not resolves(uows, clock, secret)


def test_signing_out_ends_the_session_and_only_that_one(uows: FakeUnitOfWorks,
                                                        clock: FixedClock) -> None:
    phone, laptop = signed_in(uows, clock), signed_in(uows, clock)
    sign_out(phone, uows=uows, clock=clock)
    assert not resolves(uows, clock, phone)
    assert resolves(uows, clock, laptop)
    sign_out(phone, uows=uows, clock=clock)  # twice is harmless
    sign_out("never issued", uows=uows, clock=clock)


def test_disabling_an_account_ends_its_sessions(uows: FakeUnitOfWorks,
                                                clock: FixedClock) -> None:
    secret = signed_in(uows, clock)
    disable_user("alice", uows=uows, clock=clock, actor=ADMIN)
    assert not resolves(uows, clock, secret)


def test_a_session_of_a_disabled_account_is_refused_even_if_not_revoked(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    secret = signed_in(uows, clock)
    user = next(iter(uows.store.users.values()))
    uows.store.users[user.id] = dataclasses.replace(user, disabled_at=START)
    assert not resolves(uows, clock, secret)


def test_an_admins_password_reset_ends_every_session(uows: FakeUnitOfWorks,
                                                     clock: FixedClock) -> None:
    first, second = signed_in(uows, clock), signed_in(uows, clock)
    reset_password("alice", NEW_PASSWORD, uows=uows, clock=clock, actor=ADMIN,
                   policy=SecurityPolicy())
    assert not resolves(uows, clock, first) and not resolves(uows, clock, second)


def test_changing_ones_own_password_ends_every_session(uows: FakeUnitOfWorks,
                                                       clock: FixedClock) -> None:
    secret = signed_in(uows, clock)
    actor, _ = resolve_session(secret, uows=uows, clock=clock, policy=SecurityPolicy())
    change_own_password(PASSWORD, NEW_PASSWORD, uows=uows, clock=clock, actor=actor,
                        policy=SecurityPolicy())
    assert not resolves(uows, clock, secret)
    assert sign_in("alice", NEW_PASSWORD, address=None, uows=uows, clock=clock,
                   policy=SecurityPolicy()).user.username == "alice"


@pytest.mark.parametrize("mangle", [
    lambda s: s + "x", lambda s: s[:-1], lambda s: s.upper(), lambda s: "", lambda s: " " + s,
    lambda s: digest(s),
])
def test_an_altered_or_unknown_session_id_is_refused(uows: FakeUnitOfWorks, clock: FixedClock,
                                                     mangle: Callable[[str], str]) -> None:
    secret = signed_in(uows, clock)
    assert not resolves(uows, clock, mangle(secret))


def test_the_idle_time_and_maximum_age_are_the_policys(uows: FakeUnitOfWorks,
                                                       clock: FixedClock) -> None:
    short = SecurityPolicy(session_idle=dt.timedelta(minutes=5),
                           session_max=dt.timedelta(minutes=8))
    add_person(uows, clock, "alice")
    secret = sign_in("alice", PASSWORD, address=None, uows=uows, clock=clock,
                     policy=short).secret
    at(clock, 4 * MINUTE)
    resolve_session(secret, uows=uows, clock=clock, policy=short)
    at(clock, 8 * MINUTE)
    with pytest.raises(NotAuthenticated):
        resolve_session(secret, uows=uows, clock=clock, policy=short)
