"""The administrator's pages in the browser: accounts and the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from isocourse.services.stored_accounts import UserRow
from tests.e2e.browser.conftest import WebApp

NEW_PASSWORD = "a long new pharmacy passphrase"


def test_an_admin_adds_a_pharmacist_who_then_signs_in(
        web: WebApp, check_page: Callable[[Page, str], None]) -> None:
    page = web.sign_in("admin")
    expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()
    check_page(page, "admin-accounts")
    page.get_by_label("User name", exact=True).fill("new-pharmacist")
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Pharmacist").check()
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("status")).to_contain_text("The account was added")
    expect(page.get_by_role("link", name="new-pharmacist")).to_be_visible()

    other = web.page()
    other.goto("/sign-in")
    other.get_by_label("User name").fill("new-pharmacist")
    other.get_by_label("Password").fill(NEW_PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_url("**/pharmacy")


def test_a_weak_password_and_a_missing_patient_id_are_shown_next_to_their_fields(
        web: WebApp) -> None:
    page = web.sign_in("admin")
    page.get_by_label("User name", exact=True).fill("new-patient")
    page.get_by_label("Full name").fill("Noor Newcomer")
    page.get_by_label("Patient", exact=True).check()
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_role("button", name="Add account").click()
    expect(page.locator("#e-patient_external_id")).to_contain_text("Enter a value")
    expect(page.get_by_label("User name", exact=True)).to_have_value("new-patient")
    expect(page.get_by_label("Full name")).to_have_value("Noor Newcomer")
    expect(page.get_by_label("Patient", exact=True)).to_be_checked()
    page.get_by_label("Patient's clinic id").fill("demo-002")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_role("button", name="Add account").click()
    expect(page.locator("#e-password")).to_be_visible()
    assert "new-patient" not in [u.username for u in _users(web)]


def _users(web: WebApp) -> list[UserRow]:
    with web.clinic.uows() as uow:
        return list(uow.users.listing())


def test_disabling_an_account_ends_its_session(web: WebApp) -> None:
    pharmacist = web.sign_in("pharmacist")
    admin = web.sign_in("admin")
    admin.get_by_role("link", name="pharmacist", exact=True).click()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Disable account").click()
    expect(admin.get_by_role("status")).to_contain_text("disabled")
    pharmacist.goto("/pharmacy")
    assert "/sign-in" in pharmacist.url


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_audit_trail_shows_the_chain_intact_and_the_clinics_entries(
        web: WebApp, phone: bool, check_page: Callable[[Page, str], None]) -> None:
    web.sign_in("prescriber")
    page = web.sign_in("admin", phone=phone)
    page.goto("/admin/audit")
    expect(page.get_by_role("status")).to_contain_text("The chain is intact")
    expect(page.locator("tbody tr").first).to_be_visible()
    check_page(page, "admin-audit")


@pytest.mark.parametrize("username", ["prescriber", "pharmacist", "patient"])
def test_the_admin_pages_are_refused_to_other_roles(web: WebApp, username: str) -> None:
    page = web.sign_in(username)
    response = page.goto("/admin")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
