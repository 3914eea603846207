"""Signing in and out in the browser, as each demo account."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import WebApp

HOMES = {"prescriber": "/clinic", "delegate": "/clinic", "pharmacist": "/pharmacy",
         "patient": "/me", "admin": "/admin"}


@pytest.mark.parametrize("username", sorted(HOMES))
def test_each_demo_account_signs_in_to_its_own_start_page_and_signs_out(
        web: WebApp, username: str) -> None:
    page = web.sign_in(username)
    assert page.url.endswith(HOMES[username])
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(HOMES[username])
    assert "/sign-in" in page.url


def test_a_wrong_password_is_refused_next_to_the_form_and_keeps_the_user_name(
        web: WebApp, check_page: Callable[[Page, str], None]) -> None:
    page = web.page()
    page.goto("/sign-in")
    page.get_by_label("User name").fill("prescriber")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The user name or password is wrong")
    expect(page.get_by_label("User name")).to_have_value("prescriber")
    expect(page.get_by_label("Password")).to_have_value("")
    check_page(page, "sign-in-error")


def test_an_empty_form_shows_an_error_next_to_each_field(web: WebApp) -> None:
    page = web.page()
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#e-username")).to_contain_text("Enter a value")
    expect(page.locator("#e-password")).to_contain_text("Enter your password")
    expect(page.get_by_label("User name")).to_have_attribute("aria-invalid", "true")


def test_a_page_asked_for_before_signing_in_is_shown_after_it(web: WebApp) -> None:
    page = web.page()
    page.goto("/clinic")
    assert "/sign-in?next=/clinic" in page.url
    page.get_by_label("User name").fill("prescriber")
    page.get_by_label("Password").fill("demo clinic bravo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/clinic")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_sign_in_page_is_accessible(web: WebApp, phone: bool,
                                        check_page: Callable[[Page, str], None]) -> None:
    page = web.page(phone=phone)
    page.goto("/sign-in")
    check_page(page, "sign-in")
