"""Background imports: large files run here so the upload answers at once with a job to poll."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def run_import_job(job_id: str) -> str:
    """Import the file kept on the ImportJob.

    Safe to run twice (a redelivered message, a restarted worker): a finished job is left
    alone, and the import is idempotent, so a second run over the same rows changes nothing.
    """
    from contacts.importers.jobs import import_job_run

    job = import_job_run(job_id=job_id)
    return job.status if job else "missing"
