"""Calendar feed links over the in-memory unit of work: shown once and stored as a digest,
opened only by the exact secret, read-only, ended by revoking or by disabling the account."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isocourse.domain.errors import Forbidden, NotFound
from isocourse.services import calendar_feeds
from isocourse.services.access import Action, Role, may
from isocourse.services.ports import Actor, FixedClock
from isocourse.services.security.accounts import disable_user
from isocourse.services.security.secrets_ import digest
from isocourse.services.security.sessions import actor_of
from tests.unit.security.fakes import FakeUnitOfWorks
from tests.unit.security.people import ADMIN, add_person

pytestmark = pytest.mark.usefixtures("cheap_hashing")

SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def patient(uows: FakeUnitOfWorks, clock: FixedClock, name: str = "pat") -> Actor:
    return actor_of(add_person(uows, clock, name, Role.PATIENT))


def test_a_new_link_is_shown_once_and_only_its_digest_is_kept(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    me = patient(uows, clock)
    new = calendar_feeds.create_feed(uows=uows, clock=clock, actor=me)
    assert re.fullmatch(r"[a-z0-9]{16}_[A-Za-z0-9_-]{43}", new.secret)
    assert new.secret.startswith(new.row.id + "_")
    [stored] = uows.store.calendar_feeds.values()
    assert stored == new.row
    assert stored.secret_hash == digest(new.secret)
    random = new.secret.split("_", 1)[1]
    assert not any(random in str(v) for v in dataclasses.astuple(stored))
    assert (stored.patient_id, stored.created_by, stored.created_at) == (
        me.patient_id, me.id, clock.now())


def test_two_links_never_share_an_id_or_a_secret(uows: FakeUnitOfWorks,
                                                 clock: FixedClock) -> None:
    me = patient(uows, clock)
    made = [calendar_feeds.create_feed(uows=uows, clock=clock, actor=me) for _ in range(10)]
    assert len({m.row.id for m in made}) == len({m.secret for m in made}) == 10


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(17, 59), shift=st.integers(1, len(SECRET_ALPHABET) - 1),
       anything=st.text(max_size=80))
def test_only_the_exact_secret_opens_a_link(clock: FixedClock, position: int, shift: int,
                                            anything: str) -> None:
    uows = FakeUnitOfWorks()
    me = patient(uows, clock)
    new = calendar_feeds.create_feed(uows=uows, clock=clock, actor=me)
    was = SECRET_ALPHABET.index(new.secret[position])
    other = SECRET_ALPHABET[(was + shift) % len(SECRET_ALPHABET)]
    changed = new.secret[:position] + other + new.secret[position + 1:]
    for wrong in (changed, anything, new.secret.upper(), new.secret[:-1], new.row.id):
        if wrong == new.secret:
            continue
        with pytest.raises(NotFound, match=r"^no such calendar$"):
            calendar_feeds.resolve_feed(wrong, uows=uows, clock=clock)
    row, actor = calendar_feeds.resolve_feed(new.secret, uows=uows, clock=clock)
    assert row.id == new.row.id and actor.id == me.id


def test_a_links_reader_may_read_the_record_and_change_nothing(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    me = patient(uows, clock)
    new = calendar_feeds.create_feed(uows=uows, clock=clock, actor=me)
    _, reader = calendar_feeds.resolve_feed(new.secret, uows=uows, clock=clock)
    assert reader.patient_id == me.patient_id and reader.role == Role.PATIENT.value
    assert may(reader, Action.READ_RECORD)
    writes = [a for a in Action if a.scope.value != "read" and Role.PATIENT in a.roles]
    assert writes and not any(may(reader, a) for a in writes)
    with pytest.raises(Forbidden):  # a link cannot make another link
        calendar_feeds.create_feed(uows=uows, clock=clock, actor=reader)


def test_a_revoked_link_is_refused_at_once_and_revoking_again_keeps_the_first_time(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    me = patient(uows, clock)
    new = calendar_feeds.create_feed(uows=uows, clock=clock, actor=me)
    first = calendar_feeds.revoke_feed(new.row.id, uows=uows, clock=clock, actor=me)
    clock.instant = clock.now() + dt.timedelta(hours=1)
    again = calendar_feeds.revoke_feed(new.row.id, uows=uows, clock=clock, actor=me)
    assert first.revoked_at == again.revoked_at is not None
    with pytest.raises(NotFound):
        calendar_feeds.resolve_feed(new.secret, uows=uows, clock=clock)


def test_disabling_the_patients_account_ends_their_links(
        uows: FakeUnitOfWorks, clock: FixedClock) -> None:
    me = patient(uows, clock)
    new = calendar_feeds.create_feed(uows=uows, clock=clock, actor=me)
    disable_user("pat", uows=uows, clock=clock, actor=ADMIN)
    with pytest.raises(NotFound):
        calendar_feeds.resolve_feed(new.secret, uows=uows, clock=clock)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.PATIENT])
def test_no_other_role_makes_or_lists_links(uows: FakeUnitOfWorks, clock: FixedClock,
                                            role: Role) -> None:
    someone = actor_of(add_person(uows, clock, "someone", role))
    with pytest.raises(Forbidden):
        calendar_feeds.create_feed(uows=uows, clock=clock, actor=someone)
    with pytest.raises(Forbidden):
        calendar_feeds.list_feeds(uows=uows, actor=someone)
    assert uows.store.calendar_feeds == {}
