"""The import entry points other code calls: import a file now, check one, take an upload from
the API or the Import page, acknowledge a job change.

The work is done beneath: `formats` checks and parses a file, `upsert` writes its rows,
`jobs` runs a large file in the background.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError

from accounts.errors import ApplicationError
from contacts.models import ContactEvent, ImportJob

from .formats import Inspection, file_rows, import_inspect
from .jobs import import_job_create, import_job_run
from .upsert import ImportResult, upsert_in_one_transaction

__all__ = [
    "ImportResult",
    "Inspection",
    "import_contacts",
    "import_inspect",
    "import_job_create",
    "import_job_run",
    "import_upload",
    "job_change_acknowledge",
]

_CONCURRENT_IMPORT = (
    "Another import into your account was running at the same time. Nothing was written; "
    "import the file again (it is safe to repeat)."
)


def import_contacts(
    *,
    owner,
    kind: str,
    fileobj,
    dry_run: bool = False,
    size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    inspection: Inspection | None = None,
) -> ImportResult:
    """Import a LinkedIn / CSV / vCard file into the owner's contacts.

    All or nothing: the file is checked first, then every row is written in one
    transaction. `dry_run` computes the same result and writes nothing.
    """
    inspection = inspection or import_inspect(kind=kind, fileobj=fileobj, size=size)
    rows = file_rows(kind, fileobj, inspection.encoding)
    return upsert_in_one_transaction(
        owner=owner, kind=kind, rows=rows, total=inspection.total_rows, dry_run=dry_run, progress=progress
    )


def import_upload(*, owner, kind: str, upload, dry_run: bool = False) -> ImportResult | ImportJob:
    """Check an uploaded file, then import it now (small: the result) or queue a background
    job (large: the job to poll).

    Files with more than IMPORT_SYNC_MAX_ROWS rows or IMPORT_SYNC_MAX_BYTES bytes become a
    job, so a request never parses a big file (it checks the head, the job the rest). A
    missing or bad file is refused with nothing written: ApplicationError (INVALID, or
    TOO_LARGE over IMPORT_MAX_BYTES), CONFLICT when another import of the account wrote the
    same people meanwhile, or UNAVAILABLE when a job is needed and the task queue is down.
    """
    if upload is None:
        raise ApplicationError("Choose a file to import.", field="file")
    fileobj = upload.file
    # A big file is only checked here (its head): the background job counts and imports it.
    big = upload.size > settings.IMPORT_SYNC_MAX_BYTES
    inspection = import_inspect(kind=kind, fileobj=fileobj, size=upload.size, head_only=big)
    try:
        if big or inspection.total_rows > settings.IMPORT_SYNC_MAX_ROWS:
            return import_job_create(
                owner=owner,
                kind=kind,
                fileobj=fileobj,
                filename=upload.name,
                dry_run=dry_run,
                total_rows=inspection.total_rows,
            )
        return import_contacts(owner=owner, kind=kind, fileobj=fileobj, dry_run=dry_run, inspection=inspection)
    except IntegrityError:
        # A background import of this account wrote the same people meanwhile; nothing was kept.
        raise ApplicationError(_CONCURRENT_IMPORT, field="file", code=ApplicationError.CONFLICT) from None


def job_change_acknowledge(*, event: ContactEvent) -> ContactEvent:
    """The user has seen the job change (congratulated them, or chose not to)."""
    if not event.acknowledged:
        event.acknowledged = True
        event.save(update_fields=["acknowledged"])
    return event
