"""The web app in a real browser: a demo clinic served over HTTP, Debian's Chromium, and a
signed-in page per role.

The demo clinic (``isocourse serve --demo``: dozens of courses and one account per role) is
seeded once per test process on a fixed day into a SQLite template, and each test gets its
own copy, so tests can change it freely. ``clinic.clock`` is a FixedClock: a test moves
the day (``web.clinic.clock.day = ...``) to let a window close.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from isocourse.adapters.db.engine import sqlite_url
from isocourse.bootstrap import Clinic, build
from isocourse.config import Settings
from isocourse.services.demo import seed_demo_clinic
from isocourse.services.demo_accounts import DEMO_ACCOUNTS, add_demo_accounts
from isocourse.services.ports import FixedClock
from tests.support.browser import (
    assert_accessible,
    chromium,
    chromium_path,
    new_context,
    screenshot,
)
from tests.support.clinics import DAY
from tests.support.live_server import live_server

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}


def _settings(folder: Path) -> Settings:
    return Settings(data_dir=folder, database_url=sqlite_url(folder / "isocourse.db"))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo clinic seeded on DAY, as ``serve --demo`` makes it (once per process)."""
    folder = tmp_path_factory.mktemp("demo-template")
    clinic = build(_settings(folder), clock=FixedClock(DAY))
    try:
        clinic.migrate()
        seed_demo_clinic(uows=clinic.uows, clock=clinic.clock, actor=clinic.actor,
                         rules=clinic.rules)
        add_demo_accounts(uows=clinic.uows, clock=clinic.clock,
                          clinic_id=clinic.settings.clinic_id, policy=clinic.security)
        with clinic.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        clinic.close()
    return folder / "isocourse.db"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if chromium_path() is None:
        pytest.fail("Chromium is not installed: run tools/install-system-packages.sh "
                    "(make test does)")
    with chromium() as launched:
        yield launched


@dataclass
class WebApp:
    """The served demo clinic, and pages signed in as its demo accounts."""

    clinic: Clinic
    base_url: str
    browser: Browser
    _pages: list[Page]

    def page(self, *, phone: bool = False) -> Page:
        """A new browser profile, signed in as nobody."""
        context = new_context(self.browser, self.base_url, phone=phone)
        page = context.new_page()
        self._pages.append(page)
        return page

    def sign_in(self, username: str, *, phone: bool = False) -> Page:
        """A new browser profile signed in through the sign-in page as a demo account
        (``prescriber``, ``delegate``, ``pharmacist``, ``patient``, ``admin``)."""
        page = self.page(phone=phone)
        page.goto("/sign-in")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(PASSWORDS[username])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/sign-in" not in page.url, f"{username} could not sign in"
        return page


@pytest.fixture
def web(demo_template: Path, browser: Browser, tmp_path: Path) -> Iterator[WebApp]:
    folder = tmp_path / "clinic"
    folder.mkdir()
    shutil.copyfile(demo_template, folder / "isocourse.db")
    clinic = build(_settings(folder), clock=FixedClock(DAY))
    pages: list[Page] = []
    try:
        with live_server(clinic) as base:
            app = WebApp(clinic, base, browser, pages)
            yield app
            for page in pages:
                page.context.close()
    finally:
        clinic.close()


@pytest.fixture
def check_page() -> Callable[[Page, str], None]:
    """Check a page the way every browser test does: no serious accessibility violation,
    and a screenshot under tests/e2e/screens/ named ``name``."""
    def check(page: Page, name: str) -> None:
        assert_accessible(page)
        screenshot(page, name)
    return check
