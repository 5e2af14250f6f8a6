"""Writing to people and entering the pipeline (#10), through the API: the message sent is
kept, placeholders fall back and report what stays empty, one open ask per contact and kind,
no scheduling before the move's time, and rescheduling to the same time changes nothing."""

from datetime import timedelta

import pytest
import time_machine

from outreach.models import Conversation, FollowUp, MessageTemplate, Reminder, StageChange
from tests.factories import CompanyFactory, ContactFactory, aware, conversation

NOW = aware(2026, 3, 10, 15, 0)
pytestmark = pytest.mark.django_db
CONVERSATIONS = "/api/v1/conversations/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _move(api_client, conv, **body):
    return api_client.post(f"{CONVERSATIONS}{conv.pk}/transition/", body, format="json")


# --- the message is the user's -----------------------------------------------------------


def test_the_requested_move_keeps_the_edited_message_sent_at_the_moves_time(api_client, user):
    conv = conversation(user)
    sent = NOW - timedelta(hours=2)
    response = _move(
        api_client,
        conv,
        stage="requested",
        at=sent.isoformat(),
        message_subject="20 minutes on your path into PM?",
        message_body="Hi Priya,\n\nI rewrote this myself.",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message_subject"] == "20 minutes on your path into PM?"
    assert body["message_body"] == "Hi Priya,\n\nI rewrote this myself."
    assert body["message_sent_at"] == "2026-03-10T13:00:00Z"
    conv.refresh_from_db()
    assert (conv.message_body, conv.message_sent_at) == ("Hi Priya,\n\nI rewrote this myself.", sent)


def test_an_explicit_message_sent_at_wins_over_the_moves_time(api_client, user):
    conv = conversation(user)
    response = _move(
        api_client, conv, stage="requested", message_body="Hi", message_sent_at="2026-03-09T08:00:00+01:00"
    )
    assert response.status_code == 200
    assert response.json()["message_sent_at"] == "2026-03-09T07:00:00Z"


def test_the_message_can_be_given_when_the_conversation_is_created(api_client, user):
    contact = ContactFactory(owner=user)
    response = api_client.post(
        CONVERSATIONS,
        {
            "contact": contact.pk,
            "kind": "coffee_chat",
            "message_subject": "Coffee?",
            "message_body": "Draft I will send on Monday",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    stored = Conversation.objects.get(pk=response.json()["id"])
    assert (stored.message_subject, stored.message_body, stored.message_sent_at) == (
        "Coffee?",
        "Draft I will send on Monday",
        None,
    )


def test_a_message_on_a_move_other_than_requested_is_a_400_that_changes_nothing(api_client, user):
    conv = conversation(user)
    _move(api_client, conv, stage="requested")
    response = _move(api_client, conv, stage="declined", message_body="sneaked in")
    assert response.status_code == 400
    assert "message_body" in response.json()
    conv.refresh_from_db()
    assert (conv.stage, conv.message_body) == ("requested", "")


def test_a_message_over_the_length_limit_is_a_field_error(api_client, user):
    conv = conversation(user)
    response = _move(api_client, conv, stage="requested", message_body="x" * 20_001)
    assert response.status_code == 400
    assert "message_body" in response.json()
    assert Conversation.objects.get(pk=conv.pk).stage == "planned"


# --- placeholders with fallbacks ---------------------------------------------------------


def test_a_fallback_fills_an_empty_field_and_empty_names_what_has_none(api_client, user):
    template = MessageTemplate.objects.create(
        owner=user,
        name="Mine",
        kind="coffee_chat",
        subject="Product at {company|your team}",
        body="Hi {first_name}, your work as {title} struck me ({how_we_met|}).",
    )
    bare = ContactFactory(owner=user, first_name="Sam", title="", how_we_met="", company=None)
    response = api_client.post(f"/api/v1/templates/{template.pk}/render/", {"contact": bare.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    # The outreach check (#14): nothing of Sam's in the first sentence; "me" once, "your" once.
    assert [check["code"] for check in body.pop("checks")] == ["no_connection", "about_me"]
    assert body == {
        "subject": "Product at your team",
        "body": "Hi Sam, your work as  struck me ().",
        "empty": ["title", "how_we_met"],
    }
    full = ContactFactory(
        owner=user,
        first_name="Ana",
        title="GPM",
        how_we_met="a meetup",
        company=CompanyFactory(owner=user, name="Acme"),
    )
    response = api_client.post(f"/api/v1/templates/{template.pk}/render/", {"contact": full.pk}, format="json")
    body = response.json()
    assert [check["code"] for check in body.pop("checks")] == ["about_me"]  # the meetup is the connection
    assert body == {
        "subject": "Product at Acme",
        "body": "Hi Ana, your work as GPM struck me (a meetup).",
        "empty": [],
    }


def test_a_placeholder_with_a_fallback_must_still_be_a_known_one(api_client):
    response = api_client.post(
        "/api/v1/templates/", {"name": "Bad", "kind": "nudge", "body": "Hi {firstname|there}"}, format="json"
    )
    assert response.status_code == 400
    assert "{firstname}" in response.json()["body"][0]


# --- one open ask per contact and kind ---------------------------------------------------


def test_a_second_open_ask_of_the_same_kind_is_a_409_naming_the_open_one(api_client, user):
    contact = ContactFactory(owner=user)
    first = api_client.post(CONVERSATIONS, {"contact": contact.pk, "kind": "coffee_chat"}, format="json")
    assert first.status_code == 201
    second = api_client.post(CONVERSATIONS, {"contact": contact.pk, "kind": "coffee_chat"}, format="json")
    assert second.status_code == 409
    assert second.json()["open_conversation"] == {"id": first.json()["id"], "stage": "planned", "kind": "coffee_chat"}
    assert f"#{first.json()['id']}" in second.json()["detail"]
    assert Conversation.objects.filter(owner=user).count() == 1


def test_allow_duplicate_creates_the_second_ask(api_client, user):
    contact = ContactFactory(owner=user)
    api_client.post(CONVERSATIONS, {"contact": contact.pk, "kind": "coffee_chat"}, format="json")
    response = api_client.post(
        CONVERSATIONS, {"contact": contact.pk, "kind": "coffee_chat", "allow_duplicate": True}, format="json"
    )
    assert response.status_code == 201
    assert "allow_duplicate" not in response.json()
    assert Conversation.objects.filter(owner=user, contact=contact).count() == 2


@pytest.mark.parametrize("stage", ["requested", "scheduled"])
def test_requested_and_scheduled_asks_are_open_too(api_client, user, stage):
    conv = conversation(user)
    _move(api_client, conv, stage="requested")
    if stage == "scheduled":
        _move(api_client, conv, stage="scheduled", scheduled_for=(NOW + timedelta(days=1)).isoformat())
    response = api_client.post(CONVERSATIONS, {"contact": conv.contact_id, "kind": "coffee_chat"}, format="json")
    assert response.status_code == 409


def test_another_kind_or_a_closed_ask_does_not_block(api_client, user):
    conv = conversation(user)
    other_kind = api_client.post(
        CONVERSATIONS, {"contact": conv.contact_id, "kind": "case_study_feedback"}, format="json"
    )
    assert other_kind.status_code == 201
    _move(api_client, conv, stage="cancelled")
    again = api_client.post(CONVERSATIONS, {"contact": conv.contact_id, "kind": "coffee_chat"}, format="json")
    assert again.status_code == 201


def test_another_users_open_ask_is_neither_counted_nor_named(api_client, other_user, user):
    theirs = conversation(other_user)
    mine = ContactFactory(owner=user)
    assert api_client.post(CONVERSATIONS, {"contact": mine.pk, "kind": "coffee_chat"}, format="json").status_code == 201
    foreign = api_client.post(CONVERSATIONS, {"contact": theirs.contact_id, "kind": "coffee_chat"}, format="json")
    assert foreign.status_code == 400
    assert "open_conversation" not in foreign.json()


# --- scheduling in the past --------------------------------------------------------------


def test_scheduling_before_the_moves_time_is_a_400_with_a_field_error(api_client, user):
    conv = conversation(user)
    _move(api_client, conv, stage="requested")
    response = _move(api_client, conv, stage="scheduled", scheduled_for=(NOW - timedelta(hours=1)).isoformat())
    assert response.status_code == 400
    assert "already passed" in response.json()["scheduled_for"][0]
    conv.refresh_from_db()
    assert (conv.stage, conv.scheduled_for) == ("requested", None)


def test_a_back_fill_with_an_explicit_past_at_may_schedule_in_the_past(api_client, user):
    conv = conversation(user)
    _move(api_client, conv, stage="requested", at=(NOW - timedelta(days=5)).isoformat())
    response = _move(
        api_client,
        conv,
        stage="scheduled",
        at=(NOW - timedelta(days=4)).isoformat(),
        scheduled_for=(NOW - timedelta(days=2)).isoformat(),
    )
    assert response.status_code == 200, response.content
    assert not Reminder.objects.filter(conversation=conv, status="pending").exists()


# --- rescheduling to the same time -------------------------------------------------------


def test_rescheduling_to_the_same_time_changes_nothing(api_client, user):
    conv = conversation(user)
    _move(api_client, conv, stage="requested")
    chat_at = (NOW + timedelta(days=3)).isoformat()
    _move(api_client, conv, stage="scheduled", scheduled_for=chat_at)
    before = _chat_state(conv)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = _move(api_client, conv, stage="scheduled", scheduled_for=chat_at)
    assert response.status_code == 200
    assert _chat_state(conv) == before


def _chat_state(conv):
    """What a reschedule could change: SEQUENCE, the row, its history and its reminders."""
    conv.refresh_from_db()
    return (
        conv.calendar_sequence,
        conv.updated_at,
        list(StageChange.objects.filter(conversation=conv).values_list("id", "stage")),
        list(Reminder.objects.filter(conversation=conv).values_list("id", "status", "send_at")),
    )


def test_rescheduling_to_another_time_still_bumps_the_sequence(api_client, user):
    conv = conversation(user)
    _move(api_client, conv, stage="requested")
    _move(api_client, conv, stage="scheduled", scheduled_for=(NOW + timedelta(days=3)).isoformat())
    _move(api_client, conv, stage="scheduled", scheduled_for=(NOW + timedelta(days=4)).isoformat())
    conv.refresh_from_db()
    assert conv.calendar_sequence == 1
    assert StageChange.objects.filter(conversation=conv, stage="scheduled").count() == 2
    assert not FollowUp.objects.filter(conversation=conv, kind="nudge", status="open").exists()


def test_the_message_sent_travels_in_the_backup(api_client, user, django_user_model):
    from rest_framework.test import APIClient

    from tests.imports.test_backup import restore

    conv = conversation(user)
    _move(api_client, conv, stage="requested", message_subject="Advice?", message_body="Hi, my own words")
    data = api_client.get("/api/v1/export/backup.json").json()
    fresh = django_user_model.objects.create_user(username="fresh", email="fresh@example.com", password="x" * 12)
    client = APIClient()
    client.force_authenticate(fresh)
    assert restore(client, data).status_code == 201
    restored = Conversation.objects.get(owner=fresh)
    assert (restored.message_subject, restored.message_body, restored.message_sent_at) == (
        "Advice?",
        "Hi, my own words",
        NOW,
    )
