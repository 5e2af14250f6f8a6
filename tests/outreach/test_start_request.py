"""Starting a request (the contact page's "Send a request"): one service creates the ask and
moves it to requested, so a page and an API client get the same result."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from outreach.models import Conversation, FollowUp, MessageTemplate, StageChange
from outreach.services import conversation_start_request
from tests.factories import ContactFactory, aware, digest_day

NOW = aware(2026, 3, 2, 15, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_started_request_is_requested_with_its_first_nudge_planned(user):
    contact = ContactFactory(owner=user)
    sent_at = NOW - timedelta(hours=2)
    conversation = conversation_start_request(
        owner=user, contact=contact, kind="coffee_chat", channel="email", at=sent_at
    )
    assert (conversation.stage, conversation.channel, conversation.requested_at) == ("requested", "email", sent_at)
    history = list(StageChange.objects.filter(conversation=conversation).order_by("id").values_list("stage", "at"))
    assert history == [("planned", sent_at), ("requested", sent_at)]
    nudge = FollowUp.objects.get(conversation=conversation, kind="nudge", status="open")
    assert nudge.due_at == digest_day(sent_at, user.profile.nudge_after_days)


def test_without_a_kind_the_templates_kind_names_the_ask(user):
    template = MessageTemplate.objects.get(owner=user, name="Informational interview request")
    conversation = conversation_start_request(owner=user, contact=ContactFactory(owner=user), template=template)
    assert (conversation.kind, conversation.template) == ("informational_interview", template)


def test_a_nudge_template_without_a_kind_starts_a_coffee_chat_and_a_chosen_kind_wins(user):
    nudge = MessageTemplate.objects.filter(owner=user, kind="nudge").first()
    contact = ContactFactory(owner=user)
    assert conversation_start_request(owner=user, contact=contact, template=nudge).kind == "coffee_chat"
    chosen = conversation_start_request(owner=user, contact=contact, template=nudge, kind="referral_request")
    assert chosen.kind == "referral_request"


def test_a_request_refused_for_another_users_template_writes_nothing(user, other_user):
    theirs = MessageTemplate.objects.filter(owner=other_user).first()
    with pytest.raises(ValidationError):
        conversation_start_request(owner=user, contact=ContactFactory(owner=user), template=theirs)
    assert not Conversation.objects.filter(owner=user).exists()


def test_a_refused_move_to_requested_leaves_no_planned_conversation_behind(user):
    # The conversation is created first; the move then refuses a date out of range.
    with pytest.raises(ValidationError):
        conversation_start_request(owner=user, contact=ContactFactory(owner=user), at=aware(1800, 1, 1, 9))
    assert not Conversation.objects.filter(owner=user).exists()
    assert not StageChange.objects.filter(owner=user).exists()
