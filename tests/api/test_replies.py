"""POST /api/v1/conversations/{id}/reply/, `replied_at` on the conversation, and the
dashboard's reply_rate beside response_rate (issue #13)."""

from datetime import timedelta

import pytest
import time_machine

from outreach.models import Conversation, FollowUp, Stage
from outreach.services import conversation_reply, conversation_transition
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 3, 2, 15, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def requested(user, days_ago=3):
    ask = conversation(user, ContactFactory(owner=user))
    return conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=NOW - timedelta(days=days_ago))


def test_reply_answers_the_conversation_with_replied_at_and_stops_the_nudge(user, api_client):
    ask = requested(user)
    response = api_client.post(f"/api/v1/conversations/{ask.pk}/reply/", {"at": "2026-03-02T13:00:00Z"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["replied_at"] == "2026-03-02T13:00:00Z"
    assert body["stage"] == "requested"
    assert not ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN).exists()


def test_reply_without_a_time_means_now(user, api_client):
    ask = requested(user)
    assert api_client.post(f"/api/v1/conversations/{ask.pk}/reply/").json()["replied_at"] == "2026-03-02T15:00:00Z"


def test_reply_to_a_planned_ask_is_a_409_naming_the_stage(user, api_client):
    ask = conversation(user)
    response = api_client.post(f"/api/v1/conversations/{ask.pk}/reply/", {}, format="json")
    assert response.status_code == 409
    assert "planned" in str(response.json())
    assert Conversation.objects.get(pk=ask.pk).replied_at is None


def test_reply_in_the_future_is_a_400_on_at(user, api_client):
    ask = requested(user)
    response = api_client.post(f"/api/v1/conversations/{ask.pk}/reply/", {"at": "2026-03-03T10:00:00Z"}, format="json")
    assert response.status_code == 400
    assert "at" in response.json()
    response = api_client.post(f"/api/v1/conversations/{ask.pk}/reply/", {"at": "not a time"}, format="json")
    assert response.status_code == 400


def test_replied_at_is_read_only_on_the_conversation(user, api_client):
    ask = requested(user)
    response = api_client.patch(
        f"/api/v1/conversations/{ask.pk}/", {"replied_at": "2026-03-02T10:00:00Z"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["replied_at"] is None
    assert Conversation.objects.get(pk=ask.pk).replied_at is None


def test_another_users_conversation_is_404(user, other_api_client):
    ask = requested(user)
    assert other_api_client.post(f"/api/v1/conversations/{ask.pk}/reply/").status_code == 404
    assert Conversation.objects.get(pk=ask.pk).replied_at is None


def test_reply_rate_counts_replies_when_they_arrive_beside_an_unchanged_response_rate(user, api_client):
    asks = [requested(user, days_ago=10) for _ in range(4)]
    conversation_reply(conversation=asks[0], at=NOW - timedelta(days=5))
    conversation_reply(conversation=asks[1], at=NOW - timedelta(days=1))
    # A reply to an ask sent long before the window counts when it arrives; its ask does not.
    old = requested(user, days_ago=200)
    conversation_reply(conversation=old, at=NOW - timedelta(days=2))
    metrics = api_client.get("/api/v1/dashboard/").json()
    assert metrics["reply_rate"] == 0.75  # 3 replies arrived in the window, 4 asks sent in it
    assert metrics["response_rate"] == 0.0  # nobody scheduled or declined yet

    conversation_transition(conversation=asks[0], to_stage=Stage.SCHEDULED, scheduled_for=NOW + timedelta(days=2))
    conversation_transition(conversation=asks[2], to_stage=Stage.DECLINED)
    metrics = api_client.get("/api/v1/dashboard/").json()
    assert metrics["response_rate"] == 0.5
    assert metrics["reply_rate"] == 1.0  # the decline is a reply too; capped at the asks sent


def test_reply_rate_is_null_with_no_asks(user, api_client):
    assert api_client.get("/api/v1/dashboard/").json()["reply_rate"] is None
