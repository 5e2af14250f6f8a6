"""POST /api/v1/contacts/{id}/merge/ (issue #10): everything of `other` moves onto the kept
contact, its empty fields are filled, and `other` is deleted, in one transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact, ContactEvent
from contacts.services import company_create, contact_create, contact_merge
from contacts.signals import contact_merging
from crm.models import Note, Opportunity
from crm.services import note_create, opportunity_create
from outreach.models import Conversation, FollowUp, Reminder, Touch
from outreach.services import (
    conversation_create,
    conversation_transition,
    follow_up_complete,
    follow_up_create,
    touch_create,
)
from tests.api.conftest import seed_account
from tests.factories import ContactFactory, digest_day

pytestmark = pytest.mark.django_db


def _merge(client, keep, other):
    return client.post(f"/api/v1/contacts/{keep.pk}/merge/", {"other": other.pk}, format="json")


@pytest.fixture
def pair(user):
    """Two contacts that are one person: the kept one thin, the duplicate with an item of each kind."""
    acme = company_create(owner=user, name="Acme")
    keep = contact_create(owner=user, first_name="Priya", last_name="Raman", tags=["mentor"])
    other = contact_create(
        owner=user,
        first_name="Priya",
        last_name="R.",
        email="priya@example.com",
        linkedin_url="https://www.linkedin.com/in/priya-raman/",
        company=acme,
        title="Senior PM",
        relationship="product_manager",
        source="slack_community",
        how_we_met="Mind the Product",
        reconnect_every_days=30,
        tags=["fintech", "Mentor"],
    )
    return keep, other


def _one_of_each(user, other, keep):
    """Rows of every kind that point at `other` (and a referral each way)."""
    now = timezone.now()
    conv = conversation_create(owner=user, contact=other, kind="coffee_chat")
    conversation_transition(conversation=conv, to_stage="requested")
    planned = conversation_create(owner=user, contact=other, kind="informational_interview")
    note = note_create(owner=user, contact=other, conversation=conv, body="Advice", kind="advice")
    follow_up = follow_up_create(owner=user, contact=other, kind="send_material", title="Send deck", due_at=now)
    shared_touch = touch_create(owner=user, contacts=[other, keep], at=now - timedelta(days=3), channel="event")
    own_touch = touch_create(owner=user, contacts=[other], at=now - timedelta(days=2), channel="slack")
    opportunity = opportunity_create(owner=user, title="APM", referrer=other)
    event = ContactEvent.objects.create(owner=user, contact=other, kind="job_change", summary="Moved to Acme")
    referred = contact_create(owner=user, first_name="Sam", referred_by=other)
    referrer = contact_create(owner=user, first_name="Lee")
    Contact.objects.filter(pk=other.pk).update(referred_by=referrer)
    return {
        "conversations": {conv.pk, planned.pk},
        "note": note,
        "follow_up": follow_up,
        "touches": {shared_touch.pk, own_touch.pk},
        "opportunity": opportunity,
        "event": event,
        "referred": referred,
        "referrer": referrer,
    }


def test_merge_keeps_every_related_row_on_the_kept_contact(api_client, user, pair):
    keep, other = pair
    rows = _one_of_each(user, other, keep)
    response = _merge(api_client, keep, other)
    assert response.status_code == 200, response.content
    assert not Contact.objects.filter(pk=other.pk).exists()
    assert set(Conversation.objects.filter(contact=keep).values_list("pk", flat=True)) == rows["conversations"]
    assert Note.objects.get(pk=rows["note"].pk).contact_id == keep.pk
    assert FollowUp.objects.get(pk=rows["follow_up"].pk).contact_id == keep.pk
    # The nudge opened by the request moved too.
    assert FollowUp.objects.filter(contact=keep, kind="nudge", status="open").count() == 1
    assert set(Touch.objects.filter(contacts=keep).values_list("pk", flat=True)) == rows["touches"]
    assert Touch.objects.get(pk=min(rows["touches"])).contacts.count() == 1  # the shared touch: keep once
    assert Opportunity.objects.get(pk=rows["opportunity"].pk).referrer_id == keep.pk
    assert ContactEvent.objects.get(pk=rows["event"].pk).contact_id == keep.pk
    assert Contact.objects.get(pk=rows["referred"].pk).referred_by_id == keep.pk
    body = response.json()
    assert body["referred_by"] == rows["referrer"].pk
    assert sorted(body["tags"]) == ["fintech", "mentor"]


def test_merge_fills_only_the_empty_fields_of_the_kept_contact(api_client, user, pair):
    keep, other = pair
    Contact.objects.filter(pk=keep.pk).update(title="Group PM", relationship="other", source="event")
    body = _merge(api_client, keep, other).json()
    assert body["first_name"] == "Priya" and body["last_name"] == "Raman"  # kept's own
    assert body["title"] == "Group PM"  # kept's own
    assert body["source"] == "event"  # kept's own
    assert body["relationship"] == "product_manager"  # "other" counts as unknown: filled
    assert body["email"] == "priya@example.com"
    assert body["linkedin_url"] == "https://www.linkedin.com/in/priya-raman"  # unique per owner, moved
    assert body["company_name"] == "Acme"
    assert body["how_we_met"] == "Mind the Product"
    assert body["reconnect_every_days"] == 30


def test_merge_keeps_the_later_last_contact_and_one_open_reconnect(user, pair, api_client):
    keep, other = pair
    Contact.objects.filter(pk=keep.pk).update(reconnect_every_days=60)
    keep.refresh_from_db()
    earlier, later = timezone.now() - timedelta(days=20), timezone.now() - timedelta(days=5)
    for contact, at in ((keep, earlier), (other, later)):
        reconnect = follow_up_create(owner=user, contact=contact, kind="reconnect", title="Reconnect", due_at=at)
        follow_up_complete(follow_up=reconnect, at=at)  # a touch at `at`, opening the next reconnect
    assert FollowUp.objects.filter(kind="reconnect", status="open").count() == 2
    assert _merge(api_client, keep, other).status_code == 200
    keep.refresh_from_db()
    assert keep.last_contacted_at == later
    open_reconnects = FollowUp.objects.filter(contact=keep, kind="reconnect", status="open")
    assert open_reconnects.count() == 1
    assert open_reconnects.get().due_at == digest_day(later, 60)  # kept's cadence, latest touch
    assert FollowUp.objects.filter(contact=keep, kind="reconnect", status="cancelled").count() == 1
    assert not Reminder.objects.filter(follow_up__status="cancelled", status="pending").exists()


def test_merging_a_contact_with_itself_is_400(api_client, pair):
    keep, _ = pair
    response = _merge(api_client, keep, keep)
    assert response.status_code == 400
    assert "itself" in response.json()["other"][0]
    assert Contact.objects.filter(pk=keep.pk).exists()


def test_another_users_contact_as_other_is_400_and_nothing_changes(api_client, other_user, pair):
    keep, _ = pair
    theirs = ContactFactory(owner=other_user, first_name="Mallory")
    response = _merge(api_client, keep, theirs)
    assert response.status_code == 400
    assert "not found" in response.json()["other"][0].lower()
    assert Contact.objects.filter(pk=theirs.pk, owner=other_user).exists()
    keep.refresh_from_db()
    assert keep.email == ""


def test_another_users_contact_as_the_kept_one_is_404(other_api_client, pair):
    keep, other = pair
    assert _merge(other_api_client, keep, other).status_code == 404
    assert Contact.objects.filter(pk__in=[keep.pk, other.pk]).count() == 2


def test_a_missing_other_is_400(api_client, pair):
    keep, _ = pair
    response = api_client.post(f"/api/v1/contacts/{keep.pk}/merge/", {}, format="json")
    assert response.status_code == 400
    assert "other" in response.json()


def test_a_row_no_app_moves_stops_the_merge_and_nothing_changes(user, pair):
    """The guard behind the signal: if an app forgot to answer contact_merging, the merge
    rolls back instead of deleting that app's rows with `other`."""
    keep, other = pair
    note = note_create(owner=user, contact=other, body="Keep me")
    receiver = "crm.contact_merge_notes_and_opportunities"
    from crm import signals as crm_signals

    contact_merging.disconnect(dispatch_uid=receiver)
    try:
        with pytest.raises(RuntimeError, match="crm.Note"):
            contact_merge(keep=keep, other=other)
    finally:
        contact_merging.connect(crm_signals._merge_notes_and_opportunities, dispatch_uid=receiver)
    assert Note.objects.get(pk=note.pk).contact_id == other.pk
    assert Contact.objects.filter(pk=other.pk).exists()
    keep.refresh_from_db()
    assert keep.email == ""


def test_the_seeded_account_merges_without_losing_a_row(user, api_client):
    """seed_account holds a row of every model that names a user: merging its contacts keeps
    every one of them (a model added later that no receiver moves fails here)."""
    seed_account(user, n=2)
    first, second = Contact.objects.filter(owner=user).order_by("pk")[:2]
    before = {
        model.__name__: model.objects.filter(owner=user).count()
        for model in (Conversation, FollowUp, Note, Opportunity, Touch, ContactEvent)
    }
    assert _merge(api_client, first, second).status_code == 200
    after = {name: count for name, count in before.items()}
    for model in (Conversation, FollowUp, Note, Opportunity, Touch, ContactEvent):
        after[model.__name__] = model.objects.filter(owner=user).count()
    assert after == before
    assert Conversation.objects.filter(owner=user).exclude(contact=first).count() == 0
