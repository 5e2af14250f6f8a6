"""The contacts list's bulk bar and the Duplicates page's merge, in real Chromium (issue #10)."""

import pytest

from contacts.models import Contact
from contacts.services import company_create, contact_create
from tests.browser.conftest import has_horizontal_scroll
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def ada(live_server):
    user = UserFactory(username="ada")
    acme = company_create(owner=user, name="Acme")
    for name in ("Ana", "Ben", "Cy"):
        contact_create(owner=user, first_name=name, last_name="Lee", company=acme)
    contact_create(owner=user, first_name="Priya", last_name="Raman", company=acme)
    contact_create(owner=user, first_name="PRIYA", last_name="raman", company=acme, email="priya@x.com")
    return user


def test_the_bulk_bar_tags_every_contact_on_the_page_from_the_keyboard(ada, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "ada", PASSWORD)
    page.goto(f"{live_server.url}/contacts/?q=lee")
    expect(page.locator("#contact-results")).to_contain_text("3 contacts")
    # Only the chosen action's value field shows.
    expect(page.get_by_label("Tag name")).to_be_visible()
    expect(page.get_by_label("Kind of ask")).to_be_hidden()
    page.get_by_label("Select all 3 on this page").focus()
    page.keyboard.press("Space")
    expect(page.locator("#bulk-count")).to_have_text("(3 ticked)")
    page.get_by_label("Select Ben Lee").focus()
    page.keyboard.press("Space")  # untick one: select-all is now partial
    expect(page.locator("#bulk-count")).to_have_text("(2 ticked)")
    assert page.get_by_label("Select all 3 on this page").evaluate("box => box.indeterminate") is True
    page.get_by_label("Select Ben Lee").check()
    page.get_by_label("Action").select_option(label="Add tag")
    page.get_by_label("Tag name").fill("mentors")
    page.get_by_label("Tag name").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Add tag: 3 contacts.")
    assert page.url.endswith("/contacts/?q=lee")  # back on the same filter
    assert set(Contact.objects.filter(tags__name="mentors").values_list("first_name", flat=True)) == {
        "Ana",
        "Ben",
        "Cy",
    }
    page.get_by_label("Action").select_option(label="Plan a request")
    expect(page.get_by_label("Kind of ask")).to_be_visible()
    expect(page.get_by_label("Tag name")).to_be_hidden()


def test_merging_on_the_duplicates_page_after_confirming(ada, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "ada", PASSWORD)
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("link", name="Find duplicates").click()
    expect(page.get_by_role("heading", name="Same name at the same company")).to_be_visible()
    keep = Contact.objects.get(first_name="Priya")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name=f"Keep Priya Raman (#{keep.pk})").click()
    assert "cannot be undone" in dialogs[0]
    assert Contact.objects.filter(last_name__iexact="raman").count() == 2  # dismissed: nothing merged
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Keep Priya Raman (#{keep.pk})").click()
    expect(page.get_by_role("status")).to_contain_text("Merged PRIYA raman into Priya Raman")
    expect(page.get_by_text("No duplicates")).to_be_visible()
    keep.refresh_from_db()
    assert keep.email == "priya@x.com"


def test_the_duplicates_page_and_bulk_bar_fit_a_phone(ada, phone_page, live_server, log_in):
    log_in(phone_page, "ada", PASSWORD)
    for path in ("/contacts/duplicates/", "/contacts/"):
        phone_page.goto(live_server.url + path)
        assert not has_horizontal_scroll(phone_page), path
    box = phone_page.locator("label.pick").first.bounding_box()  # the row's tap target
    assert box["width"] >= 44 and box["height"] >= 44
