"""/api/v1/notes/, /opportunities/ and /dashboard/."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import enum_filter, id_filter
from config.idempotency import IdempotentAPIMixin
from config.ownership import OwnedModelViewSet
from config.parsers import JSONParser

from . import selectors, services
from .models import Note, NoteKind, Opportunity, OpportunityStatus
from .serializers import (
    DashboardQuerySerializer,
    DashboardSerializer,
    NoteSerializer,
    OpportunitySerializer,
)


class NoteFilter(django_filters.FilterSet):
    contact = id_filter("contact_id", help_text="Contact id.")
    conversation = id_filter("conversation_id", help_text="Conversation id.")
    kind = enum_filter(NoteKind.choices)

    class Meta:
        model = Note
        fields = ["contact", "conversation", "kind"]


class OpportunityFilter(django_filters.FilterSet):
    status = enum_filter(OpportunityStatus.choices)
    company = id_filter("company_id", help_text="Company id.")
    referrer = id_filter("referrer_id", help_text="Contact id of the referrer.")

    class Meta:
        model = Opportunity
        fields = ["status", "company", "referrer"]


class NoteViewSet(OwnedModelViewSet):
    """Notes on contacts (Markdown). A note logged against a conversation counts as a touch."""

    selector = selectors.note_list
    serializer_class = NoteSerializer
    filterset_class = NoteFilter
    search_fields = ["body", "contact__first_name", "contact__last_name"]
    ordering_fields = ["created_at", "kind"]
    ordering = ["-created_at", "-id"]

    def create_object(self, data):
        return services.note_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.note_update(note=instance, **data)


class OpportunityViewSet(OwnedModelViewSet):
    """Roles heard of, and how far along you are with each."""

    selector = selectors.opportunity_list
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter
    search_fields = ["title", "notes", "company__name", "referrer__first_name", "referrer__last_name"]
    ordering_fields = ["created_at", "updated_at", "title", "status"]
    ordering = ["-created_at", "-id"]

    def create_object(self, data):
        return services.opportunity_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.opportunity_update(opportunity=instance, **data)


class JSONView(IdempotentAPIMixin, APIView):
    parser_classes = [JSONParser]


class DashboardView(JSONView):
    @extend_schema(
        parameters=[DashboardQuerySerializer],
        responses={200: DashboardSerializer},
        description="Your pipeline at a glance, on your clock (profile time zone).",
    )
    def get(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        metrics = selectors.dashboard_metrics(user=request.user, days=query.validated_data["days"])
        return Response(DashboardSerializer(metrics).data)
