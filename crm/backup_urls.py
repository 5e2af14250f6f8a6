"""GET /api/v1/export/backup.json and POST /api/v1/imports/backup/ (included under /api/v1/)."""

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.idempotency import IdempotentAPIMixin
from config.parsers import JSONParser
from contacts.api_imports import ExportView

from .backup import backup_build, backup_read, backup_restore


class BackupExportView(ExportView):
    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT}, summary="The whole account as JSON")
    def get(self, request):
        response = JsonResponse(backup_build(request.user), json_dumps_params={"ensure_ascii": False, "indent": 1})
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="coffeechat-backup-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response


class _BackupUpload(serializers.Serializer):
    file = serializers.FileField(help_text="A backup.json from GET /api/v1/export/backup.json")


class BackupRestoreView(IdempotentAPIMixin, APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "imports"

    @extend_schema(
        request={"multipart/form-data": _BackupUpload, "application/json": OpenApiTypes.OBJECT},
        responses={
            201: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
            413: OpenApiTypes.OBJECT,
        },
        summary="Restore a backup into this (empty) account",
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is not None:
            data = backup_read(upload)  # an ApplicationError answers 400 or 413
        elif request.content_type.startswith("application/json"):
            data = request.data
        else:
            return Response(
                {"detail": "Attach the backup as `file` (multipart) or send it as the JSON body."}, status=400
            )
        counts = backup_restore(user=request.user, data=data)  # an ApplicationError answers 400 or 409
        return Response({"restored": counts}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("export/backup.json", BackupExportView.as_view(), name="api-export-backup"),
    path("imports/backup/", BackupRestoreView.as_view(), name="api-import-backup"),
]
