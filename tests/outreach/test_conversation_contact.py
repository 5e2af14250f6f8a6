"""A conversation's contact can be corrected before the ask starts, not once it is under way."""

import pytest
import time_machine

from outreach.models import FollowUp
from outreach.services import conversation_transition, follow_up_complete
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 4, 14, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_planned_conversation_can_move_to_another_contact(user, api_client):
    first, second = ContactFactory(owner=user), ContactFactory(owner=user)
    chat = conversation(user, first)
    response = api_client.patch(f"/api/v1/conversations/{chat.pk}/", {"contact": second.pk}, format="json")
    assert (response.status_code, response.json()["contact"]) == (200, second.pk)


def test_a_requested_conversation_keeps_its_contact_and_its_nudge_stays_with_them(user, api_client):
    first, second = ContactFactory(owner=user, first_name="Grace"), ContactFactory(owner=user)
    chat = conversation(user, first)
    conversation_transition(conversation=chat, to_stage="requested")
    response = api_client.patch(f"/api/v1/conversations/{chat.pk}/", {"contact": second.pk}, format="json")
    assert response.status_code == 400
    assert "already under way with Grace" in response.json()["contact"][0]
    chat.refresh_from_db()
    nudge = FollowUp.objects.get(conversation=chat)
    assert (chat.contact_id, nudge.contact_id) == (first.pk, first.pk)
    # Completing the nudge touches the person it was sent to, not someone else.
    follow_up_complete(follow_up=nudge)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_contacted_at, second.last_contacted_at) == (NOW, None)
