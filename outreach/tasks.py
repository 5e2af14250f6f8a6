"""Celery tasks for reminders: thin wrappers that take ids and call outreach.reminders.

The Reminder row, not the queue, is the source of truth: a task that is lost (broker
restarted, worker killed) leaves its row pending and claimed, and a sweep after
REMINDER_CLAIM_TIMEOUT_SECONDS claims it again. No task is ever queued with a long ETA.
"""

import logging

from celery import shared_task
from celery.signals import worker_process_shutdown
from django.db import transaction

from . import emails, reminders

logger = logging.getLogger(__name__)


def sweep(now=None) -> int:
    """Plan missing digests, claim the due reminders and queue one send task per SEND_BATCH rows.

    Shared by the beat-driven task and the `send_reminders` command. The claim commits
    first; the tasks are queued after the commit so a worker never looks for a claim it
    cannot see yet. If the broker refuses a task, the rows not yet queued are released so
    the next sweep takes them at once instead of waiting for the claim to go stale, and this
    sweep stops: claiming the next batch would only release it again (a full batch released
    and re-claimed in a loop would spin for as long as the broker is down).
    """
    reminders.plan_missing_digests(now)
    queued = 0
    while True:
        outcome = {}
        with transaction.atomic():
            ids = reminders.claim_due_reminders(now)
            transaction.on_commit(lambda ids=ids: outcome.update(queued=_queue_sends(ids)))
        # Inside a caller's transaction the sends are queued at its commit: count them as queued.
        sent_to_broker = outcome.get("queued", len(ids))
        queued += sent_to_broker
        if len(ids) < reminders.CLAIM_BATCH or sent_to_broker < len(ids):
            return queued


def _queue_sends(ids: list[int]) -> int:
    """Queue a send task per SEND_BATCH ids; returns how many ids were queued (the rest are released)."""
    for start in range(0, len(ids), reminders.SEND_BATCH):
        try:
            # No retries here: with the broker down each attempt would stall the sweep.
            # argsrepr: Celery would otherwise build a repr of the 50 ids for its logs (a third
            # of the sweep's time in the profile, #12).
            batch = ids[start : start + reminders.SEND_BATCH]
            send_reminders.apply_async((batch,), retry=False, argsrepr=f"({len(batch)} reminder ids)")
        except Exception:
            logger.warning("Could not queue reminders %s; released for the next sweep", ids[start:], exc_info=True)
            reminders.release_claims(ids[start:])
            return start
    return len(ids)


@shared_task(name="outreach.tasks.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int:
    """Beat runs this every REMINDER_SWEEP_SECONDS.

    Safe to run twice, or twice at once (a doubled beat): rows are claimed with
    SELECT ... FOR UPDATE SKIP LOCKED, so each due row is claimed by one sweep only, and
    digest planning is keyed per user per local day.
    """
    return sweep()


@shared_task(name="outreach.tasks.send_reminders", ignore_result=True)
def send_reminders(reminder_ids: list[int]) -> dict[str, int]:
    """Send a batch of claimed reminders over this worker process's open SMTP connection.

    Safe to run twice (a redelivered message after a worker was killed mid-batch): each row
    is locked for its own send and only a `pending` row is sent, so the rows the first run
    sent are skipped and the rest go out once.
    """
    return reminders.deliver_reminders(reminder_ids)


@worker_process_shutdown.connect
def _close_mail_connection(**kwargs):
    """A worker process that stops says QUIT to the mail server instead of dropping the session."""
    emails.close_shared_connection()


# Kept for messages queued by an earlier version (one task per reminder).
@shared_task(name="outreach.tasks.send_reminder", ignore_result=True)
def send_reminder(reminder_id: int) -> str:
    """Send one reminder email.

    Safe to run twice (a redelivered message, a stale claim queued again): deliver_reminder
    locks the row for the whole send and only a `pending` row is sent, so the second run
    finds it `sent` and does nothing.
    """
    return reminders.deliver_reminder(reminder_id)
