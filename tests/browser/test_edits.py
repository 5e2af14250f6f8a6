"""Edit and delete in a real browser (#10): a note deleted and brought back with Undo, in place;
the Undo going away when its 10 seconds are over; the new pages at 375 px."""

import re

import pytest

from crm.models import Note
from crm.services import note_create
from tests.browser.conftest import has_horizontal_scroll
from tests.factories import ContactFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def world(transactional_db):
    user = UserFactory(username="nina", email="nina@example.com")
    user.set_password("correct horse battery")
    user.save()
    contact = ContactFactory(owner=user, first_name="Priya", last_name="Raman")
    note = note_create(owner=user, contact=contact, body="Loves **metrics**", kind="advice")
    return user, contact, note


def test_a_note_is_deleted_and_brought_back_with_undo(world, page, live_server, log_in):
    _, contact, note = world
    log_in(page, "nina", "correct horse battery")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    box = page.locator(f"#note-{note.pk}")
    box.get_by_role("button", name=re.compile("Delete this advice note")).click()
    status = page.locator(f"#note-{note.pk} [role=status]")
    status.wait_for()
    assert status.inner_text() == "Note deleted."
    assert not Note.objects.filter(pk=note.pk).exists()
    page.locator(f"#note-{note.pk}").get_by_role("button", name="Undo").click()
    page.locator(f"#note-{note.pk} .note-body strong").wait_for()
    assert page.locator(f"#note-{note.pk} .note-body").inner_text().strip() == "Loves metrics"
    assert Note.objects.filter(pk=note.pk).exists()
    # Still there after a reload (the page is the server's state, not the script's).
    page.reload()
    assert page.locator(f"#note-{note.pk} .note-body").inner_text().strip() == "Loves metrics"


def test_the_undo_goes_when_its_window_is_over(world, page, live_server, log_in):
    _, contact, note = world
    log_in(page, "nina", "correct horse battery")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    page.locator(f"#note-{note.pk}").get_by_role("button", name=re.compile("Delete")).click()
    page.locator(f"#note-{note.pk}").get_by_role("button", name="Undo").wait_for()
    page.wait_for_timeout(10_500)
    assert page.locator(f"#note-{note.pk}").get_by_role("button", name="Undo").count() == 0
    assert page.locator(f"#note-{note.pk} [role=status]").inner_text() == "Note deleted for good."


def test_a_note_is_edited_in_place(world, page, live_server, log_in):
    _, contact, note = world
    log_in(page, "nina", "correct horse battery")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    page.locator(f"#note-{note.pk}").get_by_role("link", name=re.compile("Edit this advice note")).click()
    field = page.locator(f"#note-{note.pk} textarea")
    field.fill("Hiring *freeze* until Q3")
    page.locator(f"#note-{note.pk}").get_by_role("button", name="Save note").click()
    page.locator(f"#note-{note.pk} .note-body em").wait_for()
    assert page.url.endswith(f"/contacts/{contact.pk}/")  # no full page load
    assert Note.objects.get(pk=note.pk).body == "Hiring *freeze* until Q3"


def test_the_new_pages_fit_a_375px_screen(world, phone_page, live_server, log_in):
    _, contact, note = world
    log_in(phone_page, "nina", "correct horse battery")
    company = contact.company
    for path in [
        f"/contacts/{contact.pk}/",
        f"/contacts/{contact.pk}/delete/",
        f"/notes/{note.pk}/edit/",
        "/companies/",
        "/tags/",
        *([f"/companies/{company.pk}/merge/", f"/companies/{company.pk}/rename/"] if company else []),
    ]:
        phone_page.goto(live_server.url + path)
        assert not has_horizontal_scroll(phone_page), path
