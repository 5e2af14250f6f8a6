"""The morning routine in a real browser, the phone-width layout, and screenshots of each page."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.conftest import has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sign_up_add_a_contact_request_schedule_and_see_it_on_today(page, live_server, screenshot):
    from playwright.sync_api import expect

    url = live_server.url
    # Sign up
    page.goto(f"{url}/signup/")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Email").fill("newbie@example.com")
    page.get_by_label("Password").fill("a long pass phrase")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{url}/")
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()

    # Add a contact
    page.get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_role("link", name="+ Add contact").click()
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Raman")
    page.get_by_label("Email").fill("priya@example.com")
    page.get_by_label("Company").fill("Shopify")
    page.get_by_label("Title").fill("Senior Product Manager")
    page.get_by_label("How we met").fill("the Mind the Product meetup")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Priya Raman")).to_be_visible()

    # Start a request from a template: the text is rendered, with a mailto: link
    # htmx must be listening before the template changes (its "load" requests done).
    page.wait_for_load_state("networkidle")
    page.get_by_label("Template").select_option(label="Informational interview request")
    expect(page.locator("#rq-body")).to_have_value(re.compile(r"^Hi Priya,[\s\S]*stood out to me"))
    expect(page.get_by_role("link", name="Open in e-mail")).to_have_attribute(
        "href", re.compile(r"^mailto:priya@example\.com\?subject=")
    )
    page.get_by_role("button", name="I sent it — mark as requested").click()
    expect(page.get_by_text("Request to Priya Raman recorded")).to_be_visible()

    # Move it to scheduled on the board, with a date, time and place
    page.get_by_role("link", name="Pipeline").click()
    card = page.locator(".board-card", has_text="Priya Raman")
    expect(card.locator("..").locator("..")).to_have_attribute("data-stage", "requested")
    card.get_by_text("Schedule…").click()
    today = timezone.now().date()
    card.get_by_label("Date").fill(today.isoformat())
    card.get_by_label("Time").fill("23:30")
    card.get_by_label("Place or meeting link").fill("Zoom")
    card.get_by_role("button", name="Save date").click()
    expect(page.locator("#stage-scheduled .board-card", has_text="Priya Raman")).to_be_visible()

    # Add a follow-up due today, then see the chat and the follow-up on Today
    page.locator("#stage-scheduled .board-card a", has_text="Priya Raman").click()
    page.get_by_role("link", name="Priya Raman").first.click()
    page.get_by_text("Add a follow-up").click()
    page.get_by_label("Title").fill("Send Priya my case study")
    page.get_by_label("Due on").fill(today.isoformat())
    page.get_by_role("button", name="Add follow-up").click()
    page.get_by_role("link", name="Today").click()
    chats = page.locator("section", has=page.get_by_role("heading", name="Chats this week"))
    expect(chats).to_contain_text("Priya Raman")
    expect(chats).to_contain_text("23:30")

    # Complete the follow-up inline: htmx swaps the row, the page does not reload
    page.evaluate("window.__still_here = true")
    row = page.locator("li.follow-up", has_text="Send Priya my case study")
    row.get_by_role("button", name="Complete: Send Priya my case study").click()
    expect(row).to_contain_text("Done: Send Priya my case study.")
    assert page.evaluate("window.__still_here") is True
    screenshot(page, "flow-today-after-complete")


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())


def test_today_has_no_horizontal_scroll_on_a_375px_screen(demo, phone_page, live_server, log_in, screenshot):
    log_in(phone_page, "demo", "demo")
    assert phone_page.viewport_size["width"] == 375
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "today-375px")


@pytest.mark.parametrize(
    "path", ["/contacts/", "/pipeline/", "/follow-ups/", "/templates/", "/settings/", "/playbook/", "/touches/new/"]
)
def test_other_pages_fit_a_375px_screen(demo, phone_page, live_server, log_in, path):
    log_in(phone_page, "demo", "demo")
    phone_page.goto(live_server.url + path)
    assert not has_horizontal_scroll(phone_page), path


def test_search_as_you_type_updates_the_list_in_place(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/contacts/")
    page.evaluate("window.__still_here = true")
    page.get_by_label("Search").press_sequentially("figma", delay=30)
    expect(page.locator("#contact-results")).to_contain_text("Aiko Tanaka")
    expect(page.locator("#contact-results")).not_to_contain_text("Priya Raman")
    expect(page).to_have_url(re.compile(r"/contacts/\?q=figma"))  # shareable, and Back works
    assert page.evaluate("window.__still_here") is True


def test_board_moves_work_from_the_keyboard(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/pipeline/")
    card = page.locator(".board-card", has_text="Leila Haddad")
    card.get_by_role("button", name="Declined").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#stage-declined .board-card", has_text="Leila Haddad")).to_be_visible()


def test_template_preview_updates_as_you_type(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/templates/new/")
    page.get_by_label("Preview for").select_option(label="Priya Raman (Shopify)")
    page.get_by_label("Body").fill("Hi {first_name}, how is {company}? {oops}")
    expect(page.locator("#preview")).to_contain_text("Hi Priya, how is Shopify?")
    expect(page.locator("#preview")).to_contain_text("Unknown placeholder")


PAGES = [
    ("today", "/"),
    ("contacts", "/contacts/"),
    ("pipeline", "/pipeline/"),
    ("follow-ups", "/follow-ups/"),
    ("templates", "/templates/"),
    ("playbook", "/playbook/"),
    ("settings", "/settings/"),
]


def test_screenshots_of_each_main_page(demo, page, live_server, log_in, screenshot):
    from contacts.models import Contact
    from outreach.models import Conversation

    log_in(page, "demo", "demo")
    for name, path in PAGES:
        page.goto(live_server.url + path)
        assert page.title().endswith("· Coffeechat")
        screenshot(page, name)
    priya = Contact.objects.get(owner__username="demo", first_name="Priya")
    page.goto(f"{live_server.url}/contacts/{priya.pk}/")
    screenshot(page, "contact")
    chat = Conversation.objects.get(owner__username="demo", contact=priya)
    page.goto(f"{live_server.url}/conversations/{chat.pk}/")
    screenshot(page, "prep-brief")


def test_dragging_a_card_onto_a_legal_column_moves_it(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/pipeline/")
    card = page.locator(".board-card", has_text="Alex Johnson")
    card.drag_to(page.locator("#stage-no_response"))
    expect(page.locator("#stage-no_response .board-card", has_text="Alex Johnson")).to_be_visible()


def test_dropping_a_card_on_an_illegal_column_does_nothing(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    from outreach.models import Conversation

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/pipeline/")
    page.locator(".board-card", has_text="Alex Johnson").drag_to(page.locator("#stage-thanked"))
    expect(page.locator("#stage-requested .board-card", has_text="Alex Johnson")).to_be_visible()
    assert Conversation.objects.get(owner__username="demo", contact__first_name="Alex").stage == "requested"
