"""Fixtures for the accounts services over the in-memory fake unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from isocourse.services.ports import FixedClock
from isocourse.services.security import passwords
from isocourse.services.security.policy import SecurityPolicy
from tests.unit.security.fakes import FakeUnitOfWorks

#: When the tests' clock starts (the instant is moved by setting ``clock.instant``).
START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)

#: argon2id with the smallest parameters argon2-cffi accepts: the same code paths (hash,
#: verify, needs_rehash, the dummy hash for unknown names), in microseconds instead of the
#: ~0.5 s each of the real parameters.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START.date(), START)


@pytest.fixture
def uows() -> FakeUnitOfWorks:
    return FakeUnitOfWorks()


@pytest.fixture
def policy() -> SecurityPolicy:
    return SecurityPolicy()


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Swap the services' argon2 hasher for one with the cheapest parameters (a real
    hasher, not a mock), and forget the cached dummy hash on both sides."""
    passwords._dummy_hash.cache_clear()
    monkeypatch.setattr(passwords, "_HASHER", CHEAP_HASHER)
    yield
    passwords._dummy_hash.cache_clear()
