"""Changing a contact's reconnect cadence (or archiving them) carries their open reconnect follow-up along."""

import pytest
import time_machine

from outreach.models import FollowUp, Reminder
from outreach.services import follow_up_complete, follow_up_create
from tests.factories import ContactFactory, aware, digest_day

NOW = aware(2026, 5, 4, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def contact_with_reconnect(user):
    contact = ContactFactory(owner=user, reconnect_every_days=90)
    first = follow_up_create(owner=user, contact=contact, kind="reconnect", title="Reconnect", due_at=NOW)
    follow_up_complete(follow_up=first)  # a touch now: the next reconnect is 90 days on
    contact.refresh_from_db()
    return contact


def open_reconnect(contact):
    return FollowUp.objects.filter(contact=contact, kind="reconnect", status="open").first()


def test_a_shorter_cadence_brings_the_reconnect_and_its_email_forward(api_client, contact_with_reconnect):
    assert open_reconnect(contact_with_reconnect).due_at == digest_day(NOW, 90)
    response = api_client.patch(
        f"/api/v1/contacts/{contact_with_reconnect.pk}/", {"reconnect_every_days": 30}, format="json"
    )
    assert response.status_code == 200
    follow_up = open_reconnect(contact_with_reconnect)
    assert follow_up.due_at == digest_day(NOW, 30)
    assert list(Reminder.objects.filter(follow_up=follow_up, status="pending").values_list("send_at", flat=True)) == [
        digest_day(NOW, 30)
    ]


@pytest.mark.parametrize("change", [{"reconnect_every_days": None}, {"archived": True}])
def test_no_cadence_or_archiving_closes_the_reconnect_and_withdraws_its_email(
    api_client, contact_with_reconnect, change
):
    follow_up = open_reconnect(contact_with_reconnect)
    response = api_client.patch(f"/api/v1/contacts/{contact_with_reconnect.pk}/", change, format="json")
    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.status == "cancelled"
    assert not Reminder.objects.filter(follow_up=follow_up, status="pending").exists()


def test_other_edits_leave_the_reconnect_alone(api_client, contact_with_reconnect):
    follow_up = open_reconnect(contact_with_reconnect)
    api_client.patch(f"/api/v1/contacts/{contact_with_reconnect.pk}/", {"title": "Director"}, format="json")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.due_at) == ("open", digest_day(NOW, 90))
