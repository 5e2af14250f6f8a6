"""The import entry points other code calls: import a file now, check one, take an upload from
the API or the Import page, acknowledge a job change.

The work is done beneath: `formats` checks and parses a file, `upsert` writes its rows,
`jobs` runs a large file in the background.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError

from contacts.models import ContactEvent, ImportJob

from .formats import Inspection, file_rows, import_inspect
from .jobs import import_job_create, import_job_run
from .reading import ImportRejected
from .upsert import ImportResult, upsert_in_one_transaction

__all__ = [
    "ImportResult",
    "Inspection",
    "UploadOutcome",
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


@dataclass
class UploadOutcome:
    status_code: int = 200
    result: ImportResult | None = None
    job: ImportJob | None = None
    error: str = ""


def import_upload(*, owner, kind: str, upload, dry_run: bool = False) -> UploadOutcome:
    """Check an uploaded file, then import it now (small) or queue a background job (large).

    Files with more than IMPORT_SYNC_MAX_ROWS rows become a job; bad files are refused
    (400, or 413 over IMPORT_MAX_BYTES) with nothing written.
    """
    if upload is None:
        return UploadOutcome(status_code=400, error="Choose a file to import.")
    fileobj = upload.file
    try:
        inspection = import_inspect(kind=kind, fileobj=fileobj, size=upload.size)
        if inspection.total_rows > settings.IMPORT_SYNC_MAX_ROWS:
            job = import_job_create(
                owner=owner,
                kind=kind,
                fileobj=fileobj,
                filename=upload.name,
                dry_run=dry_run,
                total_rows=inspection.total_rows,
            )
            return UploadOutcome(status_code=202, job=job)
        result = import_contacts(owner=owner, kind=kind, fileobj=fileobj, dry_run=dry_run, inspection=inspection)
    except ImportRejected as exc:
        return UploadOutcome(status_code=exc.status_code, error=exc.message)
    except IntegrityError:
        # A background import of this account wrote the same people meanwhile; nothing was kept.
        return UploadOutcome(status_code=409, error=_CONCURRENT_IMPORT)
    return UploadOutcome(result=result)


def job_change_acknowledge(*, event: ContactEvent) -> ContactEvent:
    """The user has seen the job change (congratulated them, or chose not to)."""
    if not event.acknowledged:
        event.acknowledged = True
        event.save(update_fields=["acknowledged"])
    return event
