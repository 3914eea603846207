"""Cross-site request forgery and the session cookie's attributes.

A browser sends the session cookie with any request, also one another site makes it send;
what another site cannot send is the session's CSRF token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.services.ports import FixedClock
from tests.e2e.security.world import PASSWORD, READY_DAY, World, add_person, cookie
from tests.support.live_server import live_server

EVENT = {"type": "counseling", "date": READY_DAY.isoformat()}


def events(world: World, course_id: str) -> int:
    answer = world.http.get(f"/courses/{course_id}/events", headers=world["prescriber"].bearer)
    return len(answer.json()["items"])


def test_a_change_sent_with_the_session_cookie_alone_is_refused_and_changes_nothing(
        world: World) -> None:
    course = world.fresh_course("started").course_id
    secret, _csrf = world.session("prescriber")
    before, seq = events(world, course), world.head()
    forged = world.http.post(f"/courses/{course}/events", json=EVENT, headers=cookie(secret))
    assert forged.status_code == 403 and forged.json()["type"].endswith("/forbidden")
    assert "CSRF" in forged.json()["detail"]
    assert events(world, course) == before
    first = world.entries_after(seq)[0]
    assert (first.action, first.outcome, first.status) == ("record_events", "denied", 403)


def test_a_wrong_csrf_token_is_refused_and_the_right_one_lets_the_change_through(
        world: World) -> None:
    course = world.fresh_course("started").course_id
    secret, csrf = world.session("prescriber")
    before = events(world, course)
    for wrong in ("", "x", csrf[:-1], csrf + "x", csrf.upper() if csrf.upper() != csrf
                  else csrf.lower()):
        refused = world.http.post(f"/courses/{course}/events", json=EVENT,
                                  headers=cookie(secret, wrong))
        assert refused.status_code == 403, (wrong, refused.text)
    assert events(world, course) == before
    done = world.http.post(f"/courses/{course}/events", json=EVENT,
                           headers=cookie(secret, csrf))
    assert done.status_code == 201, done.text
    assert events(world, course) == before + 1


def test_the_csrf_token_of_another_session_is_refused(world: World) -> None:
    course = world.fresh_course("started").course_id
    mine, _ = world.session("prescriber")
    _, someone_elses = world.session("delegate")
    _, my_other_sessions = world.new_session("prescriber")
    for csrf in (someone_elses, my_other_sessions):
        refused = world.http.post(f"/courses/{course}/events", json=EVENT,
                                  headers=cookie(mine, csrf))
        assert refused.status_code == 403, refused.text


def test_the_session_tells_its_csrf_token_and_reads_need_none(world: World) -> None:
    secret, csrf = world.session("prescriber")
    whoami = world.http.get("/session", headers=cookie(secret))
    assert whoami.status_code == 200 and whoami.json()["csrf_token"] == csrf
    read = world.http.get("/courses", headers=cookie(secret))
    assert read.status_code == 200


def test_signing_out_needs_the_csrf_token_too(world: World) -> None:
    secret, csrf = world.new_session("prescriber")
    forged = world.http.delete("/session", headers=cookie(secret))
    assert forged.status_code == 403
    assert world.http.get("/session", headers=cookie(secret)).status_code == 200
    assert world.http.delete("/session", headers=cookie(secret, csrf)).status_code == 204


def test_a_request_with_an_api_token_needs_no_csrf_token(world: World) -> None:
    course = world.fresh_course("started").course_id
    done = world.http.post(f"/courses/{course}/events", json=EVENT,
                           headers=world["prescriber"].bearer)
    assert done.status_code == 201, done.text


def attributes(set_cookie: str) -> dict[str, str]:
    name_value, *rest = (part.strip() for part in set_cookie.split(";"))
    found = {"": name_value}
    for part in rest:
        key, _, value = part.partition("=")
        found[key.lower()] = value
    return found


def sign_in(root: str, username: str) -> httpx.Response:
    answer = httpx.post(f"{root}/api/v1/session", json={"username": username,
                                                        "password": PASSWORD}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def test_the_session_cookie_is_httponly_samesite_lax_and_not_secure_over_plain_http(
        world: World) -> None:
    answer = sign_in(world.root, world["prescriber"].username)
    (set_cookie,) = answer.headers.get_list("set-cookie")
    got = attributes(set_cookie)
    assert got[""].startswith("isocourse_session=")
    assert "httponly" in got and got["samesite"].lower() == "lax" and got["path"] == "/"
    assert "secure" not in got
    assert int(got["max-age"]) == 12 * 3600
    # The cookie's value is not in the answer's body (a script cannot read it there either).
    assert got[""].split("=", 1)[1] not in answer.text
    csrf = answer.json()["csrf_token"]
    out = world.http.delete("/session", headers=cookie(got[""].split("=", 1)[1], csrf))
    (cleared,) = out.headers.get_list("set-cookie")
    gone = attributes(cleared)
    assert gone[""] in ('isocourse_session=""', "isocourse_session=")
    assert gone["max-age"] == "0" and "httponly" in gone and gone["samesite"].lower() == "lax"


@pytest.fixture
def secure_clinic(database_url: str, tmp_path: Path) -> Iterator[Clinic]:
    clinic = build(Settings(data_dir=tmp_path, database_url=database_url,
                            secure_cookies="always"), clock=FixedClock(READY_DAY))
    try:
        yield clinic
    finally:
        clinic.close()


def test_the_session_cookie_is_secure_when_the_clinic_says_always(
        secure_clinic: Clinic) -> None:
    person = add_person(secure_clinic, "prescriber", "prescriber", "Dr Sec")
    with live_server(secure_clinic) as root:
        answer = sign_in(root, person.username)
        (set_cookie,) = answer.headers.get_list("set-cookie")
        got = attributes(set_cookie)
        assert "secure" in got and "httponly" in got and got["samesite"].lower() == "lax"
        out = httpx.delete(f"{root}/api/v1/session", timeout=30, headers=cookie(
            got[""].split("=", 1)[1], answer.json()["csrf_token"]))
        assert out.status_code == 204
        assert "secure" in attributes(out.headers["set-cookie"])
