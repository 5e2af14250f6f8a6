"""A reply is a first-class fact (issue #13): it stops the nudges, counts in reply_rate, and
is offered to the user to act on (schedule or decline); it never moves the stage itself."""

from datetime import timedelta

import pytest
import time_machine

from outreach.models import FollowUp, Reminder, Stage
from outreach.services import conversation_reply, conversation_transition, follow_up_complete
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 3, 2, 15, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def request_sent(user):
    ask = conversation(user, ContactFactory(owner=user, first_name="Priya", last_name="Raman"))
    return conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=NOW - timedelta(days=3))


def open_nudges(ask):
    return ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN)


def test_a_reply_records_when_it_arrived_and_closes_the_open_nudge_and_its_reminder(request_sent):
    nudge = open_nudges(request_sent).get()
    assert Reminder.objects.filter(follow_up=nudge, status=Reminder.Status.PENDING).exists()

    conversation_reply(conversation=request_sent, at=NOW - timedelta(hours=2))

    request_sent.refresh_from_db()
    assert request_sent.replied_at == NOW - timedelta(hours=2)
    assert request_sent.stage == Stage.REQUESTED  # offered, not forced
    nudge.refresh_from_db()
    assert nudge.status == FollowUp.Status.CANCELLED
    assert not Reminder.objects.filter(follow_up=nudge, status=Reminder.Status.PENDING).exists()
    request_sent.contact.refresh_from_db()
    assert request_sent.contact.last_contacted_at == NOW - timedelta(hours=2)


def test_a_nudge_completed_after_the_reply_does_not_open_another(user, request_sent):
    # Another nudge still open when the reply is recorded cannot exist; but a follow-up the user
    # completes on the same ask after the reply (e.g. a nudge opened by hand) opens no next one.
    from outreach.services import follow_up_create

    conversation_reply(conversation=request_sent)
    manual = follow_up_create(
        owner=user, contact=request_sent.contact, conversation=request_sent, kind="nudge", title="ping", due_at=NOW
    )
    follow_up_complete(follow_up=manual)
    assert not open_nudges(request_sent).exists()


def test_the_earliest_reply_counts_and_recording_it_again_changes_nothing(request_sent):
    conversation_reply(conversation=request_sent, at=NOW - timedelta(hours=1))
    conversation_reply(conversation=request_sent, at=NOW - timedelta(hours=5))
    conversation_reply(conversation=request_sent, at=NOW - timedelta(hours=3))
    request_sent.refresh_from_db()
    assert request_sent.replied_at == NOW - timedelta(hours=5)


@pytest.mark.parametrize("path", [[], ["scheduled"], ["declined"], ["no_response"], ["cancelled"]])
def test_only_a_request_can_be_replied_to(user, path):
    from accounts.errors import ApplicationError

    ask = conversation(user)
    if path:
        conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=NOW - timedelta(days=1))
    for stage in path if path != ["cancelled"] else []:
        conversation_transition(
            conversation=ask, to_stage=stage, scheduled_for=NOW + timedelta(days=1) if stage == "scheduled" else None
        )
    if path == ["cancelled"]:
        conversation_transition(conversation=ask, to_stage=Stage.CANCELLED)
    before = type(ask).objects.get(pk=ask.pk).replied_at
    with pytest.raises(ApplicationError) as refused:
        conversation_reply(conversation=ask)
    assert refused.value.code == ApplicationError.CONFLICT
    assert type(ask).objects.get(pk=ask.pk).replied_at == before


def test_a_reply_cannot_be_in_the_future_or_before_the_request(request_sent):
    from django.core.exceptions import ValidationError

    for at in (NOW + timedelta(minutes=5), NOW - timedelta(days=4)):
        with pytest.raises(ValidationError) as refused:
            conversation_reply(conversation=request_sent, at=at)
        assert "at" in refused.value.message_dict
    request_sent.refresh_from_db()
    assert request_sent.replied_at is None
    assert open_nudges(request_sent).exists()


def test_scheduling_or_declining_a_request_records_the_reply(user):
    for stage in ("scheduled", "declined"):
        ask = conversation(user)
        conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=NOW - timedelta(days=1))
        conversation_transition(
            conversation=ask, to_stage=stage, scheduled_for=NOW + timedelta(days=1) if stage == "scheduled" else None
        )
        assert ask.replied_at == NOW


def test_asking_again_starts_a_round_where_an_old_reply_does_not_count(user):
    ask = conversation(user)
    conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=NOW - timedelta(days=20))
    conversation_reply(conversation=ask, at=NOW - timedelta(days=19))
    conversation_transition(conversation=ask, to_stage=Stage.NO_RESPONSE, at=NOW - timedelta(days=10))
    conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=NOW - timedelta(days=1))
    assert not ask.answered
    assert open_nudges(ask).count() == 1
