"""The web app's defences, over HTTP on both databases: CSRF on every form, the session
cookie only (API tokens do not open pages), security headers, no open redirect after
sign-in, error pages in HTML (the API keeps its problem documents), and page requests in
the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.security.world import SESSION_COOKIE, World, no_cookies, unique
from tests.support.accounts import PASSWORD


@pytest.fixture
def browser(world: World) -> Iterator[httpx.Client]:
    """A cookie-less client of the server's root (the web app), not following redirects."""
    with httpx.Client(base_url=world.root, timeout=30, cookies=no_cookies(),
                      follow_redirects=False) as client:
        yield client


def _signed_in(world: World, key: str) -> tuple[dict[str, str], str]:
    secret, csrf = world.session(key)
    return {"Cookie": f"{SESSION_COOKIE}={secret}"}, csrf


def test_a_form_without_the_sessions_csrf_token_changes_nothing(world: World,
                                                                browser: httpx.Client) -> None:
    headers, csrf = _signed_in(world, "admin")
    name = unique("csrf-victim")
    form = {"username": name, "display_name": "Carl Csrf", "role": "pharmacist",
            "password": PASSWORD}
    for sent in ({}, {"csrf_token": "not-the-token"}, {"csrf_token": csrf[:-1]}):
        answer = browser.post("/admin/users", headers=headers, data={**form, **sent})
        assert answer.status_code == 403, answer.text
        assert "text/html" in answer.headers["content-type"]
    with world.clinic.uows() as uow:
        assert uow.users.by_username(name) is None
    made = browser.post("/admin/users", headers=headers, data={**form, "csrf_token": csrf})
    assert made.status_code == 303, made.text
    with world.clinic.uows() as uow:
        assert uow.users.by_username(name) is not None


def test_an_api_token_does_not_open_a_page(world: World, browser: httpx.Client) -> None:
    answer = browser.get("/admin", headers=world["admin"].bearer)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/admin"


def test_pages_carry_the_security_headers_and_are_not_cached(world: World,
                                                            browser: httpx.Client) -> None:
    headers, _ = _signed_in(world, "admin")
    for path in ("/sign-in", "/admin"):
        answer = browser.get(path, headers=headers)
        assert answer.status_code == 200, path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
    assert browser.get("/static/isocourse.css").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_signing_in_never_redirects_off_the_server(world: World, browser: httpx.Client,
                                                  target: str) -> None:
    answer = browser.post("/sign-in", data={"username": world["admin"].username,
                                            "password": PASSWORD, "next": target})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin"


def test_signing_in_sets_a_fresh_httponly_samesite_cookie(world: World,
                                                         browser: httpx.Client) -> None:
    planted = "planted-session-id"
    answer = browser.post("/sign-in", headers={"Cookie": f"{SESSION_COOKIE}={planted}"},
                          data={"username": world["pharmacist"].username,
                                "password": PASSWORD})
    assert answer.status_code == 303 and answer.headers["location"] == "/pharmacy"
    cookie = answer.headers["set-cookie"]
    assert re.search(r"HttpOnly", cookie, re.I) and re.search(r"SameSite=lax", cookie, re.I)
    assert planted not in cookie


def test_a_wrong_password_gets_the_form_again_with_one_message_for_every_cause(
        world: World, browser: httpx.Client) -> None:
    wrong = browser.post("/sign-in", data={"username": world["admin"].username,
                                           "password": "not the password"})
    unknown = browser.post("/sign-in", data={"username": unique("nobody"),
                                             "password": "not the password"})
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "The user name or password is wrong." in answer.text
        assert "set-cookie" not in answer.headers


def test_errors_are_pages_for_people_and_problem_documents_for_programs(
        world: World, browser: httpx.Client) -> None:
    page = browser.get("/no-such-page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Traceback" not in page.text
    api = browser.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_a_page_request_is_in_the_audit_trail_and_a_refusal_is_marked_denied(
        world: World, browser: httpx.Client) -> None:
    admin, _ = _signed_in(world, "admin")
    pharmacist, _ = _signed_in(world, "pharmacist")
    before = world.head()
    assert browser.get("/admin", headers=admin).status_code == 200
    assert browser.get("/admin", headers=pharmacist).status_code == 403
    entries = world.entries_after(before)
    seen = [(e.actor_id, e.action, e.outcome, e.status) for e in entries]
    assert (world["admin"].id, "accounts_page", "allowed", 200) in seen
    assert (world["pharmacist"].id, "accounts_page", "denied", 403) in seen
