"""/api/v1/imports/linkedin-messages/, /capture-offers/, /new-people/: capture over HTTP (issue #13)."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api import ModelSerializer, enum_filter
from config.idempotency import IdempotentAPIMixin
from config.ownership import OwnedReadOnlyViewSet
from contacts.api_imports import ImportJobSerializer, ImportUploadSerializer, import_response
from outreach.models import CaptureOffer, Correspondent, CorrespondentStatus, OfferKind, OfferStatus, TouchChannel

from . import selectors, services
from .linkedin_messages import SKIP_REASONS, import_messages_upload
from .mail import EML_MAX_FILES, eml_upload


class CaptureOfferFilter(django_filters.FilterSet):
    status = enum_filter(OfferStatus.choices)
    kind = enum_filter(OfferKind.choices)

    class Meta:
        model = CaptureOffer
        fields = ["status", "kind"]


class CorrespondentFilter(django_filters.FilterSet):
    status = enum_filter(CorrespondentStatus.choices)
    source = enum_filter(TouchChannel.choices)

    class Meta:
        model = Correspondent
        fields = ["status", "source"]


def _dry_run(request) -> bool:
    return str(request.data.get("dry_run", "")).lower() in ("true", "1", "yes", "on")


class CaptureImportView(IdempotentAPIMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "imports"


_SKIPS = "; ".join(f"`{key}`: {words}" for key, words in SKIP_REASONS.items())


class LinkedInMessagesImportView(CaptureImportView):
    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: OpenApiTypes.OBJECT,
            202: ImportJobSerializer,
            400: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
            413: OpenApiTypes.OBJECT,
            503: OpenApiTypes.OBJECT,
        },
        summary="Import LinkedIn's messages.csv",
        description=(
            "Each message between you and a contact (matched by LinkedIn URL) becomes a touch; a re-import "
            "creates nothing. A contact's message after an open request records the reply (the nudges stop); "
            'your message to a contact with a planned LinkedIn ask is offered as "looks sent" (see '
            "/capture-offers/). Group threads count only each counterpart's own messages. People who are not "
            "contacts go to /new-people/. Your profile is the `linkedin_url` setting, else the participant of "
            f"every conversation. Result: `touches`, `replies`, `looks_sent`, `skipped` and `skipped_reasons` ({_SKIPS}), "
            "`unknown_people`, `errors`. Large files answer 202 with a job, like the other imports."
        ),
    )
    def post(self, request):
        return import_response(
            import_messages_upload(owner=request.user, upload=request.FILES.get("file"), dry_run=_dry_run(request))
        )


class EmlUploadSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(), help_text=f"One or more .eml files (at most {EML_MAX_FILES})."
    )


class EmlImportView(CaptureImportView):
    @extend_schema(
        request={"multipart/form-data": EmlUploadSerializer},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 413: OpenApiTypes.OBJECT},
        summary="Import .eml files as if they had been sent to your mail-in address",
        description=(
            "For users without a mail domain. Each message (or the original it forwards) becomes a touch with the "
            'contacts it was between (matched by e-mail), a reply to an open request, a "looks sent" offer for a '
            "planned e-mail ask, or (a text/calendar invitation) an offer to schedule the matching ask. "
            "The same message again (by Message-ID) changes nothing. Answers `{results: [...]}`, one per file."
        ),
    )
    def post(self, request):
        return Response({"results": eml_upload(owner=request.user, files=request.FILES.getlist("file"))})


class CaptureOfferSerializer(ModelSerializer):
    contact = serializers.IntegerField(source="conversation.contact_id", read_only=True)
    contact_name = serializers.CharField(source="conversation.contact.full_name", read_only=True)

    class Meta:
        model = CaptureOffer
        fields = [
            "id",
            "conversation",
            "contact",
            "contact_name",
            "kind",
            "status",
            "source",
            "at",
            "scheduled_for",
            "subject",
            "body",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class CaptureOfferViewSet(OwnedReadOnlyViewSet):
    """What capture found and offers, never applies by itself: a planned ask that "looks sent"
    (`kind=sent`), an invitation to schedule (`kind=schedule`)."""

    selector = selectors.capture_offer_list
    serializer_class = CaptureOfferSerializer
    filterset_class = CaptureOfferFilter
    ordering_fields = ["at", "created_at"]
    ordering = ["-at", "-id"]

    @extend_schema(
        request=None,
        responses={200: CaptureOfferSerializer, 409: OpenApiResponse(description="Already decided.")},
        description="Accept: a looks-sent ask moves to requested with the message; an invitation schedules the ask.",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        offer = self.get_object()
        services.capture_offer_accept(offer=offer)
        return Response(CaptureOfferSerializer(self.get_queryset().get(pk=offer.pk)).data)

    @extend_schema(
        request=None, responses={200: CaptureOfferSerializer, 409: OpenApiResponse(description="Already decided.")}
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        offer = self.get_object()
        services.capture_offer_dismiss(offer=offer)
        return Response(CaptureOfferSerializer(self.get_queryset().get(pk=offer.pk)).data)


class CorrespondentSerializer(ModelSerializer):
    class Meta:
        model = Correspondent
        fields = ["id", "name", "email", "linkedin_url", "source", "status", "contact", "first_seen_at", "last_seen_at"]
        read_only_fields = fields


class CorrespondentViewSet(OwnedReadOnlyViewSet):
    """People who wrote with you and are not contacts (`status=new` is the New people list)."""

    selector = selectors.correspondent_list
    serializer_class = CorrespondentSerializer
    filterset_class = CorrespondentFilter
    search_fields = ["name", "email", "linkedin_url"]
    ordering_fields = ["last_seen_at", "name"]
    ordering = ["-last_seen_at", "-id"]

    @extend_schema(request=None, responses={200: CorrespondentSerializer})
    @action(detail=True, methods=["post"])
    def add(self, request, pk=None):
        """Add as a contact (name, e-mail, LinkedIn profile)."""
        person = self.get_object()
        services.correspondent_add(correspondent=person)
        return Response(CorrespondentSerializer(self.get_queryset().get(pk=person.pk)).data)

    @extend_schema(request=None, responses={200: CorrespondentSerializer})
    @action(detail=True, methods=["post"])
    def ignore(self, request, pk=None):
        """Ignore (remembered: capture will not list them again)."""
        person = self.get_object()
        services.correspondent_ignore(correspondent=person)
        return Response(CorrespondentSerializer(self.get_queryset().get(pk=person.pk)).data)
