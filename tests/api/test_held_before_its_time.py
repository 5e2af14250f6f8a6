"""A chat marked held before its scheduled time must say when it really happened (`held_at`,
not in the future); that moment becomes the chat's time everywhere."""

from datetime import timedelta

import pytest
import time_machine

from outreach.models import Conversation, FollowUp, StageChange
from tests.factories import aware, conversation

NOW = aware(2026, 3, 10, 15, 0)
CHAT_AT = NOW + timedelta(days=2)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def chat(api_client, user):
    conv = conversation(user)
    url = f"/api/v1/conversations/{conv.pk}/transition/"
    api_client.post(url, {"stage": "requested"}, format="json")
    scheduled = api_client.post(url, {"stage": "scheduled", "scheduled_for": CHAT_AT.isoformat()}, format="json")
    assert scheduled.status_code == 200
    return conv


def _hold(api_client, conv, **body):
    return api_client.post(f"/api/v1/conversations/{conv.pk}/transition/", {"stage": "held", **body}, format="json")


def test_held_before_its_time_without_held_at_is_a_400_that_changes_nothing(api_client, chat):
    response = _hold(api_client, chat)
    assert response.status_code == 400
    assert "held_at" in response.json()
    chat.refresh_from_db()
    assert chat.stage == "scheduled" and chat.held_at is None
    assert not FollowUp.objects.filter(conversation=chat, kind="thank_you").exists()


def test_held_at_in_the_future_is_refused(api_client, chat):
    response = _hold(api_client, chat, held_at=(NOW + timedelta(minutes=5)).isoformat())
    assert response.status_code == 400
    assert "future" in response.json()["held_at"][0]
    assert Conversation.objects.get(pk=chat.pk).stage == "scheduled"


def test_held_at_becomes_the_chats_time_everywhere(api_client, chat):
    happened = NOW - timedelta(hours=3)
    response = _hold(api_client, chat, held_at=happened.isoformat())
    assert response.status_code == 200, response.content
    assert response.json()["held_at"] == "2026-03-10T12:00:00Z"
    assert StageChange.objects.get(conversation=chat, stage="held").at == happened
    thank_you = FollowUp.objects.get(conversation=chat, kind="thank_you")
    assert thank_you.due_at == happened + timedelta(hours=24)
    chat.contact.refresh_from_db()
    assert chat.contact.last_contacted_at == happened


def test_after_its_time_no_held_at_is_needed(api_client, chat):
    with time_machine.travel(CHAT_AT + timedelta(minutes=45), tick=False):
        response = _hold(api_client, chat)
    assert response.status_code == 200
    assert response.json()["held_at"] == "2026-03-12T15:45:00Z"


def test_a_future_at_cannot_mark_a_chat_held_ahead_of_time(api_client, chat):
    """Found by tests/outreach/test_pipeline_state_machine.py: without held_at the move's `at`
    is the chat's time, and it went unchecked, so a chat (and the contact's last touch) could
    be recorded as having happened hours from now."""
    response = _hold(api_client, chat, at=(CHAT_AT + timedelta(hours=1)).isoformat())
    assert response.status_code == 400
    assert "future" in response.json()["at"][0]
    chat.refresh_from_db()
    assert chat.stage == "scheduled" and chat.held_at is None
    chat.contact.refresh_from_db()
    assert chat.contact.last_contacted_at is None
    assert not FollowUp.objects.filter(conversation=chat, kind="thank_you").exists()
