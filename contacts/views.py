"""The Import page: upload a LinkedIn export, a Coffeechat CSV or a vCard; preview with a dry
run; watch a large file's progress; read the per-row error report; download exports."""

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.errors import ApplicationError
from config.api import APPLICATION_ERROR_STATUS
from config.pages import page_view

from .importers.csv_format import COLUMNS
from .importers.services import import_upload
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
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in ImportJob.Kind.values:
            kind = ImportJob.Kind.LINKEDIN
        dry_run = request.POST.get("dry_run") in ("on", "true", "1")
        upload = request.FILES.get("file")
        context.update(kind=kind, dry_run=dry_run, filename=upload.name if upload else "")
        try:
            outcome = import_upload(owner=request.user, kind=kind, upload=upload, dry_run=dry_run)
        except ApplicationError as exc:
            # The error is shown on the page; a plain-form POST still gets a meaningful status.
            context["error"] = exc.message
            status = APPLICATION_ERROR_STATUS[exc.code]
        else:
            is_job = isinstance(outcome, ImportJob)
            context.update(job=outcome if is_job else None, result=None if is_job else outcome.as_dict())
        if request.htmx:
            return render(request, "contacts/_import_outcome.html", context, status=200)
    context["jobs"] = _recent_jobs(request.user)
    return render(request, "contacts/import.html", context, status=status)


@page_view
@require_GET
def import_job_status(request, pk):
    """Polled by the progress bar every second until the job is done."""
    job = import_job_get(user=request.user, pk=pk)
    return render(request, "contacts/_import_job.html", {"job": job, "result": job.result})
