"""The Import page in a real browser: upload the sample LinkedIn export and see the contacts."""

import time

import pytest

from tests.data_paths import DATA

pytestmark = pytest.mark.browser


def test_import_the_sample_linkedin_file_and_see_the_contacts(page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    from tests.factories import UserFactory

    UserFactory(username="importer")
    log_in(page, "importer", "correct horse battery staple")
    page.goto(f"{live_server.url}/import/")
    page.get_by_label("LinkedIn Connections.csv").check()
    page.get_by_label("Preview only (dry run)").check()
    page.get_by_label("File", exact=True).set_input_files(str(DATA / "linkedin_connections.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Preview — nothing was written")).to_be_visible()
    expect(page.locator('[data-count="created"]')).to_have_text("15")

    page.get_by_label("Preview only (dry run)").uncheck()
    page.get_by_label("File", exact=True).set_input_files(str(DATA / "linkedin_connections.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    screenshot(page, "import")
    page.get_by_role("link", name="See your contacts").click()
    expect(page.get_by_role("link", name="Amélie Tremblay")).to_be_visible()
    expect(page.get_by_role("link", name="Priya Raman")).to_be_visible()


def test_the_busy_note_shows_while_the_file_is_checked_and_hides_after(page, live_server, log_in):
    from playwright.sync_api import expect

    from tests.factories import UserFactory

    UserFactory(username="importer")
    log_in(page, "importer", "correct horse battery staple")
    page.goto(f"{live_server.url}/import/")
    busy = page.get_by_text("Checking the file…")
    expect(busy).to_be_hidden()

    # Hold the upload in flight until the test lets it through.
    held = []
    page.route("**/import/", lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    page.get_by_label("LinkedIn Connections.csv").check()
    page.get_by_label("Preview only (dry run)").check()
    page.get_by_label("File", exact=True).set_input_files(str(DATA / "linkedin_connections.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(held) == 1, "the upload never left the page"
    expect(busy).to_be_visible()
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_disabled()

    held[0].continue_()
    expect(page.get_by_role("heading", name="Preview — nothing was written")).to_be_visible()
    expect(busy).to_be_hidden()
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_enabled()
