"""/api/v1/contacts/, /companies/, /tags/: the user's people, companies and tags."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from config.ownership import OwnedModelViewSet

from . import selectors, services
from .filters import CompanyFilter, ContactFilter, TagFilter
from .serializers import (
    CompanyMergeSerializer,
    CompanySerializer,
    ContactSerializer,
    TagMergeSerializer,
    TagSerializer,
)


class MergeMixin:
    """`POST /{id}/merge/ {"other": id}`: `other` is merged into this row, then deleted."""

    merge_serializer_class = None

    def merge_objects(self, instance, other):
        raise NotImplementedError

    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        instance = self.get_object()
        body = self.merge_serializer_class(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        merged = self.merge_objects(instance, body.validated_data["other"])
        return Response(self.get_serializer(self.refetch(merged)).data)


@extend_schema_view(
    list=extend_schema(description="Your contacts, archived ones included unless you filter `archived=false`."),
    destroy=extend_schema(
        description="Delete the contact with their conversations (and their history, follow-ups and "
        "reminders), notes, follow-ups, job changes and the touches with them alone. Archive instead "
        "to keep the history."
    ),
)
class ContactViewSet(OwnedModelViewSet):
    selector = selectors.contact_list
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    search_fields = ["first_name", "last_name", "email", "title", "company__name", "how_we_met"]
    ordering_fields = [
        "first_name",
        "last_name",
        "company__name",
        "created_at",
        "updated_at",
        "last_contacted_at",
        "reconnect_due_at",
    ]
    ordering = ["first_name", "last_name", "id"]

    def create_object(self, data):
        return services.contact_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.contact_update(contact=instance, **data)

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance)


@extend_schema_view(
    destroy=extend_schema(description="Delete the company; its contacts stay, with no company."),
    merge=extend_schema(
        request=CompanyMergeSerializer,
        responses={200: CompanySerializer},
        description="Merge company `other` into this one: its contacts and opportunities move here, this "
        "company takes the website, industry and notes it lacks, then `other` is deleted (one transaction).",
    ),
)
class CompanyViewSet(MergeMixin, OwnedModelViewSet):
    selector = selectors.company_list
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    search_fields = ["name", "industry", "website", "notes"]
    ordering_fields = ["name", "created_at", "contact_count"]
    ordering = ["name", "id"]

    def create_object(self, data):
        return services.company_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.company_update(company=instance, **data)

    def perform_destroy(self, instance):
        services.company_delete(company=instance)

    merge_serializer_class = CompanyMergeSerializer

    def merge_objects(self, instance, other):
        return services.company_merge(company=instance, other=other)


@extend_schema_view(
    destroy=extend_schema(description="Delete the tag; the contacts stay, without it."),
    merge=extend_schema(
        request=TagMergeSerializer,
        responses={200: TagSerializer},
        description="Merge tag `other` into this one: every contact tagged `other` gets this tag, then "
        "`other` is deleted (one transaction).",
    ),
)
class TagViewSet(MergeMixin, OwnedModelViewSet):
    selector = selectors.tag_list
    serializer_class = TagSerializer
    filterset_class = TagFilter
    search_fields = ["name"]
    ordering_fields = ["name", "contact_count"]
    ordering = ["name", "id"]

    def create_object(self, data):
        return services.tag_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.tag_update(tag=instance, **data) if data else instance

    def perform_destroy(self, instance):
        services.tag_delete(tag=instance)

    merge_serializer_class = TagMergeSerializer

    def merge_objects(self, instance, other):
        return services.tag_merge(tag=instance, other=other)
