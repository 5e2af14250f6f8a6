"""/api/v1/imports/…, /api/v1/export/contacts.{csv,vcf}, /api/v1/job-changes/: thin views over
contacts.importers (the import service layer) and contacts.exports."""

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api import MAX_ID, ChoiceField
from config.idempotency import IdempotentAPIMixin
from config.ownership import OwnedViewSetMixin

from . import exports, selectors
from .importers.job_changes import job_change_suggestion, job_changes_for
from .importers.services import import_upload, job_change_acknowledge
from .models import ContactEvent, ImportJob


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file to import.")
    dry_run = serializers.BooleanField(default=False, help_text="Report what would happen and write nothing.")


ImportResultSerializer = inline_serializer(
    "ImportResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "skipped": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "error_count": serializers.IntegerField(),
        "job_changes": serializers.IntegerField(),
        "dry_run": serializers.BooleanField(),
        "first_rows": serializers.ListField(
            child=serializers.DictField(),
            help_text="The first rows it creates (or would, in a dry run) or updates: "
            "`{row, action: create|update, name, company, changes}`.",
        ),
    },
)


class ImportJobSerializer(serializers.ModelSerializer):
    status = ChoiceField(
        source="current_status",
        choices=ImportJob.Status.choices,
        read_only=True,
        help_text="`partial`: it stopped part-way (an error, or its worker died); the rows counted in "
        "`processed_rows` and `result` are saved, and importing the file again completes it.",
    )
    progress = serializers.IntegerField(source="percent", read_only=True, help_text="0–100")
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "dry_run",
            "filename",
            "total_rows",
            "processed_rows",
            "progress",
            "result",
            "error",
            "created_at",
            "finished_at",
            "status_url",
        ]
        read_only_fields = fields
        extra_kwargs = {"total_rows": {"help_text": "0 until the job has counted a large file's rows."}}

    def get_status_url(self, job) -> str:
        return reverse("api-import-job", args=[job.pk])


class _ImportView(IdempotentAPIMixin, APIView):
    kind = ""
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "imports"

    def post(self, request):
        dry_run = str(request.data.get("dry_run", "")).lower() in ("true", "1", "yes", "on")
        # A refused file raises ApplicationError; config.api.exception_handler answers it
        # (400/409/413, or 503 with Retry-After when a large file's job cannot be queued).
        outcome = import_upload(owner=request.user, kind=self.kind, upload=request.FILES.get("file"), dry_run=dry_run)
        return import_response(outcome if isinstance(outcome, ImportJob) else outcome.as_dict())


def import_response(outcome: "ImportJob | dict") -> Response:
    """200 with an import's result, or 202 with the background job to poll at its status URL."""
    if isinstance(outcome, ImportJob):
        body = ImportJobSerializer(outcome).data
        body["job_id"] = str(outcome.pk)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})
    return Response(outcome, status=status.HTTP_200_OK)


_IMPORT_RESPONSES = {
    200: ImportResultSerializer,
    202: ImportJobSerializer,
    400: OpenApiTypes.OBJECT,
    409: OpenApiTypes.OBJECT,
    413: OpenApiTypes.OBJECT,
    503: OpenApiTypes.OBJECT,
}


@extend_schema(
    request={"multipart/form-data": ImportUploadSerializer},
    responses=_IMPORT_RESPONSES,
    summary="Import LinkedIn's Connections.csv",
    description=(
        "Upserts by LinkedIn URL, then e-mail, then (first, last, company). Files with more than "
        "IMPORT_SYNC_MAX_ROWS rows or IMPORT_SYNC_MAX_BYTES bytes answer 202 with a job to poll at "
        "`status_url` (503 with Retry-After, and nothing kept, when the task queue is down). A field "
        "longer than IMPORT_MAX_FIELD_BYTES refuses the file with a 400 naming its line."
    ),
)
class LinkedInImportView(_ImportView):
    kind = ImportJob.Kind.LINKEDIN


@extend_schema(
    request={"multipart/form-data": ImportUploadSerializer},
    responses=_IMPORT_RESPONSES,
    summary="Import Coffeechat's contacts CSV (the columns of /export/contacts.csv)",
)
class CsvImportView(_ImportView):
    kind = ImportJob.Kind.CSV


@extend_schema(
    request={"multipart/form-data": ImportUploadSerializer},
    responses=_IMPORT_RESPONSES,
    summary="Import a vCard 3.0/4.0 (.vcf) file",
)
class VcardImportView(_ImportView):
    kind = ImportJob.Kind.VCARD


class ImportJobView(OwnedViewSetMixin, generics.RetrieveAPIView):
    """A background import's progress and, once done, its result."""

    selector = selectors.import_job_list
    serializer_class = ImportJobSerializer


def _attachment(stream, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _stamp() -> str:
    return timezone.localdate().isoformat()


class ExportView(APIView):
    """Exports read the whole account: throttled per user like imports (the "exports" scope)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"


class ContactsCsvExportView(ExportView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR}, summary="All contacts as CSV")
    def get(self, request):
        return _attachment(
            exports.contacts_csv(request.user), "text/csv; charset=utf-8", f"coffeechat-contacts-{_stamp()}.csv"
        )


class ContactsVcfExportView(ExportView):
    @extend_schema(responses={(200, "text/vcard"): OpenApiTypes.STR}, summary="All contacts as vCard 3.0")
    def get(self, request):
        return _attachment(
            exports.contacts_vcf(request.user), "text/vcard; charset=utf-8", f"coffeechat-contacts-{_stamp()}.vcf"
        )


# --- job changes ---------------------------------------------------------------------------


class JobChangeSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)
    suggestion = serializers.SerializerMethodField()

    class Meta:
        model = ContactEvent
        fields = [
            "id",
            "contact",
            "contact_name",
            "summary",
            "suggestion",
            "previous_company",
            "previous_title",
            "new_company",
            "new_title",
            "acknowledged",
            "created_at",
        ]
        read_only_fields = fields

    def get_suggestion(self, event) -> str:
        return job_change_suggestion(event)


@extend_schema(
    parameters=[
        OpenApiParameter("acknowledged", bool, description="true: seen ones only; false: new ones only"),
        OpenApiParameter("contact", int),
    ]
)
class JobChangeListView(generics.ListAPIView):
    """Contacts who changed company or position (found by a LinkedIn re-import): reasons to reach out."""

    serializer_class = JobChangeSerializer
    filter_backends = []

    def get_queryset(self):
        acknowledged = {"true": True, "false": False}.get(self.request.query_params.get("acknowledged", ""))
        events = job_changes_for(self.request.user, acknowledged=acknowledged)
        contact = self.request.query_params.get("contact")
        if contact:
            # Anything but a plausible id matches nothing (and never reaches the database as-is).
            valid = contact.isascii() and contact.isdigit() and int(contact) <= MAX_ID
            events = events.filter(contact_id=int(contact)) if valid else events.none()
        return events


class JobChangeAcknowledgeView(IdempotentAPIMixin, APIView):
    @extend_schema(request=None, responses=JobChangeSerializer, summary="Mark a job change as seen")
    def post(self, request, pk: int):
        event = job_change_acknowledge(event=selectors.job_change_get(user=request.user, pk=pk))
        return Response(JobChangeSerializer(event).data)
