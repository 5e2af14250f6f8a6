"""/api/v1/notes/, /opportunities/ and /dashboard/."""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import enum_filter, id_filter
from config.idempotency import IdempotentAPIMixin
from config.ownership import OwnedModelViewSet
from config.parsers import JSONParser

from . import selectors, services
from .models import NOTE_UNDO_SECONDS, Note, NoteKind, Opportunity, OpportunityStatus
from .serializers import (
    ContactBulkResultSerializer,
    ContactBulkSerializer,
    DashboardQuerySerializer,
    DashboardSerializer,
    NoteOpportunityResultSerializer,
    NoteOpportunitySerializer,
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
    conversation = id_filter("conversation_id", help_text="Id of the conversation where it came up.")

    class Meta:
        model = Opportunity
        fields = ["status", "company", "referrer", "conversation"]


@extend_schema_view(
    destroy=extend_schema(
        description=f"Delete the note. It disappears at once; `POST /notes/{{id}}/restore/` brings it back "
        f"within {NOTE_UNDO_SECONDS} seconds, after which it is gone for good."
    )
)
class NoteViewSet(OwnedModelViewSet):
    """Notes on contacts (Markdown, up to 20,000 characters). A note logged against a
    conversation counts as a touch."""

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

    def perform_destroy(self, instance):
        services.note_delete(note=instance)

    @extend_schema(
        request=None,
        responses={200: NoteSerializer, 400: OpenApiResponse(description="The Undo window is over.")},
        description=f"Undo a delete within {NOTE_UNDO_SECONDS} seconds; a note not deleted is answered unchanged.",
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        # Deleted notes are outside the viewset's queryset: a scoped getter of the user's own
        # deleted notes finds it (anyone else's id is the same 404).
        note = selectors.deleted_or_live_note_get(user=request.user, pk=pk)
        services.note_restore(note=note)
        return Response(NoteSerializer(self.refetch(note), context=self.get_serializer_context()).data)

    @extend_schema(
        request=NoteOpportunitySerializer,
        responses={
            201: NoteOpportunityResultSerializer,
            400: OpenApiResponse(description="The note is not of kind `opportunity`, or a bad value."),
        },
        description="Track an `opportunity` note as an opportunity: `heard`, titled from the note's first "
        "line (or `title`), with the contact's company, the contact as referrer and the note's conversation; "
        "with `apply_due_on`, an `apply` follow-up due that day. Send an `Idempotency-Key` to retry safely.",
    )
    @action(detail=True, methods=["post"])
    def opportunity(self, request, pk=None):
        note = self.get_object()
        body = NoteOpportunitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity, follow_up = services.opportunity_from_note(
            note=note, title=body.validated_data.get("title"), apply_due_on=body.validated_data.get("apply_due_on")
        )
        opportunity = selectors.opportunity_get(user=request.user, pk=opportunity.pk)
        opportunity.apply_follow_up = follow_up.pk if follow_up else None
        return Response(
            NoteOpportunityResultSerializer(opportunity, context=self.get_serializer_context()).data, status=201
        )


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


class ContactBulkView(JSONView):
    """POST /contacts/bulk/: one action on many contacts. It lives in crm because `plan` creates
    conversations (outreach), which the contacts app beneath may not reach."""

    @extend_schema(
        request=ContactBulkSerializer,
        responses={
            200: ContactBulkResultSerializer,
            400: OpenApiResponse(description="An id that is not one of your contacts (named), or a bad value."),
            413: OpenApiResponse(description="More than 1000 ids."),
        },
        description="Apply one action to many of your contacts, all or nothing: `tag`, `untag`, "
        "`set_relationship`, `set_source`, `set_cadence`, `archive`, `unarchive`, or `plan` (a planned "
        "ask of the kind in `value` for each, skipping contacts with an open ask of that kind). The "
        "answer counts what changed and lists what was skipped, with why.",
    )
    def post(self, request):
        body = ContactBulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.contact_bulk_action(owner=request.user, **body.validated_data)
        return Response(ContactBulkResultSerializer(result).data)
