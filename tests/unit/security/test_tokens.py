"""API tokens: made by a signed-in person, shown once and stored as a digest, limited to
their scopes, ending when they expire or are revoked or their owner is disabled."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from isocourse.services.access import Role
from isocourse.services.ports import Actor, FixedClock
from isocourse.services.security.accounts import disable_user, reset_password
from isocourse.services.security.policy import SecurityPolicy
from isocourse.services.security.secrets_ import digest
from isocourse.services.security.sessions import actor_of
from isocourse.services.security.tokens import (
    NewToken,
    create_token,
    list_tokens,
    resolve_token,
    revoke_token,
)
from tests.unit.security.conftest import START
from tests.unit.security.fakes import FakeUnitOfWorks
from tests.unit.security.people import ADMIN, add_person

pytestmark = pytest.mark.usefixtures("cheap_hashing")

FORMAT = re.compile(r"isc_[a-z0-9]{16}_[A-Za-z0-9_-]{43}")
SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def person(uows: FakeUnitOfWorks, clock: FixedClock, role: Role = Role.PRESCRIBER,
           name: str = "alice") -> Actor:
    return actor_of(add_person(uows, clock, name, role))


def make(uows: FakeUnitOfWorks, clock: FixedClock, actor: Actor,
         scopes: list[str] | None = None, days: int | None = 30,
         name: str = "pharmacy system") -> NewToken:
    return create_token(name, scopes if scopes is not None else ["read"],
                        expires_in_days=days, uows=uows, clock=clock, actor=actor,
                        policy=SecurityPolicy())


def refused(uows: FakeUnitOfWorks, clock: FixedClock, token: str) -> bool:
    try:
        resolve_token(token, uows=uows, clock=clock)
    except NotAuthenticated as error:
        assert error.message == "the API token is not valid (unknown, expired or revoked)"
        return True
    return False


def test_a_token_has_the_documented_form_and_only_its_digest_is_kept(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    made = make(uows, clock, person(uows, clock))
    assert FORMAT.fullmatch(made.secret)
    assert made.secret.split("_")[1] == made.row.id
    assert made.row.prefix == made.secret[:12]
    assert made.row.token_hash == digest(made.secret)
    assert made.secret not in repr(uows.store)
    assert uows.store.tokens[made.row.id] == made.row


def test_tokens_are_all_different(uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    alice = person(uows, clock)
    secrets = {make(uows, clock, alice).secret for _ in range(20)}
    assert len(secrets) == 20
    assert len({s.split("_")[1] for s in secrets}) == 20


def test_a_token_acts_as_its_owner_limited_to_its_scopes(uows: FakeUnitOfWorks,
                                                         clock: FixedClock) -> None:
    alice = person(uows, clock, Role.PHARMACIST)
    made = make(uows, clock, alice, ["dispense", "read", "read"])
    assert made.row.scopes == ("dispense", "read")
    actor = resolve_token(made.secret, uows=uows, clock=clock)
    assert actor == dataclasses.replace(alice, scopes=frozenset({"read", "dispense"}))


def test_using_a_token_notes_when_at_most_once_a_minute(uows: FakeUnitOfWorks,
                                                        clock: FixedClock) -> None:
    made = make(uows, clock, person(uows, clock))
    resolve_token(made.secret, uows=uows, clock=clock)
    assert uows.store.tokens[made.row.id].last_used_at == START
    clock.instant = START + dt.timedelta(seconds=59)
    resolve_token(made.secret, uows=uows, clock=clock)
    assert uows.store.tokens[made.row.id].last_used_at == START
    clock.instant = START + dt.timedelta(minutes=1)
    resolve_token(made.secret, uows=uows, clock=clock)
    assert uows.store.tokens[made.row.id].last_used_at == clock.instant


@pytest.mark.parametrize(("days", "lasts"), [(1, 1), (30, 30), (365, 365), (None, 90)])
def test_a_token_expires_after_its_days(uows: FakeUnitOfWorks, clock: FixedClock,
                                        days: int | None, lasts: int) -> None:
    made = make(uows, clock, person(uows, clock), days=days)
    assert made.row.expires_at == START + dt.timedelta(days=lasts)
    clock.instant = made.row.expires_at - dt.timedelta(microseconds=1)
    assert not refused(uows, clock, made.secret)
    clock.instant = made.row.expires_at
    assert refused(uows, clock, made.secret)


def test_a_revoked_token_is_refused_and_the_others_still_work(uows: FakeUnitOfWorks,
                                                              clock: FixedClock) -> None:
    alice = person(uows, clock)
    first, second = make(uows, clock, alice), make(uows, clock, alice)
    row = revoke_token(first.row.id, uows=uows, clock=clock, actor=alice)
    assert row.revoked_at == START
    assert refused(uows, clock, first.secret)
    assert not refused(uows, clock, second.secret)


def test_no_one_revokes_or_sees_someone_elses_token(uows: FakeUnitOfWorks,
                                                    clock: FixedClock) -> None:
    alice, bob = person(uows, clock), person(uows, clock, name="bob")
    made = make(uows, clock, alice)
    with pytest.raises(NotFound):
        revoke_token(made.row.id, uows=uows, clock=clock, actor=bob)
    with pytest.raises(NotFound):
        revoke_token("nosuchtoken00000", uows=uows, clock=clock, actor=bob)
    assert list_tokens(uows=uows, actor=bob) == []
    assert [t.id for t in list_tokens(uows=uows, actor=alice)] == [made.row.id]
    assert not refused(uows, clock, made.secret)


def test_disabling_the_owner_or_resetting_their_password_ends_their_tokens(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    alice, bob = person(uows, clock), person(uows, clock, name="bob")
    token_a, token_b = make(uows, clock, alice), make(uows, clock, bob)
    disable_user("alice", uows=uows, clock=clock, actor=ADMIN)
    reset_password("bob", "an entirely new phrase 42", uows=uows, clock=clock, actor=ADMIN,
                   policy=SecurityPolicy())
    assert refused(uows, clock, token_a.secret)
    assert refused(uows, clock, token_b.secret)


def test_a_token_of_a_disabled_owner_is_refused_even_if_not_revoked(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    alice = person(uows, clock)
    made = make(uows, clock, alice)
    user = uows.store.users[alice.id]
    uows.store.users[alice.id] = dataclasses.replace(user, disabled_at=START)
    assert refused(uows, clock, made.secret)


@given(st.data())
def test_a_token_whose_secret_part_is_altered_is_refused(data: st.DataObject) -> None:
    """The id still finds the stored token; the digest comparison must refuse it."""
    uows, clock = FakeUnitOfWorks(), FixedClock(START.date(), START)
    made = make(uows, clock, person(uows, clock))
    position = data.draw(st.integers(len("isc_") + 17, len(made.secret) - 1), label="at")
    char = data.draw(st.sampled_from(SECRET_ALPHABET).filter(
        lambda c: c != made.secret[position]), label="char")
    altered = made.secret[:position] + char + made.secret[position + 1:]
    assert FORMAT.fullmatch(altered)
    assert not refused(uows, clock, made.secret)
    assert refused(uows, clock, altered)


@pytest.mark.parametrize("token", [
    "", "isc_", "Bearer isc_x", "isc_abcdefghijklmnop_" + "a" * 42,
    "isc_abcdefghijklmnop_" + "a" * 44, "isc_abcdefghijklmno_" + "a" * 43,
    "isc_abcdefghijklmnop_" + "a" * 42 + "=", " isc_abcdefghijklmnop_" + "a" * 43,
    "isc_abcdefghijklmnop_" + "a" * 43,  # well formed, unknown
])
def test_malformed_and_unknown_tokens_are_refused(uows: FakeUnitOfWorks, clock: FixedClock,
                                                  token: str) -> None:
    assert refused(uows, clock, token)


def test_a_token_cannot_make_another_token(uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    alice = person(uows, clock)
    program = resolve_token(make(uows, clock, alice, ["read", "write"]).secret, uows=uows,
                            clock=clock)
    with pytest.raises(Forbidden):
        make(uows, clock, program)
    with pytest.raises(Forbidden):
        make(uows, clock, dataclasses.replace(alice, scopes=frozenset()))


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "bogus"], ["READ"], [""],
                                    ["read "]])
def test_unknown_or_no_scopes_are_refused(uows: FakeUnitOfWorks, clock: FixedClock,
                                          scopes: list[str]) -> None:
    with pytest.raises(InvalidInput) as error:
        make(uows, clock, person(uows, clock), scopes)
    assert error.value.field == "scopes"
    assert uows.store.tokens == {}


@pytest.mark.parametrize(("role", "allowed"), [
    (Role.PHARMACIST, True), (Role.PRESCRIBER, True), (Role.DELEGATE, False),
    (Role.ADMIN, False), (Role.PATIENT, False)])
def test_only_pharmacists_and_prescribers_get_the_dispense_scope(
        uows: FakeUnitOfWorks, clock: FixedClock, role: Role, allowed: bool) -> None:
    owner = person(uows, clock, role)
    if allowed:
        assert make(uows, clock, owner, ["dispense"]).row.scopes == ("dispense",)
    else:
        with pytest.raises(InvalidInput) as error:
            make(uows, clock, owner, ["read", "dispense"])
        assert error.value.field == "scopes"
        assert make(uows, clock, owner, ["read", "write"]).row.scopes == ("read", "write")


@pytest.mark.parametrize("days", [0, -1, 366, 10_000])
def test_an_expiry_outside_one_day_to_the_policys_maximum_is_refused(
        uows: FakeUnitOfWorks, clock: FixedClock, days: int) -> None:
    with pytest.raises(InvalidInput) as error:
        make(uows, clock, person(uows, clock), days=days)
    assert error.value.field == "expires_in_days"


def test_the_longest_expiry_is_the_policys(uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    short = SecurityPolicy(token_max_days=7, token_default_days=3)
    alice = person(uows, clock)
    with pytest.raises(InvalidInput):
        create_token("t", ["read"], expires_in_days=8, uows=uows, clock=clock, actor=alice,
                     policy=short)
    made = create_token("t", ["read"], expires_in_days=None, uows=uows, clock=clock,
                        actor=alice, policy=short)
    assert made.row.expires_at == START + dt.timedelta(days=3)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "line\nbreak", "tab\there"])
def test_a_token_needs_a_short_printable_name(uows: FakeUnitOfWorks, clock: FixedClock,
                                              name: str) -> None:
    with pytest.raises(InvalidInput) as error:
        make(uows, clock, person(uows, clock), name=name)
    assert error.value.field == "name"


def test_a_tokens_name_is_trimmed(uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    assert make(uows, clock, person(uows, clock), name="  till 3 ").row.name == "till 3"
