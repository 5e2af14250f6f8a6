"""The Celery app: a worker runs the tasks, beat runs the reminder sweep every REMINDER_SWEEP_SECONDS
and prunes expired idempotency keys hourly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("coffeechat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_ignore_result=True,
    # A task is acknowledged after it ran, and requeued if its worker process dies,
    # so a crash mid-send leaves the message to be redelivered. The reminder row's status
    # guard makes the redelivery harmless.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One message at a time per process: long prefetch queues would hold due reminders hostage.
    worker_prefetch_multiplier=1,
    task_time_limit=120,
    task_soft_time_limit=90,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
    enable_utc=True,
)
app.autodiscover_tasks()


def _beat_schedule():
    from django.conf import settings

    return {
        "reminder-sweep": {
            "task": "outreach.tasks.sweep_reminders",
            "schedule": float(settings.REMINDER_SWEEP_SECONDS),
            # A sweep that waited longer than its interval is superseded by the next one.
            "options": {"expires": float(settings.REMINDER_SWEEP_SECONDS)},
        },
        # Deleted notes past their Undo window (crm.services.note_delete); reads never show them.
        "purge-deleted-notes": {
            "task": "crm.tasks.purge_deleted_notes",
            "schedule": 60.0,
            "options": {"expires": 60.0},
        },
        # Idempotency keys replay for 24 h; older ones are deleted (#10).
        "idempotency-key-prune": {
            "task": "accounts.tasks.prune_idempotency_keys",
            "schedule": 3600.0,
            "options": {"expires": 3600.0},
        },
    }


@app.on_after_configure.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = _beat_schedule()
