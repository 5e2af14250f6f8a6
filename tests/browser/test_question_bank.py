"""The outreach check's hints on the request form in Chromium (#14): shown on load, updated
(debounced) as the message is edited, announced politely, never blocking the send; and the
question bank and "Build agenda" by keyboard and click. Screenshots under var/screenshots/."""

import re

import pytest

from outreach.models import Conversation
from outreach.services import conversation_transition
from tests.factories import CompanyFactory, ContactFactory, UserFactory, conversation

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a long pass phrase"


def _axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    return Axe().run(page).response["violations"]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_request_form_hints_follow_the_message(request, live_server, log_in, screenshot, width):
    from playwright.sync_api import expect

    page = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    user = UserFactory(username=f"asker-{width}", email=f"asker-{width}@example.com", password=PASSWORD)
    contact = ContactFactory(
        owner=user,
        first_name="Priya",
        last_name="Raman",
        company=CompanyFactory(owner=user, name="Shopify"),
        how_we_met="Mind the Product meetup",
    )
    log_in(page, user.username, PASSWORD)
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    # htmx must be listening before the template changes (its "load" requests done).
    page.wait_for_load_state("networkidle")
    page.get_by_label("Template").select_option(label="Informational interview request")
    hints = page.locator("#outreach-hints")
    expect(hints).to_have_attribute("aria-live", "polite")
    body = page.locator("#rq-body")
    # The chosen template has arrived (it replaces the form's message), and it follows the
    # method, so the check says so.
    expect(body).to_have_value(re.compile(r"at Shopify stood out to me"))
    expect(hints.locator("[data-code=ok]")).to_be_visible()

    body.fill("Hi Priya, I'm switching careers. Could we talk about your work?")
    expect(hints.locator("[data-code=no_connection]")).to_be_visible()
    body.fill("Hi Priya, I am looking for a job. Is your team hiring? I would love to hear from you.")
    expect(hints.locator("[data-code=asks_for_job]")).to_contain_text("“job” and “hiring”")
    expect(hints.locator("[data-code=about_me]")).to_be_visible()
    assert _axe(page) == []
    screenshot(page, f"request-form-hints-{width}")

    body.fill("Hi Priya, we met at the Mind the Product meetup. What would you advise someone moving into product?")
    expect(hints.locator("[data-code=ok]")).to_be_visible()
    expect(hints.locator("li")).to_have_count(0)

    # The hints never block: a message with findings is sent all the same.
    body.fill("Hi Priya, I want a job.")
    expect(hints.locator("[data-code=asks_for_job]")).to_be_visible()
    page.get_by_role("button", name="I sent it — mark as requested").click()
    expect(page.get_by_text("Request to Priya Raman recorded")).to_be_visible()
    assert Conversation.objects.get(owner=user, contact=contact).message_body == "Hi Priya, I want a job."


def test_question_bank_and_build_agenda(page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    user = UserFactory(username="planner", email="planner@example.com", password=PASSWORD)
    chat = conversation(user, kind="informational_interview")
    conversation_transition(conversation=chat, to_stage="requested")
    log_in(page, "planner", PASSWORD)

    page.goto(f"{live_server.url}/questions/")
    page.get_by_label("For a", exact=True).select_option("informational_interview")
    page.get_by_role("textbox", name="Question", exact=True).fill(
        "What would you look for in my first 90 days as a PM?"
    )
    page.get_by_role("button", name="Add question").click()
    row = page.locator("li", has_text="What would you look for in my first 90 days as a PM?")
    expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("^Move up")).click()
    assert _axe(page) == []
    screenshot(page, "questions")

    page.goto(f"{live_server.url}/conversations/{chat.pk}/")
    page.get_by_label("What would you look for in my first 90 days as a PM?").check()
    page.get_by_label("What surprised you most when you moved into product?").check()
    page.get_by_role("button", name="Add to agenda").click()
    expect(page.get_by_text("Pick 3 to 5 questions (got 2).")).to_be_visible()
    page.get_by_label("What would you look for in my first 90 days as a PM?").check()
    page.get_by_label("What surprised you most when you moved into product?").check()
    page.get_by_label("Which books, newsletters or communities taught you the most about product?").check()
    page.get_by_role("button", name="Add to agenda").click()
    agenda = page.locator("ol.agenda li")
    expect(agenda).to_have_count(3)
    expect(agenda.first).to_have_text("What surprised you most when you moved into product?")
    assert _axe(page) == []
    screenshot(page, "conversation-agenda")


def test_questions_and_agenda_fit_a_375px_phone_with_44px_targets(phone_page, live_server, log_in, screenshot):
    from tests.browser.conftest import has_horizontal_scroll
    from tests.browser.test_pages_fresh_and_phone import SMALL_TARGETS_JS

    user = UserFactory(username="thumb", email="thumb@example.com", password=PASSWORD)
    chat = conversation(user, kind="informational_interview")
    log_in(phone_page, "thumb", PASSWORD)
    for name, path in (("questions", "/questions/"), ("conversation-agenda", f"/conversations/{chat.pk}/")):
        phone_page.goto(live_server.url + path)
        phone_page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert not has_horizontal_scroll(phone_page), path
        assert phone_page.evaluate(SMALL_TARGETS_JS) == [], path
        assert _axe(phone_page) == [], path
        screenshot(phone_page, f"{name}-375px")
