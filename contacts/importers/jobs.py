"""Background imports: a large file is kept on an ImportJob, queued, run batch by batch with its
progress recorded, and finished with its result (or the reason it failed)."""

import io
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.errors import ApplicationError
from contacts.models import ImportJob

from .formats import file_rows, import_inspect
from .reading import ImportRejected, detect_encoding
from .upsert import ImportResult, Progress, Upsert, upsert_in_one_transaction

logger = logging.getLogger(__name__)


# Import kinds whose rows are not contacts (LinkedIn's messages.csv, issue #13) are run by the
# app that owns them: it registers a runner here when it loads (a lower app cannot call up).
# runner(job=, fileobj=, progress=progress(done, total, result_dict)) -> the result dict.
JOB_RUNNERS: dict[str, Callable] = {}


def register_job_runner(kind: str, runner: Callable) -> None:
    JOB_RUNNERS[kind] = runner


QUEUE_DOWN = (
    "This file is large enough to import in the background, but the task queue is unavailable "
    "right now. Nothing was imported; try again in a minute."
)


def import_job_create(*, owner, kind: str, fileobj, filename: str, dry_run: bool, total_rows: int | None) -> ImportJob:
    """Keep the upload and queue its import (once the transaction commits). `total_rows` is
    None for a big file the request did not count: the job counts it (0 until then).

    Refuses with ApplicationError(UNAVAILABLE), writing nothing, when the task queue cannot be
    reached: a job that no worker will ever see must not be created.
    """
    from contacts import tasks

    _check_queue(tasks.run_import_job.app)
    fileobj.seek(0)
    job = ImportJob(
        owner=owner,
        kind=kind,
        dry_run=dry_run,
        filename=(filename or "")[:255],
        total_rows=total_rows or 0,
        content=fileobj.read(),
    )
    job.full_clean(exclude=["content"])
    job.save()
    job_id = str(job.pk)
    transaction.on_commit(lambda: _queue(tasks.run_import_job, job_id))
    return job


def _check_queue(app) -> None:
    """Reach the broker once, without retrying (a down broker answers at once; a silent one
    within two seconds)."""
    if app.conf.task_always_eager:
        return  # tasks run in-process; there is no broker to reach
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:  # kombu raises several connection error types
        logger.warning("Import not started: the task queue is unreachable (%s)", exc)
        raise ApplicationError(QUEUE_DOWN, field="file", code=ApplicationError.UNAVAILABLE) from None


def _queue(task, job_id: str) -> None:
    """Hand the job to a worker; if the broker went down since _check_queue, say so on the job
    instead of a 500."""
    try:
        task.delay(job_id)
    except Exception:  # kombu raises several connection error types
        logger.exception("Import job %s could not be queued", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.FAILED,
            error="The import could not be started because the task queue is unavailable. Try again in a minute.",
            content=None,
            finished_at=timezone.now(),
        )


def import_job_run(*, job_id) -> ImportJob | None:
    """Run a queued job, recording progress after every batch so the page can show a bar.

    Running it twice is safe: a finished job is left alone, and the import itself is
    idempotent (a second run finds every row already there).
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    # A partial job (its worker died, and the message came back) runs again: already written
    # rows are found and skipped, so the second run completes the file.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now())
    upsert = None

    def progress(done: int, total: int) -> None:
        # After each committed batch: the bar, the counts written so far, and a sign of life.
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=done,
            total_rows=max(total, done),
            result=upsert.result.as_dict() if upsert else None,
            heartbeat_at=timezone.now(),
        )

    def started(running_upsert) -> None:
        nonlocal upsert
        upsert = running_upsert

    def runner_progress(done: int, total: int, result: dict) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=done, total_rows=max(total, done), result=result, heartbeat_at=timezone.now()
        )

    content = bytes(job.content or b"")
    try:
        if job.kind in JOB_RUNNERS:
            result = JOB_RUNNERS[job.kind](job=job, fileobj=io.BytesIO(content), progress=runner_progress)
        else:
            result = _import_in_batches(job, io.BytesIO(content), progress, started).as_dict()
    except ImportRejected as exc:
        _finish(job, status=ImportJob.Status.FAILED, error=exc.message)
    except Exception as exc:  # recorded for the user; the worker log has the traceback
        _stopped(job, exc)
        raise
    else:
        _finish(job, status=ImportJob.Status.DONE, result=result)
    job.refresh_from_db()
    return job


def _import_in_batches(job: ImportJob, fileobj, progress: Progress, started) -> ImportResult:
    """A background import commits batch by batch so that progress is visible while it runs.

    Each batch takes the account's import lock, like every other import path. A dry run
    still runs in one transaction that is rolled back. A crash part-way leaves the batches
    already committed and the job `partial`; running the file again completes it without
    duplicates.
    """
    if job.total_rows:
        # The request checked and counted the whole file: it is only read again to import it.
        encoding = detect_encoding(fileobj)
    else:
        # A big file, of which the request checked only the head: check it all (and count it)
        # before anything is written, as a direct import does.
        inspection = import_inspect(kind=job.kind, fileobj=fileobj)
        encoding, job.total_rows = inspection.encoding, inspection.total_rows
        ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows, heartbeat_at=timezone.now())
    rows = file_rows(job.kind, fileobj, encoding)
    if job.dry_run:
        return upsert_in_one_transaction(owner=job.owner, kind=job.kind, rows=rows, total=job.total_rows, dry_run=True)
    upsert = Upsert(owner=job.owner, kind=job.kind, dry_run=False, lock_each_batch=True)
    started(upsert)
    return upsert.run(rows, job.total_rows, progress)


def _stopped(job: ImportJob, exc: Exception) -> None:
    """An unexpected error part-way: what was written stays, and the job says so."""
    job.refresh_from_db(fields=["processed_rows", "dry_run"])
    if job.processed_rows and not job.dry_run:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.PARTIAL,
            error=f"The import stopped after {job.processed_rows} rows ({type(exc).__name__}). The rows before "
            "that are saved; import the file again to complete it (nothing will be duplicated).",
            finished_at=timezone.now(),
        )
    else:
        _finish(job, status=ImportJob.Status.FAILED, error=f"The import stopped: {type(exc).__name__}.")


def _finish(job: ImportJob, *, status: str, result: dict | None = None, error: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        result=result,
        error=error,
        content=None,
        finished_at=timezone.now(),
        processed_rows=job.total_rows if status == ImportJob.Status.DONE else job.processed_rows,
    )
