"""The Duplicates page with its side-by-side merge, and the contacts list's bulk bar (issue #10)."""

import pytest
from django.urls import reverse

from contacts.models import Contact
from contacts.services import company_create, contact_create
from crm.models import Note
from crm.services import note_create
from outreach.models import Conversation
from outreach.services import conversation_create
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(user):
    acme = company_create(owner=user, name="Acme")
    first = contact_create(owner=user, first_name="Priya", last_name="Raman", company=acme)
    second = contact_create(owner=user, first_name="priya", last_name="RAMAN", company=acme, email="p@x.com")
    note_create(owner=user, contact=second, body="Met at the meetup")
    return first, second


def test_the_contacts_page_links_to_duplicates(web):
    assert reverse("contact_duplicates") in web.get(reverse("contact_list")).content.decode()


def test_duplicates_page_shows_each_group_side_by_side_with_merge_buttons(web, twins):
    first, second = twins
    page = web.get(reverse("contact_duplicates"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Same name at the same company" in html
    assert "p@x.com" in html and "1 note" in html
    assert reverse("contact_merge", args=[first.pk]) in html
    assert reverse("contact_merge", args=[second.pk]) in html
    assert f"Keep Priya Raman (#{first.pk}) and merge priya RAMAN (#{second.pk}) into it" in html
    assert "data-confirm=" in html


def test_duplicates_page_without_duplicates_says_so(web, user):
    contact_create(owner=user, first_name="Solo")
    assert "No duplicates" in web.get(reverse("contact_duplicates")).content.decode()


def test_duplicates_page_is_bounded(web, user, django_assert_max_num_queries):
    acme = company_create(owner=user, name="Acme")
    for i in range(25):
        contact_create(owner=user, first_name=f"A{i}", email=f"a{i}@x.com")
        contact_create(owner=user, first_name=f"B{i}", email=f"A{i}@X.COM")
    for _ in range(9):
        contact_create(owner=user, first_name="Many", company=acme)
    with django_assert_max_num_queries(20):
        html = web.get(reverse("contact_duplicates")).content.decode()
    assert html.count('class="card dup-group"') == 10
    assert "Page 1 of 3" in html
    assert "Page 3 of 3" in web.get(reverse("contact_duplicates"), {"page": 3}).content.decode()
    big = web.get(reverse("contact_duplicates"), {"page": 3}).content.decode()
    assert "9 contacts, the first 6 shown" in big


def test_merge_from_the_page_keeps_the_chosen_one_and_moves_the_rest(web, twins):
    first, second = twins
    response = web.post(
        reverse("contact_merge", args=[first.pk]), {"other": second.pk, "next": reverse("contact_duplicates")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("contact_duplicates")
    assert not Contact.objects.filter(pk=second.pk).exists()
    first.refresh_from_db()
    assert first.email == "p@x.com"
    assert Note.objects.get().contact_id == first.pk
    page = web.get(response["Location"]).content.decode()
    assert "Merged priya RAMAN into Priya Raman" in page
    assert "No duplicates" in page


def test_merging_with_itself_on_the_page_says_why_and_changes_nothing(web, twins):
    first, _ = twins
    response = web.post(reverse("contact_merge", args=[first.pk]), {"other": first.pk}, follow=True)
    assert "cannot be merged with itself" in response.content.decode()
    assert Contact.objects.filter(pk=first.pk).exists()


def test_merging_another_users_contact_on_the_page_is_404(web, other_user, twins):
    first, _ = twins
    theirs = ContactFactory(owner=other_user)
    assert web.post(reverse("contact_merge", args=[first.pk]), {"other": theirs.pk}).status_code == 404
    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_merge_needs_post(web, twins):
    first, second = twins
    assert web.get(reverse("contact_merge", args=[first.pk]), {"other": second.pk}).status_code == 405


# --- bulk bar ------------------------------------------------------------------------------


def test_the_list_has_a_labelled_checkbox_per_row_and_the_bulk_bar(web, user):
    ana = contact_create(owner=user, first_name="Ana", last_name="Lee")
    html = web.get(reverse("contact_list")).content.decode()
    assert f'id="pick-{ana.pk}" name="ids" value="{ana.pk}" form="bulk-form"' in html
    assert "Select Ana Lee" in html
    assert 'id="bulk-form"' in html and 'for="bulk-action"' in html and 'for="bulk-tag"' in html
    assert 'id="select-all"' in html


def test_bulk_tag_from_the_list_tags_the_ticked_contacts_and_returns_to_the_filter(web, user):
    ana, ben, cy = (contact_create(owner=user, first_name=name) for name in ("Ana", "Ben", "Cy"))
    response = web.post(
        reverse("contact_bulk"),
        {"ids": [ana.pk, ben.pk], "action": "tag", "value_tag": "fintech", "filter": "q=a&page=2"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contact_list") + "?q=a"
    assert set(Contact.objects.filter(tags__name="fintech").values_list("pk", flat=True)) == {ana.pk, ben.pk}
    assert "Add tag: 2 contacts." in web.get(response["Location"]).content.decode()


def test_bulk_on_all_matching_the_filter_uses_the_filter_not_the_ticks(web, user):
    designers = [contact_create(owner=user, first_name=f"D{i}", relationship="designer") for i in range(3)]
    engineer = contact_create(owner=user, first_name="E", relationship="engineer")
    web.post(
        reverse("contact_bulk"),
        {"scope": "filter", "filter": "relationship=designer", "action": "archive", "ids": [engineer.pk]},
    )
    assert set(Contact.objects.filter(archived=True)) == set(designers)


def test_bulk_plan_from_the_list_reports_the_skipped(web, user):
    ana, ben = (contact_create(owner=user, first_name=name) for name in ("Ana", "Ben"))
    conversation_create(owner=user, contact=ben, kind="coffee_chat")
    response = web.post(
        reverse("contact_bulk"), {"ids": [ana.pk, ben.pk], "action": "plan", "value_kind": "coffee_chat"}, follow=True
    )
    html = response.content.decode()
    assert "Plan a request: 1 request planned. Skipped 1: Ben (already has an open coffee chat (planned))." in html
    assert Conversation.objects.filter(contact=ana, stage="planned").count() == 1


def test_bulk_with_a_foreign_id_changes_nothing_and_says_so(web, user, other_user):
    ana = contact_create(owner=user, first_name="Ana")
    theirs = ContactFactory(owner=other_user)
    response = web.post(reverse("contact_bulk"), {"ids": [ana.pk, theirs.pk], "action": "archive"}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert not Contact.objects.filter(archived=True).exists()


def test_bulk_without_ticks_or_with_a_bad_value_says_so(web, user):
    ana = contact_create(owner=user, first_name="Ana")
    html = web.post(reverse("contact_bulk"), {"action": "archive"}, follow=True).content.decode()
    assert "Tick at least one contact" in html
    html = web.post(
        reverse("contact_bulk"), {"ids": [ana.pk], "action": "set_cadence", "value_cadence": "0"}, follow=True
    ).content.decode()
    assert "between reconnects" in html
    ana.refresh_from_db()
    assert ana.reconnect_every_days is None


def test_bulk_cadence_empty_clears_it(web, user):
    ana = contact_create(owner=user, first_name="Ana", reconnect_every_days=30)
    web.post(reverse("contact_bulk"), {"ids": [ana.pk], "action": "set_cadence", "value_cadence": ""})
    ana.refresh_from_db()
    assert ana.reconnect_every_days is None


def test_every_bulk_action_has_a_label():
    from crm.services import CONTACT_BULK_ACTIONS
    from crm.views.contacts import BULK_ACTION_LABELS

    assert tuple(BULK_ACTION_LABELS) == CONTACT_BULK_ACTIONS
