"""Celery tasks for the user's own side: thin wrappers over crm.services."""

from celery import shared_task

from . import services


@shared_task(name="crm.tasks.purge_deleted_notes", ignore_result=True)
def purge_deleted_notes() -> int:
    """Beat runs this every minute: notes deleted more than NOTE_UNDO_SECONDS ago go for good.

    Safe to run twice, or twice at once: it deletes rows by a time cutoff, and a row already
    deleted by the other run is simply not there any more.
    """
    return services.notes_purge()
