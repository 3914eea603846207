"""Sessions: a new id at every sign-in (no fixation), and every way a session ends - sign-out,
idle time, maximum age, a disabled account, a new password."""

from __future__ import annotations

import datetime as dt

import httpx

from isocourse.services.ports import FixedClock
from tests.e2e.security.world import NOON, PASSWORD, SESSION_COOKIE, World, add_person, cookie


def whoami(world: World, secret: str) -> int:
    return world.http.get("/session", headers=cookie(secret)).status_code


def sign_in(world: World, username: str, password: str = PASSWORD,
            planted: str | None = None) -> httpx.Response:
    headers = {"Cookie": f"{SESSION_COOKIE}={planted}"} if planted else {}
    return world.http.post("/session", json={"username": username, "password": password},
                           headers=headers)


def session_of(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    value = answer.cookies.get(SESSION_COOKIE)
    assert value
    return value


def test_signing_in_issues_a_new_session_id_and_revokes_one_planted_before(
        world: World) -> None:
    # An attacker plants a session id of their own in the victim's browser...
    planted, _ = world.new_session("patient-two")
    assert whoami(world, planted) == 200
    victim = world["prescriber"]
    answer = sign_in(world, victim.username, planted=planted)
    issued = session_of(answer)
    # ...the victim's sign-in gets a new id, and the planted one is dead.
    assert issued != planted
    assert whoami(world, planted) == 401
    me = world.http.get("/session", headers=cookie(issued))
    assert me.json()["user"]["id"] == victim.id
    # A made-up id sent at sign-in is not adopted either.
    made_up = "A" * 43
    assert session_of(sign_in(world, victim.username, planted=made_up)) != made_up


def test_signing_out_ends_the_session_and_its_cookie_is_refused_afterwards(
        world: World) -> None:
    secret, csrf = world.new_session("prescriber")
    assert world.http.delete("/session", headers=cookie(secret, csrf)).status_code == 204
    assert whoami(world, secret) == 401
    again = world.http.delete("/session", headers=cookie(secret, csrf))
    assert again.status_code == 401 and again.json()["type"].endswith("/not-authenticated")


def test_a_session_ends_after_thirty_minutes_without_a_request(
        world: World, clock: FixedClock) -> None:
    secret, _ = world.new_session("prescriber")
    clock.instant = NOON + dt.timedelta(minutes=29)
    assert whoami(world, secret) == 200  # and the idle deadline moves on
    clock.instant = NOON + dt.timedelta(minutes=29 + 29, seconds=59)
    assert whoami(world, secret) == 200
    clock.instant += dt.timedelta(minutes=30)
    assert whoami(world, secret) == 401


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(
        world: World, clock: FixedClock) -> None:
    secret, _ = world.new_session("prescriber")
    last_ok = NOON + dt.timedelta(hours=12) - dt.timedelta(seconds=1)
    while clock.instant is not None and clock.instant + dt.timedelta(minutes=25) < last_ok:
        clock.instant += dt.timedelta(minutes=25)
        assert whoami(world, secret) == 200, clock.instant
    clock.instant = last_ok
    assert whoami(world, secret) == 200
    clock.instant = NOON + dt.timedelta(hours=12)
    assert whoami(world, secret) == 401


def test_disabling_an_account_ends_its_sessions_and_tokens_at_once(world: World) -> None:
    person = add_person(world.clinic, "leaver", "prescriber", "Lee Leaver")
    session = world.http.post("/session", json={"username": person.username,
                                                "password": PASSWORD})
    secret = session_of(session)
    assert world.http.get("/courses", headers=person.bearer).status_code == 200
    disabled = world.http.post(f"/users/{person.username}/disable",
                               headers=world["admin"].bearer)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert whoami(world, secret) == 401
    assert world.http.get("/courses", headers=person.bearer).status_code == 401
    refused = sign_in(world, person.username)
    assert refused.status_code == 401 and refused.json()["type"].endswith("/sign-in-failed")


def test_a_password_reset_by_an_admin_ends_the_accounts_sessions_and_tokens(
        world: World) -> None:
    person = add_person(world.clinic, "forgetful", "patient", "Fay Forgetful",
                        patient_external_id=world.fresh_course("patient").external_id)
    secret = session_of(sign_in(world, person.username))
    new = "a completely new passphrase 2026"
    reset = world.http.post(f"/users/{person.username}/password",
                            json={"new_password": new}, headers=world["admin"].bearer)
    assert reset.status_code == 200, reset.text
    assert whoami(world, secret) == 401
    assert world.http.get("/session", headers=person.bearer).status_code == 401
    assert sign_in(world, person.username, new).status_code == 200


def test_changing_ones_own_password_ends_every_session_and_token_of_the_account(
        world: World) -> None:
    person = add_person(world.clinic, "mover", "pharmacist", "Mo Mover")
    this = world.http.post("/session", json={"username": person.username,
                                             "password": PASSWORD})
    secret, csrf = session_of(this), this.json()["csrf_token"]
    other = session_of(sign_in(world, person.username))
    changed = world.http.post("/session/password", headers=cookie(secret, csrf), json={
        "current_password": PASSWORD, "new_password": "moving on to a new passphrase"})
    assert changed.status_code == 204, changed.text
    assert (whoami(world, secret), whoami(world, other)) == (401, 401)
    assert world.http.get("/session", headers=person.bearer).status_code == 401
