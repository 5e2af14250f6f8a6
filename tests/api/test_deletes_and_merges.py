"""Deleting conversations and contacts through the API takes their history (and every pending
reminder) with them; companies and tags merge and delete without losing a contact."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from contacts.models import Company, Contact, Tag
from contacts.services import company_create, contact_create
from crm.models import Note
from crm.services import note_create, opportunity_create
from outreach.models import Conversation, FollowUp, Reminder, StageChange, Touch
from outreach.services import conversation_transition, follow_up_create, touch_create
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 5, 4, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sweep():
    call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))


@pytest.fixture
def contact(user):
    return ContactFactory(owner=user, first_name="Grace", last_name="Hopper")


@pytest.fixture
def scheduled(user, contact):
    """A chat in two hours (prep and heads-up reminders pending), a follow-up due in one hour."""
    conv = conversation(user, contact)
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(hours=2))
    follow_up_create(
        owner=user,
        contact=contact,
        conversation=conv,
        kind="send_material",
        title="Deck",
        due_at=NOW + timedelta(hours=1),
    )
    note_create(owner=user, contact=contact, conversation=conv, body="Met at the meetup")
    return conv


def test_deleting_a_conversation_takes_its_history_and_reminders(api_client, scheduled, contact, clock):
    assert Reminder.objects.filter(status="pending").count() >= 2
    assert api_client.delete(f"/api/v1/conversations/{scheduled.pk}/").status_code == 204
    assert not Conversation.objects.exists()
    assert not StageChange.objects.exists()
    assert not FollowUp.objects.filter(conversation_id=scheduled.pk).exists()
    assert not Reminder.objects.exclude(kind="daily_digest").exists()
    # The note about it stays with the contact.
    assert Note.objects.get().conversation is None
    assert Note.objects.get().contact == contact


def test_no_email_is_ever_sent_for_a_deleted_conversation(api_client, user, scheduled, clock):
    user.profile.daily_digest = user.profile.weekly_review = False
    user.profile.save()
    api_client.delete(f"/api/v1/conversations/{scheduled.pk}/")
    for hours in (1, 2, 3, 25):
        clock.move_to(NOW + timedelta(hours=hours))
        sweep()
    assert mail.outbox == []


def test_a_reminder_claimed_before_the_delete_is_not_sent_after_it(api_client, user, scheduled, clock):
    """A sweep claimed the row and queued its send; the conversation is deleted before the worker runs."""
    from outreach.reminders import claim_due_reminders, deliver_reminder

    clock.move_to(NOW + timedelta(hours=1, minutes=5))
    claimed = claim_due_reminders()
    assert claimed
    api_client.delete(f"/api/v1/conversations/{scheduled.pk}/")
    assert [deliver_reminder(reminder_id) for reminder_id in claimed] == ["skipped"] * len(claimed)
    assert mail.outbox == []


def test_another_users_conversation_cannot_be_deleted(other_api_client, scheduled):
    assert other_api_client.delete(f"/api/v1/conversations/{scheduled.pk}/").status_code == 404
    assert Conversation.objects.filter(pk=scheduled.pk).exists()


def test_deleting_a_contact_keeps_shared_touches_and_referrals(api_client, user, scheduled, contact):
    other = ContactFactory(owner=user, first_name="Ada", referred_by=contact)
    alone = touch_create(owner=user, contacts=[contact], at=NOW, channel="slack", summary="alone")
    shared = touch_create(owner=user, contacts=[contact, other], at=NOW, channel="event", summary="meetup")
    opportunity = opportunity_create(owner=user, title="APM", referrer=contact)
    assert api_client.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204
    assert list(Contact.objects.all()) == [other]
    assert not Touch.objects.filter(pk=alone.pk).exists()
    assert list(Touch.objects.get(pk=shared.pk).contacts.all()) == [other]
    other.refresh_from_db()
    opportunity.refresh_from_db()
    assert other.referred_by is None and opportunity.referrer is None
    assert not Conversation.objects.exists() and not Note.objects.exists() and not FollowUp.objects.exists()
    assert not Reminder.objects.exclude(kind="daily_digest").exists()


# --- companies and tags ----------------------------------------------------------------------------


@pytest.fixture
def two_companies(user):
    acme = company_create(owner=user, name="Acme")
    acme_inc = company_create(owner=user, name="Acme Inc", website="https://acme.example")
    grace = contact_create(owner=user, first_name="Grace", company=acme_inc, tags=["mentor"])
    ada = contact_create(owner=user, first_name="Ada", company=acme, tags=["fintech"])
    opportunity = opportunity_create(owner=user, title="APM", company=acme_inc)
    return acme, acme_inc, grace, ada, opportunity


def test_merging_a_company_moves_its_contacts_and_opportunities(api_client, two_companies):
    acme, acme_inc, grace, ada, opportunity = two_companies
    response = api_client.post(f"/api/v1/companies/{acme.pk}/merge/", {"other": acme_inc.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["contact_count"] == 2
    assert response.json()["website"] == "https://acme.example"  # filled from the merged one
    assert list(Company.objects.values_list("name", flat=True)) == ["Acme"]
    grace.refresh_from_db()
    opportunity.refresh_from_db()
    assert grace.company == acme and opportunity.company == acme


def test_a_company_cannot_be_merged_with_itself_or_another_users(api_client, other_user, two_companies):
    acme, *_ = two_companies
    theirs = company_create(owner=other_user, name="Theirs")
    response = api_client.post(f"/api/v1/companies/{acme.pk}/merge/", {"other": acme.pk}, format="json")
    assert response.status_code == 400
    assert "itself" in response.json()["detail"]
    response = api_client.post(f"/api/v1/companies/{acme.pk}/merge/", {"other": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "not found" in response.json()["other"][0].lower()
    assert Company.objects.count() == 3


def test_renaming_a_company_to_a_name_it_has_in_another_case_is_a_field_error(api_client, two_companies):
    acme, acme_inc, *_ = two_companies
    response = api_client.patch(f"/api/v1/companies/{acme_inc.pk}/", {"name": "ACME"}, format="json")
    assert response.status_code == 400
    assert "already have a company" in response.json()["name"][0]
    acme_inc.refresh_from_db()
    assert acme_inc.name == "Acme Inc"


def test_deleting_a_company_keeps_its_contacts(api_client, two_companies):
    acme, acme_inc, grace, ada, opportunity = two_companies
    assert api_client.delete(f"/api/v1/companies/{acme_inc.pk}/").status_code == 204
    grace.refresh_from_db()
    opportunity.refresh_from_db()
    assert grace.company is None and opportunity.company is None


def test_merging_a_tag_tags_its_contacts_with_the_kept_one(api_client, two_companies):
    acme, acme_inc, grace, ada, _ = two_companies
    mentor, fintech = Tag.objects.get(name="mentor"), Tag.objects.get(name="fintech")
    ada.tags.add(mentor)  # already has both: no duplicate
    response = api_client.post(f"/api/v1/tags/{mentor.pk}/merge/", {"other": fintech.pk}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id": mentor.pk, "name": "mentor", "contact_count": 2}
    assert list(Tag.objects.values_list("name", flat=True)) == ["mentor"]
    assert list(ada.tags.values_list("name", flat=True)) == ["mentor"]


def test_a_tag_cannot_be_merged_with_another_users(api_client, other_api_client, other_user, two_companies):
    mentor = Tag.objects.get(name="mentor")
    theirs = Tag.objects.create(owner=other_user, name="theirs")
    response = api_client.post(f"/api/v1/tags/{mentor.pk}/merge/", {"other": theirs.pk}, format="json")
    assert response.status_code == 400
    response = other_api_client.post(f"/api/v1/tags/{theirs.pk}/merge/", {"other": mentor.pk}, format="json")
    assert response.status_code == 400
    assert (
        other_api_client.post(f"/api/v1/tags/{mentor.pk}/merge/", {"other": theirs.pk}, format="json").status_code
        == 404
    )
    assert Tag.objects.count() == 3


def test_deleting_a_tag_keeps_its_contacts(api_client, two_companies):
    _, _, grace, *_ = two_companies
    assert api_client.delete(f"/api/v1/tags/{Tag.objects.get(name='mentor').pk}/").status_code == 204
    assert Contact.objects.filter(pk=grace.pk, tags__isnull=True).exists()


@pytest.mark.parametrize(("url", "limit"), [("/api/v1/companies/", 200), ("/api/v1/tags/", 50)])
def test_over_long_names_are_a_400_and_write_nothing(api_client, url, limit):
    assert api_client.post(url, {"name": "n" * (limit + 1)}, format="json").status_code == 400
    assert api_client.post(url, {"name": "n" * limit}, format="json").status_code == 201
    assert api_client.get(url).json()["count"] == 1
