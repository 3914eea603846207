"""A real browser for the web app's tests: Debian's Chromium, headless, driven by
Playwright (Python), with axe-core for the accessibility checks and screenshots at phone
and desktop widths.

Nothing is downloaded: Playwright launches ``/usr/bin/chromium`` (Debian's ``chromium``
package, installed by tools/install-system-packages.sh) and axe-core comes from
tools/browser/node_modules (``npm ci`` in ``make test``). Chromium runs with the flags that
keep it off the network (this machine has none beyond the package registries).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

__all__ = [
    "AXE",
    "CHROMIUM",
    "DESKTOP",
    "PHONE",
    "SCREENS",
    "AxeViolation",
    "accessibility_violations",
    "assert_accessible",
    "chromium",
    "chromium_path",
    "new_context",
    "screenshot",
]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tools" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "tests" / "e2e" / "screens"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-dev-shm-usage", "--disable-features=Translate"]


def chromium_path() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    explicit = os.environ.get("ISOCOURSE_CHROMIUM")
    if explicit:
        return explicit
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@contextmanager
def chromium() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium is not installed: run tools/install-system-packages.sh")
    playwright: Playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Browser, base_url: str, *, phone: bool = False,
                downloads: bool = True) -> BrowserContext:
    """A fresh browser profile (its own cookies). ``bypass_csp`` lets the tests inject
    axe-core into pages whose Content-Security-Policy forbids inline scripts."""
    context = browser.new_context(base_url=base_url, viewport=PHONE if phone else DESKTOP,
                                  bypass_csp=True, accept_downloads=downloads,
                                  locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(15_000)
    return context


@dataclass(frozen=True, slots=True)
class AxeViolation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.impact}: {self.rule} ({self.help}) at {', '.join(self.targets[:5])}"


def accessibility_violations(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")
                             ) -> list[AxeViolation]:
    """axe-core's violations on the page as it is now, of the given impacts (WCAG 2.1 A
    and AA rules and axe's best practices)."""
    if not AXE.exists():
        raise RuntimeError(f"axe-core is not installed at {AXE}: run `npm ci` in tools/browser")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}})")
    found = []
    for violation in result["violations"]:
        if violation.get("impact") in impacts:
            targets = tuple(" ".join(map(str, node["target"])) for node in violation["nodes"])
            found.append(AxeViolation(violation["id"], violation["impact"], violation["help"],
                                      targets))
    return found


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page."""
    violations = accessibility_violations(page)
    assert not violations, f"accessibility violations on {page.url}:\n" + "\n".join(
        str(v) for v in violations)


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as tests/e2e/screens/<name>-<phone|desktop>.png (not
    committed; the README shows a few copies from docs/screens/)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else DESKTOP["width"]
    kind = "phone" if width <= PHONE["width"] else "desktop"
    target = SCREENS / f"{name}-{kind}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
