"""API tokens: scopes limit them, a signed-in person makes them, they are shown once, stored
as digests, and end when revoked or expired."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import MetaData, select

from isocourse.services.ports import FixedClock
from tests.e2e.security.world import NOON, PASSWORD, READY_DAY, World, cookie

EVENT = {"type": "counseling", "date": READY_DAY.isoformat()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}



def test_a_read_only_token_reads_but_cannot_record_an_event(world: World) -> None:
    course = world.fresh_course("started").course_id
    token, _ = world.spare_token("prescriber", ["read"])
    assert world.http.get(f"/courses/{course}", headers=bearer(token)).status_code == 200
    refused = world.http.post(f"/courses/{course}/events", json=EVENT, headers=bearer(token))
    assert refused.status_code == 403 and "'write' scope" in refused.json()["detail"]
    assert world.version(course) == 1


def test_a_token_without_the_dispense_scope_cannot_dispense_or_reverse(world: World) -> None:
    grant = world.fresh_course("granted")
    pharmacy, _ = world.spare_token("pharmacist", ["read"])
    prescriber, _ = world.spare_token("prescriber", ["read", "write"])
    dispense = world.http.post(f"/authorizations/{grant.code}/dispense",
                               headers=bearer(pharmacy))
    reverse = world.http.post(f"/authorizations/{grant.code}/reverse",
                              json={"reason": "changed my mind"}, headers=bearer(prescriber))
    for refused in (dispense, reverse):
        assert refused.status_code == 403 and "'dispense' scope" in refused.json()["detail"]
    still = world.http.get(f"/authorizations/{grant.code}", headers=bearer(pharmacy))
    assert still.json()["status"] == "granted"


def test_a_token_cannot_make_another_token_nor_change_the_password(world: World) -> None:
    token = world["prescriber"].bearer
    made = world.http.post("/tokens", json={"name": "sneaky", "scopes": ["read"]},
                           headers=token)
    assert made.status_code == 403 and made.json()["type"].endswith("/forbidden")
    changed = world.http.post("/session/password", headers=token, json={
        "current_password": PASSWORD, "new_password": "taken over by a program 1"})
    assert changed.status_code == 403
    listed = world.http.get("/tokens", headers=token).json()["items"]
    assert "sneaky" not in [t["name"] for t in listed]


def test_only_pharmacists_and_prescribers_get_the_dispense_scope(world: World) -> None:
    for key in ("delegate", "patient", "admin"):
        secret, csrf = world.session(key)
        refused = world.http.post("/tokens", headers=cookie(secret, csrf),
                                  json={"name": "dispenser", "scopes": ["read", "dispense"]})
        assert refused.status_code == 422, (key, refused.text)
        assert [e["path"] for e in refused.json()["errors"]] == ["scopes"]


def test_the_token_is_shown_once_and_never_listed_again(world: World) -> None:
    secret, csrf = world.session("pharmacist")
    made = world.http.post("/tokens", headers=cookie(secret, csrf), json={
        "name": "pharmacy system", "scopes": ["read", "dispense"], "expires_in_days": 30})
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store"
    token, token_id = made.json()["token"], made.json()["id"]
    hidden_part = token.rsplit("_", 1)[1]
    for headers in (cookie(secret), bearer(token)):
        listed = world.http.get("/tokens", headers=headers)
        assert listed.status_code == 200
        assert token_id in [t["id"] for t in listed.json()["items"]]
        assert hidden_part not in listed.text and "token" not in listed.json()["items"][0]
    revoked = world.http.delete(f"/tokens/{token_id}", headers=bearer(token))
    assert revoked.status_code == 200 and hidden_part not in revoked.text


def test_a_revoked_token_is_refused_at_once(world: World) -> None:
    token, token_id = world.spare_token("delegate", ["read"])
    assert world.http.get("/courses", headers=bearer(token)).status_code == 200
    revoked = world.http.delete(f"/tokens/{token_id}", headers=world["delegate"].bearer)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = world.http.get("/courses", headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["type"].endswith("/not-authenticated")


def test_an_expired_token_is_refused(world: World, clock: FixedClock) -> None:
    token, _ = world.spare_token("prescriber", ["read"], days=1)
    clock.instant = NOON + dt.timedelta(days=1) - dt.timedelta(seconds=1)
    assert world.http.get("/courses", headers=bearer(token)).status_code == 200
    clock.instant = NOON + dt.timedelta(days=1)
    assert world.http.get("/courses", headers=bearer(token)).status_code == 401


def test_another_persons_token_cannot_be_revoked_and_keeps_working(world: World) -> None:
    theirs, their_id = world.spare_token("pharmacist", ["read"])
    attempt = world.http.delete(f"/tokens/{their_id}", headers=world["prescriber"].bearer)
    missing = world.http.delete("/tokens/zzzzzzzzzzzzzzzz", headers=world["prescriber"].bearer)
    assert attempt.status_code == 404 and attempt.json() == missing.json()
    assert world.http.get("/tokens", headers=bearer(theirs)).status_code == 200


def test_no_table_holds_a_token_a_session_id_or_a_password(world: World) -> None:
    secret, csrf = world.session("prescriber")
    made = world.http.post("/tokens", headers=cookie(secret, csrf),
                           json={"name": "kept secret", "scopes": ["read"]})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    signed_in = world.http.post("/session", json={"username": world["prescriber"].username,
                                                  "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    session_id = signed_in.cookies["isocourse_session"]
    secrets = {"token": token, "token's secret part": token.split("_", 2)[2],
               "session id": session_id, "password": PASSWORD,
               "first token": world["prescriber"].token}
    tables = MetaData()
    tables.reflect(world.clinic.engine)
    with world.clinic.engine.connect() as connection:
        dump = "\n".join(repr(tuple(r)) for table in tables.sorted_tables
                         for r in connection.execute(select(table)))
        stored = connection.execute(select(tables.tables["api_tokens"].c.token_hash).where(
            tables.tables["api_tokens"].c.id == made.json()["id"])).scalar_one()
    assert made.json()["prefix"] in dump and world["prescriber"].username in dump
    assert [name for name, value in secrets.items() if value in dump] == [], dump[:2000]
    assert stored == hashlib.sha256(token.encode()).hexdigest()
