"""Delivery at line rate: one send task per batch of due rows, one SMTP session per worker
process, messages rendered before the row lock but sent only if still wanted under it."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from outreach import emails, reminders, tasks
from outreach.models import Reminder
from outreach.services import follow_up_complete, follow_up_create
from tests.factories import ContactFactory, aware

NOW = aware(2026, 4, 14, 12, 0)


class SessionBackend(LocmemBackend):
    """Counts sessions like an SMTP server would; `drop_next` drops the open one before a send."""

    opened = 0
    closed = 0
    drop_next = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = None

    def open(self):
        if self.connection is not None:
            return False
        SessionBackend.opened += 1
        self.connection = object()
        return True

    def close(self):
        if self.connection is not None:
            SessionBackend.closed += 1
        self.connection = None

    def send_messages(self, messages):
        if SessionBackend.drop_next:
            SessionBackend.drop_next = False
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def sessions(settings):
    emails.close_shared_connection()
    settings.EMAIL_BACKEND = f"{SessionBackend.__module__}.{SessionBackend.__qualname__}"
    SessionBackend.opened = SessionBackend.closed = 0
    SessionBackend.drop_next = False
    yield SessionBackend
    emails.close_shared_connection()


@pytest.fixture
def due(user):
    """Five follow-ups due at NOW + 1 h, with the clock moved there."""
    user.profile.daily_digest = user.profile.weekly_review = False
    user.profile.save()
    contact = ContactFactory(owner=user)
    with time_machine.travel(NOW, tick=False) as clock:
        rows = [
            follow_up_create(owner=user, contact=contact, kind="other", title=f"F{n}", due_at=NOW + timedelta(hours=1))
            for n in range(5)
        ]
        clock.move_to(NOW + timedelta(hours=1))
        yield rows


def follow_up_mail():
    return [m for m in mail.outbox if m.extra_headers["X-Coffeechat-Reminder"] == "follow_up_due"]


def test_a_sweep_queues_one_send_task_per_batch_of_due_rows(monkeypatch, django_capture_on_commit_callbacks, due):
    monkeypatch.setattr(reminders, "SEND_BATCH", 2)
    queued = []
    monkeypatch.setattr(tasks.send_reminders, "apply_async", lambda args, **kw: queued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_reminders() == 5
    assert [len(batch) for batch in queued] == [2, 2, 1]
    assert sorted(sum(queued, [])) == sorted(f.reminders.get().pk for f in due)


def test_a_batch_is_sent_over_one_smtp_session_that_stays_open_for_the_next_task(sessions, due):
    ids = [f.reminders.get().pk for f in due]
    assert tasks.send_reminders(ids[:3]) == {"sent": 3}
    assert tasks.send_reminders(ids[3:]) == {"sent": 2}
    assert len(follow_up_mail()) == 5
    assert (sessions.opened, sessions.closed) == (1, 0)
    emails.close_shared_connection()  # what a worker process does when it shuts down
    assert sessions.closed == 1


def test_a_session_the_server_dropped_is_reopened_and_the_message_still_goes_out_once(sessions, due):
    ids = [f.reminders.get().pk for f in due]
    tasks.send_reminders(ids[:1])
    sessions.drop_next = True
    assert tasks.send_reminders(ids[1:]) == {"sent": 4}
    assert len(follow_up_mail()) == 5
    assert sessions.opened == 2
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("sent", 1)}


def test_a_send_error_closes_the_session_and_the_next_message_opens_a_new_one(sessions, flaky_smtp, settings, due):
    settings.EMAIL_BACKEND = f"{SessionBackend.__module__}.{SessionBackend.__qualname__}"
    ids = [f.reminders.get().pk for f in due]
    original = SessionBackend.send_messages
    calls = []

    def refuse_first(self, messages):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        return original(self, messages)

    SessionBackend.send_messages = refuse_first
    try:
        assert tasks.send_reminders(ids) == {"pending": 1, "sent": 4}
    finally:
        SessionBackend.send_messages = original
    assert (sessions.opened, sessions.closed) == (2, 1)
    assert Reminder.objects.get(pk=ids[0]).last_error == "SMTPDataError: (451, b'4.3.0 Try again later')"


def test_a_reminder_cancelled_after_its_email_was_rendered_is_not_sent(sessions, due):
    first, second = due[:2]
    ids = [first.reminders.get().pk, second.reminders.get().pk]
    prepared = reminders.prepare_messages(ids)
    assert set(prepared) == set(ids)
    follow_up_complete(follow_up=first)  # lands between rendering and the locked send
    outcomes = [reminders.deliver_reminder(pk, message=prepared[pk]) for pk in ids]
    assert outcomes == ["skipped", "sent"]
    assert [m.subject for m in follow_up_mail()] == ["Follow-up due: F1"]


def test_a_rendered_email_goes_to_the_address_the_account_has_when_it_is_sent(sessions, user, due):
    pk = due[0].reminders.get().pk
    prepared = reminders.prepare_messages([pk])
    user.email = "new@example.com"
    user.save()
    assert reminders.deliver_reminder(pk, message=prepared[pk]) == "sent"
    assert [m.to for m in follow_up_mail()] == [["new@example.com"]]


def test_a_second_run_of_the_same_batch_sends_nothing_again(sessions, due):
    ids = [f.reminders.get().pk for f in due]
    tasks.send_reminders(ids)
    assert tasks.send_reminders(ids) == {"skipped": 5}
    assert len(follow_up_mail()) == 5


def test_a_batch_that_runs_out_of_time_gives_its_remaining_rows_back_to_the_next_sweep(monkeypatch, sessions, due):
    monkeypatch.setattr(reminders, "SEND_BATCH_SECONDS", -1)
    ids = [f.reminders.get().pk for f in due]
    Reminder.objects.filter(pk__in=ids).update(claimed_at=NOW)
    assert tasks.send_reminders(ids) == {"released": 5}
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", "claimed_at")) == {("pending", None)}
    assert follow_up_mail() == []


def test_a_group_is_marked_sent_in_one_update_and_a_row_settled_meanwhile_is_left_alone(monkeypatch, sessions, due):
    """Rows are sent SEND_GROUP at a time and committed together; a follow-up completed after
    the batch was rendered is not e-mailed (its row is re-checked under the group's lock)."""
    monkeypatch.setattr(reminders, "SEND_GROUP", 2)
    ids = [f.reminders.get().pk for f in due]
    prepared = reminders.prepare_messages(ids)
    follow_up_complete(follow_up=due[2])
    monkeypatch.setattr(reminders, "prepare_messages", lambda ids: prepared)
    assert tasks.send_reminders(ids) == {"sent": 4, "skipped": 1}
    assert sorted(m.subject for m in follow_up_mail()) == sorted(prepared[pk].subject for pk in ids if pk != ids[2])
    assert Reminder.objects.get(pk=ids[2]).status == "cancelled"
    assert list(Reminder.objects.filter(pk__in=ids, status="sent").values_list("attempts", flat=True)) == [1] * 4


def test_a_group_whose_commit_is_lost_after_the_mail_server_took_it_is_recorded_as_sent_once(
    monkeypatch, sessions, due
):
    """The connection dies at the group's UPDATE: the messages are out, so each row is marked
    sent on a new connection, and a later sweep sends none of them again."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    update, cut = QuerySet.update, []

    def update_on_a_connection_that_dies_once(self, **kwargs):
        if self.model is Reminder and kwargs.get("status") == "sent" and "sent_at" in kwargs and not cut:
            cut.append(True)
            raise OperationalError("terminating connection due to administrator command")
        return update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_on_a_connection_that_dies_once)
    monkeypatch.setattr(reminders, "LOST_COMMIT_RETRY_DELAYS", (0,))
    ids = [f.reminders.get().pk for f in due]
    assert tasks.send_reminders(ids) == {"sent": 5}
    assert cut == [True]
    assert len(follow_up_mail()) == 5
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("sent", 1)}
    Reminder.objects.filter(pk__in=ids).update(claimed_at=None)
    tasks.sweep()
    assert len(follow_up_mail()) == 5
