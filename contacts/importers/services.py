"""The import entry points other code calls: import a file now, check one, take an upload from
the API or the Import page, acknowledge a job change.

The work is done beneath: `formats` checks and parses a file, `upsert` writes its rows,
`jobs` runs a large file in the background.
"""

import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
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
    "import_preview_keep",
    "import_preview_upload",
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


# A previewed file waits this long for "Import now" (in the shared cache: Redis or the database,
# so any web process finds it); after that the user chooses the file again.
PREVIEW_KEEP_SECONDS = 30 * 60
_PREVIEW_GONE = "That preview has expired (or was already imported). Choose the file again."


def _preview_key(owner, token: str) -> str:
    return f"import-preview:{owner.pk}:{token}"


def import_preview_keep(*, owner, kind: str, upload) -> str | None:
    """Keep a previewed (dry-run) upload server-side so "Import now" needs no second upload;
    the token to import it with, or None when it cannot be kept (the cache is down)."""
    fileobj = upload.file
    fileobj.seek(0)
    token = secrets.token_urlsafe(16)
    entry = {"kind": kind, "name": upload.name, "content": fileobj.read()}
    cache.set(_preview_key(owner, token), entry, PREVIEW_KEEP_SECONDS)
    return token if cache.get(_preview_key(owner, token)) is not None else None


def import_preview_upload(*, owner, token: str) -> tuple[str, SimpleUploadedFile]:
    """The kind and file of a kept preview of this owner (another owner's token finds nothing);
    ApplicationError when it has expired or was imported already. It is taken: used once."""
    key = _preview_key(owner, token)
    entry = cache.get(key) if token else None
    if entry is None:
        raise ApplicationError(_PREVIEW_GONE, field="file")
    cache.delete(key)
    return entry["kind"], SimpleUploadedFile(entry["name"], entry["content"])


def job_change_acknowledge(*, event: ContactEvent) -> ContactEvent:
    """The user has seen the job change (congratulated them, or chose not to)."""
    if not event.acknowledged:
        event.acknowledged = True
        event.save(update_fields=["acknowledged"])
    return event
