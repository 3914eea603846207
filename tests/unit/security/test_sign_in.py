"""Signing in, and the throttle on failed sign-ins: counted per user name and per address,
locked past the policy's limit (unknown names alike), released after the lockout,
forgotten after the window, cleared by a success."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import SignInFailed, SignInLocked
from isocourse.services.access import Role
from isocourse.services.ports import FixedClock
from isocourse.services.security.accounts import disable_user
from isocourse.services.security.passwords import verify_password
from isocourse.services.security.policy import SecurityPolicy
from isocourse.services.security.secrets_ import digest
from isocourse.services.security.sessions import SignedIn, sign_in
from tests.unit.security.conftest import START
from tests.unit.security.fakes import FakeUnitOfWorks
from tests.unit.security.people import ADMIN, PASSWORD, add_person

pytestmark = pytest.mark.usefixtures("cheap_hashing")

WRONG = "not the password at all"
MINUTE = dt.timedelta(minutes=1)


def attempt(uows: FakeUnitOfWorks, clock: FixedClock, name: str, password: str, *,
            address: str | None = "10.0.0.1",
            policy: SecurityPolicy | None = None) -> SignedIn:
    return sign_in(name, password, address=address, uows=uows, clock=clock,
                   policy=policy or SecurityPolicy())


def fail(uows: FakeUnitOfWorks, clock: FixedClock, name: str, times: int = 1,
         **kw: str | None) -> None:
    for _ in range(times):
        with pytest.raises(SignInFailed):
            attempt(uows, clock, name, WRONG, **kw)  # type: ignore[arg-type]


def locked_for(uows: FakeUnitOfWorks, clock: FixedClock, name: str,
               password: str = PASSWORD, **kw: str | None) -> int:
    with pytest.raises(SignInLocked) as locked:
        attempt(uows, clock, name, password, **kw)  # type: ignore[arg-type]
    return locked.value.retry_after


def test_signs_in_with_a_new_session_stored_only_as_the_digest_of_its_id(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    alice = add_person(uows, clock, "alice")
    first = attempt(uows, clock, "alice", PASSWORD)
    second = attempt(uows, clock, "alice", PASSWORD)
    assert first.user.id == second.user.id == alice.id
    assert first.secret != second.secret
    assert first.session.csrf_token != second.session.csrf_token
    assert set(uows.store.sessions) == {digest(first.secret), digest(second.secret)}
    assert first.secret not in repr(uows.store)
    assert first.session.created_at == first.session.last_seen_at == START
    assert first.session.expires_at == START + dt.timedelta(hours=12)


def test_the_user_name_is_matched_without_regard_to_case_or_surrounding_spaces(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    assert attempt(uows, clock, "  Alice ", PASSWORD).user.username == "alice"


def test_a_wrong_password_an_unknown_name_and_a_disabled_account_are_refused_alike(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    add_person(uows, clock, "bob")
    disable_user("bob", uows=uows, clock=clock, actor=ADMIN)
    messages = set()
    for name, password in (("alice", WRONG), ("nobody", PASSWORD), ("bob", PASSWORD),
                           ("", PASSWORD)):
        with pytest.raises(SignInFailed) as refused:
            attempt(uows, clock, name, password)
        messages.add((type(refused.value), refused.value.message))
    assert messages == {(SignInFailed, "the user name or password is wrong")}
    assert uows.store.sessions == {}


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "bob")
    before = attempt(uows, clock, "bob", PASSWORD)
    disable_user("bob", uows=uows, clock=clock, actor=ADMIN)
    fail(uows, clock, "bob")
    with pytest.raises(SignInFailed):
        attempt(uows, clock, "bob", PASSWORD)
    assert uows.store.sessions[digest(before.secret)].revoked_at == START


def test_locks_a_name_after_the_policys_number_of_failures_even_for_the_right_password(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    fail(uows, clock, "alice", 4)
    clock.instant = START + MINUTE
    fail(uows, clock, "alice")  # the fifth: the name is locked from now on
    assert locked_for(uows, clock, "alice") == 15 * 60
    clock.instant = START + 11 * MINUTE
    assert locked_for(uows, clock, "alice") == 5 * 60
    assert locked_for(uows, clock, "alice", WRONG) == 5 * 60  # not counted while locked
    clock.instant = START + 16 * MINUTE - dt.timedelta(milliseconds=400)
    assert locked_for(uows, clock, "alice") == 1  # rounded up, never 0


def test_the_lock_is_released_once_the_lockout_has_passed(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    fail(uows, clock, "alice", 5)
    clock.instant = START + 15 * MINUTE
    assert attempt(uows, clock, "alice", PASSWORD).user.username == "alice"


def test_the_lockout_is_the_policys(uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    policy = SecurityPolicy(max_failures=2, lockout=dt.timedelta(minutes=3))
    add_person(uows, clock, "alice")
    fail(uows, clock, "alice", 2, policy=policy)  # type: ignore[arg-type]
    assert locked_for(uows, clock, "alice", policy=policy) == 180  # type: ignore[arg-type]


def test_unknown_names_are_locked_exactly_like_real_ones(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    fail(uows, clock, "alice", 5, address="10.0.0.1")
    fail(uows, clock, "mallory", 5, address="10.0.0.2")
    assert locked_for(uows, clock, "alice", address="10.0.0.3") == \
        locked_for(uows, clock, "mallory", address="10.0.0.4") == 15 * 60
    # what is kept names neither the user name nor the address
    assert not any("mallory" in key or "10.0.0" in key for key in uows.store.throttle)


def test_failures_older_than_the_window_are_forgotten(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    fail(uows, clock, "alice", 4)
    clock.instant = START + 15 * MINUTE + dt.timedelta(seconds=1)
    fail(uows, clock, "alice", 4)  # eight failures, but never five within the window
    assert attempt(uows, clock, "alice", PASSWORD).user.username == "alice"


def test_failures_within_the_window_add_up(uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    fail(uows, clock, "alice", 4)
    clock.instant = START + 15 * MINUTE  # exactly the window: still within it
    fail(uows, clock, "alice")
    assert locked_for(uows, clock, "alice") == 15 * 60


def test_a_successful_sign_in_clears_the_names_failures(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    fail(uows, clock, "alice", 4)
    attempt(uows, clock, "alice", PASSWORD)
    assert not any(key.startswith("user:") for key in uows.store.throttle)
    fail(uows, clock, "alice", 4)
    assert attempt(uows, clock, "alice", PASSWORD).user.username == "alice"


def test_failures_of_one_name_do_not_lock_another(uows: FakeUnitOfWorks,
                                                  clock: FixedClock) -> None:
    add_person(uows, clock, "alice")
    fail(uows, clock, "mallory", 5)
    assert attempt(uows, clock, "alice", PASSWORD).user.username == "alice"


def test_an_address_is_locked_after_its_own_limit_whatever_the_names(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    policy = SecurityPolicy(max_failures_per_address=3)
    add_person(uows, clock, "alice")
    for name in ("x1", "x2", "x3"):
        fail(uows, clock, name, policy=policy)  # type: ignore[arg-type]
    assert locked_for(uows, clock, "alice", policy=policy) == 15 * 60  # type: ignore[arg-type]
    # from another address the same person signs in
    assert attempt(uows, clock, "alice", PASSWORD, address="10.9.9.9",
                   policy=policy).user.username == "alice"


def test_without_an_address_only_the_name_is_counted(uows: FakeUnitOfWorks,
                                                     clock: FixedClock) -> None:
    fail(uows, clock, "mallory", 2, address=None)
    assert [k.split(":")[0] for k in uows.store.throttle] == ["user"]


def test_sign_in_upgrades_a_hash_made_with_older_parameters(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    alice = add_person(uows, clock, "alice")
    old = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1).hash(PASSWORD)
    uows.store.users[alice.id] = dataclasses.replace(alice, password_hash=old)
    attempt(uows, clock, "alice", PASSWORD)
    upgraded = uows.store.users[alice.id].password_hash
    assert upgraded != old and verify_password(upgraded, PASSWORD)


def test_a_patient_and_a_delegate_sign_in_as_themselves(uows: FakeUnitOfWorks,
                                                        clock: FixedClock) -> None:
    patient = attempt(uows, clock, add_person(uows, clock, "pat", Role.PATIENT).username,
                      PASSWORD).user
    delegate = attempt(uows, clock, add_person(uows, clock, "dana", Role.DELEGATE).username,
                       PASSWORD).user
    assert patient.patient_id == "pid-pat"
    assert delegate.on_behalf_of == uows.store.users[delegate.on_behalf_of or ""].id


_gaps = st.lists(st.integers(0, 15 * 60), min_size=1, max_size=8)


@given(_gaps, st.booleans())
def test_a_name_is_locked_exactly_when_the_limit_is_reached_within_the_window(
        gaps: list[int], known: bool) -> None:
    """Failures a few seconds to minutes apart: locked once the policy's count is reached
    while the first of them is at most the window old; the lock lasts the lockout."""
    policy = SecurityPolicy()
    uows = FakeUnitOfWorks()
    clock = FixedClock(START.date(), START)
    if known:
        add_person(uows, clock, "alice")
    name = "alice" if known else "nobody"
    window_start, count, locked_until = START, 0, None
    now = START
    for gap in gaps:
        now += dt.timedelta(seconds=gap)
        clock.instant = now
        if locked_until is not None and now < locked_until:
            assert locked_for(uows, clock, name, WRONG, address=None) == \
                -(-(locked_until - now) // dt.timedelta(seconds=1))
            continue
        fail(uows, clock, name, address=None)
        if count == 0 or now - window_start > policy.failure_window:
            window_start, count = now, 0
        count += 1
        locked_until = now + policy.lockout if count >= policy.max_failures else None
    clock.instant = now + dt.timedelta(seconds=1)
    if locked_until is not None and clock.instant < locked_until:
        locked_for(uows, clock, name, address=None)
    elif known:
        assert attempt(uows, clock, name, PASSWORD, address=None).user.username == "alice"
