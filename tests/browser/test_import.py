"""The Import page in a real browser: upload the sample LinkedIn export and see the contacts."""

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
    expect(page.get_by_text("Amélie Tremblay")).to_be_visible()
    expect(page.get_by_text("Priya Raman")).to_be_visible()
