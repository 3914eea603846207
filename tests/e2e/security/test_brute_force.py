"""Guessing passwords: failures lock a user name (known or not, alike) and an address.

Sign-ins come from addresses chosen by the tests (127.x.y.z: the whole block is the loopback
interface), so that the per-address count of one test does not lock another's. The clinic
locks an address after 3 failures (the default is 50) to keep the test short; the guesses
at one name come from a new address each, as a spread-out attack's would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from isocourse.services.ports import FixedClock
from tests.e2e.security.world import (
    NOON,
    PASSWORD,
    World,
    add_person,
    clock_at_noon,
    no_cookies,
    serve_world,
    unique,
)
from tests.support.clinics import BACKENDS

WRONG = "not the password at all"
PER_ADDRESS = 3


@pytest.fixture(scope="module", params=BACKENDS)
def guarded(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"brute-force-{request.param}")
    with serve_world(request, request.param, folder,
                     sign_in_max_failures_per_address=PER_ADDRESS) as world:
        yield world


@pytest.fixture
def clock(guarded: World) -> Iterator[FixedClock]:
    with clock_at_noon(guarded) as clock:
        yield clock


def attempt(world: World, address: str, username: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=world.root + "/api/v1", timeout=30, cookies=no_cookies(),
                      transport=httpx.HTTPTransport(local_address=address)) as client:
        return client.post("/session", json={"username": username, "password": password})


def seen(answer: httpx.Response) -> tuple[int, Any, str | None, str | None]:
    """What an attacker can compare between two answers."""
    return (answer.status_code, answer.json(), answer.headers.get("retry-after"),
            answer.headers.get("www-authenticate"))


def test_five_failures_lock_a_name_known_or_unknown_alike_until_the_lockout_has_passed(
        guarded: World, clock: FixedClock) -> None:
    known = add_person(guarded.clinic, "guessed", "prescriber", "Gus Guessed").username
    unknown = unique("nobody")
    transcripts = {}
    for net, name in enumerate((known, unknown), start=2):
        answers = [attempt(guarded, f"127.{net}.0.{n}", name, WRONG) for n in range(1, 6)]
        answers.append(attempt(guarded, f"127.{net}.0.6", name, PASSWORD))
        transcripts[name] = [seen(a) for a in answers]
    failed, locked = transcripts[known][0], transcripts[known][-1]
    assert failed[0] == 401 and failed[1]["type"].endswith("/sign-in-failed")
    assert [t[0] for t in transcripts[known]] == [401] * 5 + [429]
    assert locked[1]["type"].endswith("/sign-in-locked") and locked[2] == "900"
    # No account enumeration: the same statuses, bodies and headers for a name that exists.
    assert transcripts[unknown] == transcripts[known]
    # The lock is on the name, wherever the next guess comes from.
    assert attempt(guarded, "127.4.0.1", known, PASSWORD).status_code == 429
    # The lock lifts once the lockout has passed, not before.
    clock.instant = NOON + dt.timedelta(minutes=14)
    still = attempt(guarded, "127.4.0.2", known, PASSWORD)
    assert still.status_code == 429 and still.headers["retry-after"] == "60"
    clock.instant = NOON + dt.timedelta(minutes=15)
    assert attempt(guarded, "127.4.0.3", known, PASSWORD).status_code == 200
    # A disabled account's right password is answered like any wrong one.
    gone = add_person(guarded.clinic, "gone", "pharmacist", "Gwen Gone").username
    disabled = guarded.http.post(f"/users/{gone}/disable", headers=guarded["admin"].bearer)
    assert disabled.status_code == 200
    assert seen(attempt(guarded, "127.4.0.4", gone, PASSWORD)) == failed


def test_too_many_failures_from_one_address_lock_it_for_every_name(
        guarded: World, clock: FixedClock) -> None:
    name = add_person(guarded.clinic, "careful", "prescriber", "Cara Careful").username
    for _ in range(PER_ADDRESS):  # one failure each: no name reaches its own limit
        assert attempt(guarded, "127.5.0.1", unique("sprayed"), WRONG).status_code == 401
    locked = attempt(guarded, "127.5.0.1", name, PASSWORD)
    assert locked.status_code == 429 and locked.json()["type"].endswith("/sign-in-locked")
    assert int(locked.headers["retry-after"]) == 15 * 60
    # The name itself is not locked: from another address it signs in.
    assert attempt(guarded, "127.5.0.2", name, PASSWORD).status_code == 200
