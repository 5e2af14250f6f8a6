"""Dates outside 1900-2999 are refused by the services, whichever surface they come from."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.services import user_register
from outreach.models import FollowUp
from outreach.services import conversation_transition, follow_up_create
from tests.factories import ContactFactory, aware, conversation


@pytest.mark.parametrize("due", [dt.date(9999, 12, 31), dt.datetime(1, 1, 1, 0, 0), aware(3000, 1, 1)])
def test_a_follow_up_far_outside_the_supported_years_is_refused(user, due):
    with pytest.raises(ValidationError) as refused:
        follow_up_create(owner=user, contact=ContactFactory(owner=user), kind="other", title="x", due_at=due)
    assert "due_at" in refused.value.message_dict
    assert not FollowUp.objects.exists()


def test_a_chat_scheduled_in_year_9999_is_refused(user):
    chat = conversation(user)
    conversation_transition(conversation=chat, to_stage="requested")
    with pytest.raises(ValidationError):
        conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=aware(9999, 12, 31))
    chat.refresh_from_db()
    assert chat.stage == "requested"


@pytest.mark.django_db
def test_usernames_differing_only_in_case_are_one_account():
    user_register(username="sam", email="sam@example.com", password="pm-journey-2026!")
    with pytest.raises(ValidationError) as refused:
        user_register(username="SAM", email="sam2@example.com", password="pm-journey-2026!")
    assert "username" in refused.value.message_dict
