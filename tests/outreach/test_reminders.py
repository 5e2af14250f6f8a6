"""Reminder rows follow the pipeline, and each is delivered at most once, through the tasks."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from kombu.exceptions import OperationalError

from outreach import tasks
from outreach.models import FollowUp, Reminder
from outreach.services import (
    conversation_transition,
    follow_up_cancel,
    follow_up_complete,
    follow_up_create,
    follow_up_snooze,
)
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 4, 14, 12, 0)
Kind = Reminder.Kind
Status = Reminder.Status


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def contact(user):
    return ContactFactory(owner=user, first_name="Grace", last_name="Hopper")


@pytest.fixture
def follow_up(user, contact):
    return follow_up_create(
        owner=user, contact=contact, kind="other", title="Send the deck", due_at=NOW + timedelta(hours=2)
    )


def rows(**filters):
    return {(r.kind, r.send_at, r.status) for r in Reminder.objects.filter(**filters)}


def pending(**filters):
    return {(r.kind, r.send_at) for r in Reminder.objects.filter(status=Status.PENDING, **filters)}


def scheduled_chat(user, contact, at):
    conv = conversation(user, contact)
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=at)
    return conv


def reminder_emails(kind=None):
    return [m for m in mail.outbox if kind is None or m.extra_headers.get("X-Coffeechat-Reminder") == kind]


# --- planning follows the pipeline ----------------------------------------------------------


def test_a_new_follow_up_plans_one_email_at_its_due_time(follow_up):
    assert pending(follow_up=follow_up) == {(Kind.FOLLOW_UP_DUE, NOW + timedelta(hours=2))}


def test_completing_a_follow_up_cancels_its_email(follow_up):
    follow_up_complete(follow_up=follow_up)
    assert rows(follow_up=follow_up) == {(Kind.FOLLOW_UP_DUE, NOW + timedelta(hours=2), Status.CANCELLED)}


def test_cancelling_a_follow_up_cancels_its_email(follow_up):
    follow_up_cancel(follow_up=follow_up)
    assert pending(follow_up=follow_up) == set()


def test_snoozing_a_follow_up_moves_its_email(follow_up):
    follow_up_snooze(follow_up=follow_up, due_at=NOW + timedelta(days=3))
    assert rows(follow_up=follow_up) == {
        (Kind.FOLLOW_UP_DUE, NOW + timedelta(hours=2), Status.CANCELLED),
        (Kind.FOLLOW_UP_DUE, NOW + timedelta(days=3), Status.PENDING),
    }


def test_snoozing_back_to_the_first_time_re_arms_the_same_row(follow_up):
    follow_up_snooze(follow_up=follow_up, due_at=NOW + timedelta(days=3))
    follow_up_snooze(follow_up=follow_up, due_at=NOW + timedelta(hours=2))
    assert pending(follow_up=follow_up) == {(Kind.FOLLOW_UP_DUE, NOW + timedelta(hours=2))}
    assert Reminder.objects.filter(follow_up=follow_up).count() == 2


def test_scheduling_a_chat_plans_the_prep_brief_a_day_before_and_a_heads_up_an_hour_before(user, contact):
    start = NOW + timedelta(days=3)
    conv = scheduled_chat(user, contact, start)
    assert pending(conversation=conv) == {
        (Kind.CHAT_PREP, start - timedelta(hours=24)),
        (Kind.CHAT_SOON, start - timedelta(hours=1)),
    }


def test_scheduling_a_chat_cancels_the_nudge_email(user, contact):
    conv = conversation(user, contact)
    conversation_transition(conversation=conv, to_stage="requested")
    nudge = conv.follow_ups.get(kind="nudge")
    assert pending(follow_up=nudge) == {(Kind.FOLLOW_UP_DUE, nudge.due_at)}
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(days=3))
    assert pending(follow_up=nudge) == set()


def test_a_chat_booked_at_short_notice_gets_its_prep_brief_at_once(user, contact):
    start = NOW + timedelta(hours=5)
    conv = scheduled_chat(user, contact, start)
    assert pending(conversation=conv) == {(Kind.CHAT_PREP, NOW), (Kind.CHAT_SOON, start - timedelta(hours=1))}


def test_a_chat_under_an_hour_away_gets_only_the_heads_up(user, contact):
    conv = scheduled_chat(user, contact, NOW + timedelta(minutes=30))
    assert pending(conversation=conv) == {(Kind.CHAT_SOON, NOW)}


def test_rescheduling_a_chat_moves_both_emails(user, contact):
    first, second = NOW + timedelta(days=3), NOW + timedelta(days=5)
    conv = scheduled_chat(user, contact, first)
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=second)
    assert pending(conversation=conv) == {
        (Kind.CHAT_PREP, second - timedelta(hours=24)),
        (Kind.CHAT_SOON, second - timedelta(hours=1)),
    }
    assert rows(conversation=conv, status=Status.CANCELLED) == {
        (Kind.CHAT_PREP, first - timedelta(hours=24), Status.CANCELLED),
        (Kind.CHAT_SOON, first - timedelta(hours=1), Status.CANCELLED),
    }


def test_cancelling_a_chat_cancels_both_emails(user, contact):
    conv = scheduled_chat(user, contact, NOW + timedelta(days=3))
    conversation_transition(conversation=conv, to_stage="cancelled")
    assert pending(conversation=conv) == set()
    assert Reminder.objects.filter(conversation=conv, status=Status.CANCELLED).count() == 2


def test_holding_a_chat_cancels_its_emails_and_plans_the_thank_you_email(user, contact):
    conv = scheduled_chat(user, contact, NOW + timedelta(days=3))
    conversation_transition(conversation=conv, to_stage="held", held_at=NOW)
    assert pending(conversation=conv) == set()
    thank_you = conv.follow_ups.get(kind="thank_you")
    assert pending(follow_up=thank_you) == {(Kind.FOLLOW_UP_DUE, NOW + timedelta(hours=24))}


def test_nothing_is_planned_while_reminders_are_off_and_it_comes_back_when_they_are_on(user, contact):
    from accounts.services import profile_update

    profile_update(profile=user.profile, email_reminders=False)
    follow_up = follow_up_create(owner=user, contact=contact, kind="other", title="x", due_at=NOW + timedelta(days=1))
    conv = scheduled_chat(user, contact, NOW + timedelta(days=3))
    assert Reminder.objects.filter(owner=user, status=Status.PENDING).count() == 0
    profile_update(profile=user.profile, email_reminders=True)
    assert pending(follow_up=follow_up) == {(Kind.FOLLOW_UP_DUE, NOW + timedelta(days=1))}
    assert len(pending(conversation=conv)) == 2


def test_turning_reminders_off_cancels_every_pending_email(user, follow_up):
    from accounts.services import profile_update

    profile_update(profile=user.profile, email_reminders=False)
    assert Reminder.objects.filter(owner=user, status=Status.PENDING).count() == 0


# --- delivery --------------------------------------------------------------------------------


def test_send_reminder_twice_sends_one_email(clock, follow_up):
    clock.move_to(follow_up.due_at)
    reminder = follow_up.reminders.get()
    assert tasks.send_reminder(reminder.pk) == "sent"
    assert tasks.send_reminder(reminder.pk) == "skipped"
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.sent_at) == (Status.SENT, 1, follow_up.due_at)


def test_a_reminder_is_not_sent_before_its_time(follow_up):
    assert tasks.send_reminder(follow_up.reminders.get().pk) == "not-due"
    assert mail.outbox == []


def test_the_email_of_a_completed_follow_up_is_not_sent(clock, follow_up):
    reminder = follow_up.reminders.get()
    follow_up_complete(follow_up=follow_up)
    clock.move_to(follow_up.due_at)
    assert tasks.send_reminder(reminder.pk) == "skipped"
    assert mail.outbox == []


def test_the_email_of_a_snoozed_follow_up_is_not_sent_for_the_old_time(clock, follow_up):
    old = follow_up.reminders.get()
    follow_up_snooze(follow_up=follow_up, due_at=NOW + timedelta(days=2))
    clock.move_to(NOW + timedelta(hours=3))
    assert tasks.send_reminder(old.pk) == "skipped"
    assert call_command_output("send_reminders", "--inline") == "Reminders: nothing due.\n"
    assert mail.outbox == []


def test_a_moved_chat_is_not_announced_for_the_old_time_even_if_its_row_was_still_pending(clock, user, contact):
    conv = scheduled_chat(user, contact, NOW + timedelta(hours=30))
    old_soon = conv.reminders.get(kind=Kind.CHAT_SOON)
    # Simulate a stale row that planning did not reach: the send re-checks the chat itself.
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(days=4))
    Reminder.objects.filter(pk=old_soon.pk).update(status=Status.PENDING)
    clock.move_to(old_soon.send_at)
    assert tasks.send_reminder(old_soon.pk) == "cancelled"
    assert Reminder.objects.get(pk=old_soon.pk).last_error == "The chat was moved."
    assert mail.outbox == []


def test_a_reminder_for_a_user_who_turned_emails_off_meanwhile_is_cancelled_not_sent(clock, user, follow_up):
    reminder = follow_up.reminders.get()
    user.profile.email_reminders = False
    user.profile.save()
    clock.move_to(follow_up.due_at)
    assert tasks.send_reminder(reminder.pk) == "cancelled"
    assert mail.outbox == []


def test_smtp_errors_back_off_exponentially_then_fail_with_the_error(clock, flaky_smtp, follow_up):
    flaky_smtp.failures = 99
    reminder = follow_up.reminders.get()
    clock.move_to(follow_up.due_at)
    retry_times = []
    for _ in range(4):
        assert tasks.send_reminder(reminder.pk) in ("pending", "failed")
        reminder.refresh_from_db()
        retry_times.append(reminder.send_at)
        clock.move_to(reminder.send_at)
    due = follow_up.due_at
    assert retry_times[:3] == [due + timedelta(seconds=60), due + timedelta(seconds=180), due + timedelta(seconds=420)]
    assert (reminder.status, reminder.attempts) == (Status.FAILED, 4)
    assert reminder.last_error == "SMTPDataError: (451, b'4.3.0 Try again later')"
    assert mail.outbox == []


def test_a_mail_server_that_comes_back_before_the_limit_gets_the_email_once(clock, flaky_smtp, follow_up):
    flaky_smtp.failures = 2
    reminder = follow_up.reminders.get()
    clock.move_to(follow_up.due_at)
    for _ in range(3):
        tasks.send_reminder(reminder.pk)
        reminder.refresh_from_db()
        clock.move_to(reminder.send_at)
    tasks.send_reminder(reminder.pk)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == (Status.SENT, 3, "")
    assert len(mail.outbox) == 1


def test_a_permanent_refusal_fails_at_once(clock, flaky_smtp, follow_up):
    flaky_smtp.failures = 1
    flaky_smtp.error = smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"5.1.1 No such user")})
    reminder = follow_up.reminders.get()
    clock.move_to(follow_up.due_at)
    assert tasks.send_reminder(reminder.pk) == "failed"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Status.FAILED, 1)
    assert "No such user" in reminder.last_error


# --- the sweep ------------------------------------------------------------------------------


def test_the_sweep_sends_every_due_reminder_once(
    clock, eager_celery, django_capture_on_commit_callbacks, user, contact
):
    for hours in (1, 2, 3):
        follow_up_create(
            owner=user, contact=contact, kind="other", title=f"due in {hours}h", due_at=NOW + timedelta(hours=hours)
        )
    clock.move_to(NOW + timedelta(hours=2, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_reminders()
    assert sorted(m.subject for m in reminder_emails(Kind.FOLLOW_UP_DUE)) == [
        "Follow-up due: due in 1h",
        "Follow-up due: due in 2h",
    ]


def test_a_sweep_that_cannot_reach_the_broker_releases_its_claims(
    clock, monkeypatch, django_capture_on_commit_callbacks, follow_up
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_reminders, "apply_async", broker_down)
    clock.move_to(follow_up.due_at)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_reminders()
    reminder = follow_up.reminders.get()
    assert (reminder.status, reminder.claimed_at) == (Status.PENDING, None)


def test_a_claimed_row_whose_task_was_lost_is_claimed_again_after_the_timeout(clock, settings, follow_up):
    from outreach.reminders import claim_due_reminders

    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 30
    clock.move_to(follow_up.due_at)
    reminder = follow_up.reminders.get()
    assert claim_due_reminders() == [reminder.pk]
    clock.shift(timedelta(seconds=10))
    assert claim_due_reminders() == []
    clock.shift(timedelta(seconds=25))
    assert claim_due_reminders() == [reminder.pk]


def call_command_output(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_send_reminders_command_sends_what_is_due(clock, follow_up):
    clock.move_to(follow_up.due_at)
    assert call_command_output("send_reminders", "--inline") == "Reminders: 1 sent.\n"
    assert call_command_output("send_reminders", "--inline") == "Reminders: nothing due.\n"
    assert len(reminder_emails(Kind.FOLLOW_UP_DUE)) == 1


def test_the_send_reminders_command_queues_for_the_worker_by_default(
    clock, eager_celery, django_capture_on_commit_callbacks, follow_up
):
    clock.move_to(follow_up.due_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert call_command_output("send_reminders") == "Queued 1 reminder(s).\n"
    assert len(reminder_emails(Kind.FOLLOW_UP_DUE)) == 1
    assert FollowUp.objects.get(pk=follow_up.pk).reminders.get().status == Status.SENT


def test_a_follow_up_entered_long_overdue_sends_no_email_of_its_own(user):
    """It is listed as overdue (Today, the digest); an immediate "due" e-mail would be noise,
    and a restored backup full of overdue follow-ups would set off a burst of them."""
    from django.utils import timezone as django_timezone

    from outreach.services import follow_up_create
    from tests.factories import ContactFactory

    now = django_timezone.now()
    contact = ContactFactory(owner=user)
    old = follow_up_create(owner=user, contact=contact, kind="other", title="Old", due_at=now - timedelta(days=3))
    recent = follow_up_create(
        owner=user, contact=contact, kind="other", title="Just now", due_at=now - timedelta(minutes=5)
    )
    assert not old.reminders.exists()
    assert recent.reminders.get().status == "pending"
