"""Writing to people in Chromium (#10): the message is edited in the box, "Open in e-mail"
follows the edit (compose.js, under the CSP), what is sent is kept and shown, and a nudge
opens a drafted reply in place."""

import re

import pytest

from outreach.models import Conversation
from tests.factories import ContactFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_edited_message_is_what_the_mail_link_opens_and_what_is_kept(page, live_server, log_in):
    from playwright.sync_api import expect

    user = UserFactory(username="writer", email="writer@example.com", password="a long pass phrase")
    contact = ContactFactory(owner=user, first_name="Priya", last_name="Raman", email="priya@example.com")
    log_in(page, "writer", "a long pass phrase")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    # htmx must be listening before the template changes (its "load" requests done).
    page.wait_for_load_state("networkidle")
    page.get_by_label("Template").select_option(label="Internal virtual coffee")
    body = page.locator("#rq-body")
    expect(body).to_have_value(re.compile(r"^Hi Priya,\n\nWe work at the same company"))
    body.fill("Hi Priya, a shorter note in my own words.")
    expect(page.get_by_role("link", name="Open in e-mail")).to_have_attribute(
        "href", re.compile(r"body=Hi%20Priya%2C%20a%20shorter%20note")
    )
    page.get_by_role("button", name="I sent it — mark as requested").click()
    expect(page.get_by_text("Request to Priya Raman recorded")).to_be_visible()
    conversation = Conversation.objects.get(owner=user, contact=contact)
    assert conversation.message_body == "Hi Priya, a shorter note in my own words."

    # The nudge on the contact's page opens a drafted reply in place, editable.
    page.get_by_role("link", name=re.compile("Draft the message")).click()
    draft = page.locator(".draft textarea")
    expect(draft).to_have_value(re.compile(r"^Hi Priya,\n\nJust bumping"))
    draft.fill("Hi Priya, just checking in.")
    expect(page.locator(".draft").get_by_role("link", name="Open in e-mail")).to_have_attribute(
        "href", re.compile(r"body=Hi%20Priya%2C%20just%20checking%20in\.")
    )
