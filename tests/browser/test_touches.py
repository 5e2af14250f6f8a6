"""Touches in a real browser (#10): "We talked" updates the page in place (contact page and
list row), and "Log an event" picks several people through its search, desktop and 375 px."""

import io

import pytest
from django.core.management import call_command

from contacts.models import Contact
from outreach.models import Touch
from tests.browser.conftest import has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())


def test_we_talked_on_a_contact_page_updates_it_without_a_reload(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    priya = Contact.objects.get(owner__username="demo", first_name="Priya")
    page.goto(f"{live_server.url}/contacts/{priya.pk}/")
    page.evaluate("window.__still_here = true")
    section = page.locator("#we-talked")
    section.get_by_label("Channel").select_option("linkedin")
    section.get_by_label("About (optional)").fill("Congratulated her on the launch")
    section.get_by_role("button", name="We talked").click()
    expect(page.get_by_role("status").first).to_contain_text("Logged: you talked with Priya Raman.")
    expect(page.locator("#timeline li.tl-touch").first).to_contain_text("Congratulated her on the launch")
    expect(page.locator("#timeline li.tl-touch").first).to_contain_text("LinkedIn")
    assert page.evaluate("window.__still_here") is True  # swapped in place, not reloaded
    assert Touch.objects.filter(owner__username="demo", summary="Congratulated her on the launch").count() == 1


def test_we_talked_on_a_list_row_updates_that_row(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/contacts/?q=Priya")
    row = page.locator("li.contact-row").first
    row.get_by_role("button", name="We talked with Priya Raman today").click()
    expect(row).to_contain_text("Logged: you talked today.")
    expect(row).to_contain_text("in touch just now")
    assert Touch.objects.filter(owner__username="demo", contacts__first_name="Priya").count() >= 1


def test_log_an_event_with_people_found_by_search(demo, phone_page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    page = phone_page
    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/touches/new/")
    search = page.get_by_label("Find people by name, company or title")
    search.press_sequentially("Priya", delay=30)
    page.get_by_label("Priya Raman").check()
    search.fill("")
    search.press_sequentially("Aiko", delay=30)
    expect(page.get_by_label("Aiko Tanaka")).to_be_visible()
    expect(page.get_by_label("Priya Raman")).to_be_checked()  # kept while searching for someone else
    page.get_by_label("Aiko Tanaka").check()
    page.get_by_label("What happened (optional)").fill("Product meetup")
    assert not has_horizontal_scroll(page)
    screenshot(page, "log-an-event-375px")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status").first).to_contain_text("Logged: event with")
    touch = Touch.objects.get(owner__username="demo", summary="Product meetup")
    assert {c.first_name for c in touch.contacts.all()} == {"Priya", "Aiko"}


def test_enter_in_the_search_box_searches_and_logs_nothing(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/touches/new/")
    search = page.get_by_label("Find people by name, company or title")
    search.fill("Marcus")
    search.press("Enter")
    expect(page.get_by_label("Marcus Okafor")).to_be_visible()
    assert not Touch.objects.filter(owner__username="demo", channel="event", summary="").exists()
