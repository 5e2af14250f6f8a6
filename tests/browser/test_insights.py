"""The Insights page (#14) in a real browser: charts and their tables at 1280 px and 375 px,
no horizontal scroll on a phone (wide tables scroll in their own box), screenshots of both."""

import io

import pytest
from django.core.management import call_command

from tests.browser.conftest import has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())


def _check(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/insights/")
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    expect(
        page.get_by_role("img", name="Reply rate by channel: bar chart of reply rates; the table below has the numbers")
    ).to_be_visible()
    expect(page.get_by_role("table", name="Reply rate by channel, last 90 days")).to_be_attached()
    expect(page.get_by_role("heading", name="Weekly goal")).to_be_visible()
    # Every chart is an image with a name, and a table follows it.
    assert page.locator("svg[role=img]").count() >= 4
    assert page.locator("table.data-table caption").count() >= 4
    page.get_by_label("Period: the last").select_option("180")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="Conversations reaching each stage per month")).to_be_attached()


def test_insights_at_desktop_width(demo, page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    _check(page, live_server)
    page.goto(f"{live_server.url}/insights/")
    expect(page.get_by_role("link", name="Insights")).to_have_attribute("aria-current", "page")
    screenshot(page, "insights")


def test_insights_on_a_phone(demo, phone_page, live_server, log_in, screenshot):
    log_in(phone_page, "demo", "demo")
    _check(phone_page, live_server)
    phone_page.goto(f"{live_server.url}/insights/")
    assert not has_horizontal_scroll(phone_page)
    box = phone_page.locator("svg[role=img]").first.bounding_box()
    assert box["width"] <= 375
    screenshot(phone_page, "insights-375px")
