"""One open ask per contact and kind (#10), in the service every caller uses, and a chat that
already happened logged as held in one step."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from outreach.models import Conversation, FollowUp, StageChange
from outreach.services import DuplicateAsk, conversation_create, conversation_log_held, conversation_start_request
from tests.factories import ContactFactory, aware

NOW = aware(2026, 3, 10, 15, 0)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_starting_a_request_is_refused_while_one_is_planned_and_writes_nothing(user):
    contact = ContactFactory(owner=user)
    planned = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    with pytest.raises(DuplicateAsk) as refused:
        conversation_start_request(owner=user, contact=contact, kind="coffee_chat")
    assert refused.value.existing == planned
    assert refused.value.code == "conflict"
    assert Conversation.objects.filter(owner=user).count() == 1


def test_allow_duplicate_keeps_the_positional_signature_and_creates(user):
    contact = ContactFactory(owner=user)
    conversation_create(owner=user, contact=contact, kind="coffee_chat")
    second = conversation_create(owner=user, contact=contact, kind="coffee_chat", allow_duplicate=True)
    assert second.stage == "planned"


def test_a_logged_chat_is_held_at_its_time_with_the_whole_history(user):
    contact = ContactFactory(owner=user, reconnect_every_days=None)
    happened = NOW - timedelta(days=2)
    chat = conversation_log_held(owner=user, contact=contact, held_at=happened, kind="informational_interview")
    assert (chat.stage, chat.held_at, chat.scheduled_for) == ("held", happened, happened)
    history = list(StageChange.objects.filter(conversation=chat).order_by("id").values_list("stage", "at"))
    assert history == [(stage, happened) for stage in ("planned", "requested", "scheduled", "held")]
    thank_you = FollowUp.objects.get(conversation=chat, kind="thank_you", status="open")
    assert thank_you.due_at == happened + timedelta(hours=24)
    assert not FollowUp.objects.filter(conversation=chat, kind="nudge", status="open").exists()
    contact.refresh_from_db()
    assert contact.last_contacted_at == happened


def test_a_chat_logged_in_the_future_is_refused_and_writes_nothing(user):
    contact = ContactFactory(owner=user)
    with pytest.raises(ValidationError) as refused:
        conversation_log_held(owner=user, contact=contact, held_at=NOW + timedelta(hours=1), kind="coffee_chat")
    assert "held_at" in refused.value.message_dict
    assert not Conversation.objects.filter(owner=user).exists()


def test_an_open_ask_does_not_stop_logging_a_chat_that_happened(user):
    contact = ContactFactory(owner=user)
    conversation_create(owner=user, contact=contact, kind="coffee_chat")
    chat = conversation_log_held(owner=user, contact=contact, held_at=NOW - timedelta(hours=3), kind="coffee_chat")
    assert chat.stage == "held"
