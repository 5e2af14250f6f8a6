"""Shared fixtures for the real-browser tests: Debian's Chromium driven by Playwright.

`playwright install` cannot run here, so Chromium comes from the system (`chromium_path`
fixture in tests/conftest.py: CHROMIUM_PATH or /usr/bin/chromium). Tests use pytest-django's
`live_server` (transactional database). Screenshots go to var/screenshots/ (a CI artifact).
"""

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # ORM calls from the tests and their database flush ("You cannot call this from an async
    # context"). Set for the browser modules only, never globally, so it cannot leak into
    # other tests' subprocesses (`check --deploy` rightly flags it).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(chromium_path, django_db_setup, live_server):
    """One Chromium per test module, closed when the module is done (no event loop outlives it).

    The test database and live server start first: Django refuses to create them while
    Playwright's event loop is running."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="UTC", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized tab; fails the test if the page threw a JavaScript error."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()
    assert page.js_errors == [], page.js_errors


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _new_page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()
    assert page.js_errors == [], page.js_errors


@pytest.fixture
def log_in(live_server):
    """log_in(page, username, password): through the real log-in form."""

    def _log_in(page, username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")

    return _log_in


@pytest.fixture
def screenshot():
    """screenshot(page, "today"): a full-page PNG under var/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
