"""The Import page: upload a LinkedIn export, a Coffeechat CSV or a vCard; preview with a dry
run; watch a large file's progress; read the per-row error report; download exports."""

import math

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.errors import ApplicationError
from config.api import APPLICATION_ERROR_STATUS, UNAVAILABLE_RETRY_AFTER
from config.pages import page_view
from config.throttling import page_throttle_wait

from .importers.csv_format import COLUMNS
from .importers.services import import_preview_keep, import_preview_upload, import_upload
from .models import ImportJob
from .selectors import import_job_get, import_job_list

KINDS = (
    (ImportJob.Kind.LINKEDIN, "LinkedIn Connections.csv"),
    (ImportJob.Kind.CSV, "Coffeechat contacts CSV"),
    (ImportJob.Kind.VCARD, "vCard (.vcf) from your phone or address book"),
)


def _recent_jobs(user):
    return import_job_list(user=user)[:5]


@page_view
@require_http_methods(["GET", "POST"])
def import_page(request):
    context = {"kinds": KINDS, "columns": COLUMNS, "kind": ImportJob.Kind.LINKEDIN, "dry_run": False}
    status, retry_after = 200, None
    if request.method == "POST":
        # Counted with the API's imports (the page is no way around their limit), and before the
        # upload is read: an htmx post sends its CSRF token in a header, so its body is untouched.
        retry_after = page_throttle_wait(request, "imports")
        if retry_after is not None:
            context["error"] = f"You have imported many files in a short time. Try again in {_wait_text(retry_after)}."
            status = 429
        else:
            status, retry_after = _import(request, context)
        if request.htmx:
            # htmx swaps only 2xx (and 400) answers into the page: the outcome comes as a 200.
            response = render(request, "contacts/_import_outcome.html", context, status=200)
            return _with_retry_after(response, retry_after)
    context["jobs"] = _recent_jobs(request.user)
    return _with_retry_after(render(request, "contacts/import.html", context, status=status), retry_after)


def _import(request, context: dict) -> tuple[int, int | None]:
    """Import the posted file into `context` (its result, its job, or why not); returns the
    page's status and the seconds for Retry-After, if any."""
    kind = request.POST.get("kind", "")
    if kind not in dict(KINDS):  # LinkedIn messages have their own form (outreach, issue #13)
        kind = ImportJob.Kind.LINKEDIN
    dry_run = request.POST.get("dry_run") in ("on", "true", "1")
    upload = request.FILES.get("file")
    try:
        if upload is None and request.POST.get("preview"):
            # "Import now" after a preview: the file kept server-side, not uploaded again.
            kind, upload = import_preview_upload(owner=request.user, token=request.POST["preview"])
            dry_run = False
        context.update(kind=kind, dry_run=dry_run, filename=upload.name if upload else "")
        outcome = import_upload(owner=request.user, kind=kind, upload=upload, dry_run=dry_run)
    except ApplicationError as exc:
        # The error is shown on the page; a plain-form POST still gets a meaningful status.
        context["error"] = exc.message
        unavailable = exc.code == ApplicationError.UNAVAILABLE
        return APPLICATION_ERROR_STATUS[exc.code], UNAVAILABLE_RETRY_AFTER if unavailable else None
    is_job = isinstance(outcome, ImportJob)
    context.update(job=outcome if is_job else None, result=None if is_job else outcome.as_dict())
    if dry_run and not is_job and (outcome.created or outcome.updated):
        context["preview_token"] = import_preview_keep(owner=request.user, kind=kind, upload=upload)
    return 200, None


def _wait_text(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 90 else f"{math.ceil(seconds / 60)} minutes"


def _with_retry_after(response, seconds: int | None):
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response


@page_view
@require_GET
def import_job_status(request, pk):
    """Polled by the progress bar every second until the job is done."""
    job = import_job_get(user=request.user, pk=pk)
    return render(request, "contacts/_import_job.html", {"job": job, "result": job.result})
