"""What delivery does when sending goes wrong in ways other than a plain SMTP 4xx/5xx, and who
gets no mail at all."""

import contextlib
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError

from outreach.models import Reminder
from outreach.services import follow_up_create
from outreach.tasks import send_reminder
from tests.factories import ContactFactory, aware

NOW = aware(2026, 4, 14, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def due_follow_up(clock, user):
    user.profile.daily_digest = user.profile.weekly_review = False
    user.profile.save()
    follow_up = follow_up_create(
        owner=user,
        contact=ContactFactory(owner=user),
        kind="other",
        title="Send the deck",
        due_at=NOW + timedelta(hours=1),
    )
    clock.move_to(follow_up.due_at)
    return follow_up


def sweep():
    call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))


def test_a_send_error_that_is_not_the_mail_servers_answer_fails_the_reminder_visibly(
    flaky_smtp, due_follow_up, api_client
):
    flaky_smtp.failures = 99
    flaky_smtp.error = ValueError("Invalid address")
    sweep()
    (row,) = api_client.get("/api/v1/reminders/").json()["results"]
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 1, "ValueError: Invalid address")
    assert Reminder.objects.get(pk=row["id"]).claimed_at is None
    assert mail.outbox == []


def test_a_refused_smtp_log_in_is_retried_and_the_reminder_arrives_once_it_is_fixed(clock, flaky_smtp, due_follow_up):
    flaky_smtp.failures = 2
    flaky_smtp.error = smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")
    reminder = due_follow_up.reminders.get()
    for _ in range(3):
        sweep()
        reminder.refresh_from_db()
        clock.move_to(reminder.send_at)
    assert (reminder.status, reminder.attempts, reminder.last_error) == (Reminder.Status.SENT, 3, "")
    assert len(mail.outbox) == 1


def test_a_refused_message_still_fails_at_once(flaky_smtp, due_follow_up):
    flaky_smtp.failures = 1
    flaky_smtp.error = smtplib.SMTPDataError(554, b"5.6.0 Message rejected")
    sweep()
    reminder = due_follow_up.reminders.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.FAILED, 1)


def test_a_deactivated_account_gets_no_reminder_email(user, due_follow_up):
    user.is_active = False
    user.save()
    sweep()
    reminder = due_follow_up.reminders.get()
    assert (reminder.status, reminder.last_error) == (Reminder.Status.CANCELLED, "The account is deactivated.")
    assert mail.outbox == []


def test_a_deactivated_account_gets_no_daily_digest(clock, user):
    from accounts.services import profile_update

    follow_up_create(
        owner=user, contact=ContactFactory(owner=user), kind="other", title="Owed", due_at=NOW - timedelta(days=2)
    )
    profile_update(profile=user.profile, digest_hour=8)  # plans tomorrow's digest
    user.is_active = False
    user.save()
    for _ in range(3):
        clock.shift(timedelta(days=1))
        sweep()
    assert [m.extra_headers["X-Coffeechat-Reminder"] for m in mail.outbox] == []
    assert Reminder.objects.filter(owner=user, kind="daily_digest", status="pending").count() == 0


def test_a_send_cut_short_by_the_task_time_limit_is_retried_later(flaky_smtp, due_follow_up):
    from celery.exceptions import SoftTimeLimitExceeded

    flaky_smtp.failures = 1
    flaky_smtp.error = SoftTimeLimitExceeded()
    sweep()
    reminder = due_follow_up.reminders.get()
    assert (reminder.status, reminder.attempts, reminder.send_at) == (
        Reminder.Status.PENDING,
        1,
        due_follow_up.due_at + timedelta(seconds=60),
    )


def test_a_reminder_the_mail_server_took_is_not_sent_again_when_the_database_connection_dies_before_the_commit(
    clock, monkeypatch, due_follow_up
):
    """Found by the soak (docs/reliability.md): the database connection was terminated (a
    restart, a failover) between the mail server's 250 and the commit that marks the row sent."""
    reminder = due_follow_up.reminders.get()
    save, cut = Reminder.save, []

    def save_on_a_connection_that_dies_once(self, *args, **kwargs):
        if "sent_at" in (kwargs.get("update_fields") or ()) and not cut:
            cut.append(self.pk)
            raise OperationalError("terminating connection due to administrator command")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Reminder, "save", save_on_a_connection_that_dies_once)
    with contextlib.suppress(OperationalError):  # what the worker logs if the task fails
        send_reminder(reminder.pk)
    clock.shift(timedelta(hours=1))  # long past the claim timeout: a sweep would take a pending row again
    sweep()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, len(mail.outbox)) == (Reminder.Status.SENT, 1, 1)
