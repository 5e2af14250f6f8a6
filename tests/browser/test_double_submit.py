"""Nothing a user does twice happens twice (#10), in Chromium: a double click on "I sent it",
a form sent twice behind the button's back, and Back + resubmit each make one row."""

import pytest

from accounts.services import user_register
from contacts.models import Contact
from outreach.models import Conversation, FollowUp
from tests.factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long pass phrase"


@pytest.fixture
def sam(live_server):
    user = user_register(username="sam", email="sam@example.com", password=PASSWORD)
    contact = ContactFactory(owner=user, first_name="Priya", last_name="Raman")
    return user, contact


@pytest.fixture
def on_contact_page(sam, page, live_server, log_in):
    """Sam, logged in, on Priya's page (with its "I sent it" form)."""
    user, contact = sam
    log_in(page, "sam", PASSWORD)
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    return user, contact


def test_a_double_click_on_i_sent_it_makes_one_request_and_one_nudge(on_contact_page, page, live_server):
    from playwright.sync_api import expect

    user, contact = on_contact_page
    button = page.get_by_role("button", name="I sent it — mark as requested")
    button.dblclick()
    expect(page.get_by_text("Request to Priya Raman recorded")).to_be_visible()
    assert Conversation.objects.filter(owner=user, contact=contact).count() == 1
    assert FollowUp.objects.filter(owner=user, kind="nudge").count() == 1


def test_the_button_is_disabled_while_the_form_is_sent(on_contact_page, page, live_server):
    user, contact = on_contact_page
    state = page.evaluate(
        """async () => {
            // Keep the page: the test's own listener (after app.js's) cancels the navigation.
            document.addEventListener("submit", (event) => event.preventDefault());
            const button = [...document.querySelectorAll("button")].find((b) => b.textContent.includes("I sent it"));
            button.form.requestSubmit(button);
            await new Promise((resolve) => setTimeout(resolve, 50));
            return {disabled: button.disabled, busy: button.getAttribute("aria-busy"),
                    others: [...button.form.querySelectorAll("button[type=submit]")].every((b) => b.disabled)};
        }"""
    )
    assert state == {"disabled": True, "busy": "true", "others": True}
    assert not Conversation.objects.filter(owner=user).exists()


def test_a_form_sent_twice_behind_the_buttons_back_makes_one_row(on_contact_page, page, live_server):
    """Without the button guard (a script, a flaky network resending), the form token alone holds."""
    from playwright.sync_api import expect

    user, contact = on_contact_page
    page.evaluate(
        """() => {
            const form = [...document.forms].find(f => f.action.endsWith('/request/'));
            HTMLFormElement.prototype.submit.call(form);
            HTMLFormElement.prototype.submit.call(form);
        }"""
    )
    page.wait_for_url(f"{live_server.url}/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", name="Priya Raman")).to_be_visible()
    assert Conversation.objects.filter(owner=user, contact=contact).count() == 1
    assert FollowUp.objects.filter(owner=user, kind="nudge").count() == 1


def test_back_and_add_contact_again_shows_the_contact_made_the_first_time(sam, page, live_server, log_in):
    from playwright.sync_api import expect

    user, _ = sam
    log_in(page, "sam", PASSWORD)
    page.goto(f"{live_server.url}/contacts/new/")
    page.get_by_label("First name").fill("Marcus")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Marcus Okafor")).to_be_visible()
    first_url = page.url

    page.go_back()
    expect(page.get_by_label("First name")).to_be_visible()
    page.get_by_label("First name").fill("Marcus")  # a browser that did not keep the field
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Marcus Okafor")).to_be_visible()
    assert page.url == first_url
    assert Contact.objects.filter(owner=user, first_name="Marcus").count() == 1

    # Reached by a link instead of Back, the form is a new one: it makes a new contact.
    page.goto(f"{live_server.url}/contacts/new/")
    page.get_by_label("First name").fill("Marcus")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Marcus Okafor")).to_be_visible()
    assert Contact.objects.filter(owner=user, first_name="Marcus").count() == 2
