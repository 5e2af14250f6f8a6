"""A reminder claimed by a sweep whose follow-up or chat changes before the send task runs."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from outreach import tasks
from outreach.models import Reminder
from outreach.services import conversation_transition, follow_up_create, follow_up_snooze
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 4, 14, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_follow_up_snoozed_after_its_reminder_was_claimed_is_emailed_only_at_the_new_time(
    clock, eager_celery, django_capture_on_commit_callbacks, user
):
    follow_up = follow_up_create(
        owner=user,
        contact=ContactFactory(owner=user),
        kind="other",
        title="Send the deck",
        due_at=NOW + timedelta(hours=1),
    )
    clock.move_to(NOW + timedelta(hours=1))
    with django_capture_on_commit_callbacks() as queued_sends:
        tasks.sweep_reminders()  # claims the row; its send task is not queued yet
    assert Reminder.objects.get(follow_up=follow_up).claimed_at == NOW + timedelta(hours=1)
    follow_up_snooze(follow_up=follow_up, due_at=NOW + timedelta(days=2))
    for send in queued_sends:
        send()
    follow_up_emails = [m for m in mail.outbox if m.extra_headers["X-Coffeechat-Reminder"] == "follow_up_due"]
    assert follow_up_emails == []
    assert {(r.send_at, r.status) for r in follow_up.reminders.all()} == {
        (NOW + timedelta(hours=1), Reminder.Status.CANCELLED),
        (NOW + timedelta(days=2), Reminder.Status.PENDING),
    }


def test_a_chat_moved_after_its_heads_up_was_claimed_is_announced_only_for_the_new_time(
    clock, eager_celery, django_capture_on_commit_callbacks, user
):
    chat = conversation(user, ContactFactory(owner=user))
    conversation_transition(conversation=chat, to_stage="requested")
    conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=NOW + timedelta(minutes=30))
    with django_capture_on_commit_callbacks() as queued_sends:
        tasks.sweep_reminders()
    assert chat.reminders.get(kind="chat_soon").claimed_at == NOW
    conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=NOW + timedelta(days=3))
    for send in queued_sends:
        send()
    assert [m for m in mail.outbox if m.extra_headers["X-Coffeechat-Reminder"] == "chat_soon"] == []
    assert chat.reminders.filter(status="pending").count() == 2
