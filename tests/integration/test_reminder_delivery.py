"""Reminders end to end: real Celery workers and beat against Redis, a real SMTP server on
loopback, and the test database shared with them. Assertions are on what arrived at the SMTP
server, counted by Message-ID (derived from each reminder's dedupe key).
"""

import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from outreach.models import Reminder
from outreach.services import conversation_transition, follow_up_complete, follow_up_create, follow_up_snooze
from tests.factories import ContactFactory, UserFactory, conversation

from .conftest import CELERY, ROOT, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def owner(transactional_db):
    user = UserFactory(username="ada", email="ada@example.com")
    # Keep the daily digest and weekly review out of these counts; they have their own unit tests.
    user.profile.daily_digest = user.profile.weekly_review = False
    user.profile.save()
    return user


def due_follow_ups(owner, count, in_seconds=2.0):
    contact = ContactFactory(owner=owner)
    due = timezone.now() + timedelta(seconds=in_seconds)
    return [
        follow_up_create(owner=owner, contact=contact, kind="other", title=f"Follow-up {n}", due_at=due)
        for n in range(count)
    ]


def message_ids(follow_ups):
    return {f.reminders.get().message_id for f in follow_ups}


def wait_until_settled(stack, owner, timeout=60):
    """Until nothing more can be sent: no due reminder is still pending, and no send task is
    queued or running. Required twice in a row, 0.2 s apart, to cover the instant in which a
    worker has taken a message off the queue but not yet recorded it as unacknowledged."""
    streak = 0

    def settled_twice():
        nonlocal streak
        pending = Reminder.objects.filter(owner=owner, status="pending", send_at__lte=timezone.now()).exists()
        streak = streak + 1 if not pending and stack.broker_idle() else 0
        return streak >= 2

    wait_for(settled_twice, timeout, "reminders were still pending or tasks still queued or running", interval=0.2)


def assert_arrived_exactly_once(sink, expected_ids, stack, owner, timeout=60):
    """Wait for every expected message, then until no task is left that could send another
    (a redelivered message, a stale claim sent again), and count."""
    wait_for(lambda: expected_ids <= set(sink.message_ids()), timeout, "not every reminder arrived")
    wait_until_settled(stack, owner)
    counts = sink.message_ids()
    duplicates = {mid: n for mid, n in counts.items() if mid in expected_ids and n != 1}
    assert duplicates == {}


def test_200_due_reminders_arrive_exactly_once_with_two_workers(owner, stack, smtp_sink):
    sink, _ = smtp_sink
    stack.worker()
    stack.worker()
    stack.beat()
    follow_ups = due_follow_ups(owner, 200)
    expected = message_ids(follow_ups)
    assert_arrived_exactly_once(sink, expected, stack, owner)
    assert Reminder.objects.filter(owner=owner, status="sent").count() == 200
    assert {m["To"] for m in sink.messages} == {"ada@example.com"}


def test_beat_started_twice_still_sends_each_reminder_once(owner, stack, smtp_sink):
    sink, _ = smtp_sink
    stack.worker()
    stack.worker()
    stack.beat()
    stack.beat()
    expected = message_ids(due_follow_ups(owner, 50))
    assert_arrived_exactly_once(sink, expected, stack, owner)


def test_cancelled_or_moved_reminders_do_not_arrive_for_the_old_time(owner, stack, smtp_sink):
    sink, _ = smtp_sink
    stack.worker()
    stack.worker()
    stack.beat()
    snoozed, completed, control = due_follow_ups(owner, 3, in_seconds=4)
    chat = conversation(owner, ContactFactory(owner=owner))
    conversation_transition(conversation=chat, to_stage="requested")
    conversation_transition(
        conversation=chat, to_stage="scheduled", scheduled_for=timezone.now() + timedelta(hours=1, seconds=4)
    )
    old_heads_up = chat.reminders.get(kind="chat_soon").message_id
    # Under a day away, the prep brief is due at once; the reschedule below may withdraw it
    # before a sweep reaches it, so it may arrive (once) or not at all.
    prep = chat.reminders.get(kind="chat_prep").message_id
    withdrawn = {snoozed.reminders.get().message_id, completed.reminders.get().message_id, old_heads_up}

    follow_up_snooze(follow_up=snoozed, due_at=timezone.now() + timedelta(hours=2))
    follow_up_complete(follow_up=completed)
    conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=timezone.now() + timedelta(days=3))

    assert_arrived_exactly_once(sink, {control.reminders.get().message_id}, stack, owner)
    # The old times are past: let a sweep that started after this point finish (each of the two
    # workers holds at most one message, so the third to finish did) and whatever it queued run,
    # before looking for the withdrawn ones.
    sweeps = stack.sweeps_finished()
    wait_for(lambda: stack.sweeps_finished() >= sweeps + 3, 30, "the sweeps stopped")
    wait_until_settled(stack, owner)
    assert withdrawn.isdisjoint(sink.message_ids())
    assert sink.message_ids().get(prep, 0) <= 1


def test_a_worker_killed_while_sending_still_delivers_the_reminder_once(owner, stack, smtp_sink):
    """The guarantee: the worker sends while holding the reminder row's lock, and marks the row
    `sent` in the same transaction. Killed mid-send (here: SIGKILL while the SMTP server holds
    the message before accepting it), its transaction is rolled back by PostgreSQL, the row is
    still `pending`, and its claim goes stale; a later sweep (or the redelivered message, as
    tasks are acked late) sends it again, once.

    Where at-least-once still shows: if the process dies after the SMTP server has accepted the
    message (250 after DATA) but before the commit, the row is still `pending` and the email is
    sent a second time. That window is a few milliseconds; the duplicate carries the same
    Message-ID, so mail systems that deduplicate by Message-ID show it once.
    """
    sink, _ = smtp_sink
    sink.stall = True
    stack.worker()
    stack.worker()
    stack.beat()
    (follow_up,) = due_follow_ups(owner, 1, in_seconds=1)
    expected = {follow_up.reminders.get().message_id}
    assert sink.stalled.wait(30), "no worker started sending"
    stack.kill_workers()
    sink.release.set()
    assert Reminder.objects.get(follow_up=follow_up).status == "pending"
    stack.worker()
    assert_arrived_exactly_once(sink, expected, stack, owner)
    reminder = Reminder.objects.get(follow_up=follow_up)
    assert reminder.status == "sent"


def test_redis_stopped_during_sweeps_loses_nothing_and_sends_each_reminder_once(
    owner, own_redis, stack, smtp_sink, stack_env
):
    sink, _ = smtp_sink
    stack.env = {**stack_env, "REDIS_URL": own_redis.url}
    stack.worker()
    stack.worker()
    stack.beat()
    first = due_follow_ups(owner, 40, in_seconds=1)
    wait_for(lambda: len(sink.message_ids()) >= 5, 30, "nothing was sent before Redis went down")
    own_redis.stop()
    # A sweep while Redis is down (cron's `send_reminders`): it claims, cannot queue, releases.
    second = due_follow_ups(owner, 40, in_seconds=0)
    result = subprocess.run(
        [str(CELERY).replace("celery", "python"), "manage.py", "send_reminders"],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert Reminder.objects.filter(follow_up__in=second, claimed_at__isnull=False, status="pending").count() == 0
    time.sleep(2)  # an outage, not a wait for absence: beat and the workers keep retrying meanwhile
    own_redis.start()
    assert_arrived_exactly_once(sink, message_ids(first) | message_ids(second), stack, owner, timeout=90)


def reminders_api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    response = client.get("/api/v1/reminders/")
    assert response.status_code == 200
    return {row["id"]: row for row in response.json()["results"]}


def test_smtp_refusing_mail_retries_then_fails_with_the_error_visible_in_the_api(owner, stack, smtp_sink):
    sink, _ = smtp_sink
    sink.refuse = -1
    stack.worker()
    stack.worker()
    stack.beat()
    (follow_up,) = due_follow_ups(owner, 1, in_seconds=0)
    reminder = follow_up.reminders.get()
    wait_for(lambda: Reminder.objects.get(pk=reminder.pk).status == "failed", 40, "the reminder never failed")
    assert sink.refusals == 3  # REMINDER_MAX_ATTEMPTS
    row = reminders_api(owner)[reminder.pk]
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert "451" in row["last_error"] and "Mailbox temporarily unavailable" in row["last_error"]
    assert sink.message_ids() == {}


def test_smtp_coming_back_before_the_limit_delivers_the_reminder_once(owner, stack, smtp_sink):
    sink, _ = smtp_sink
    sink.refuse = 2
    stack.worker()
    stack.worker()
    stack.beat()
    (follow_up,) = due_follow_ups(owner, 1, in_seconds=0)
    reminder = follow_up.reminders.get()
    assert_arrived_exactly_once(sink, {reminder.message_id}, stack, owner, timeout=40)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error, sink.refusals) == ("sent", 3, "", 2)
