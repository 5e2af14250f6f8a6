"""/api/v1/contacts/, /companies/, /tags/: the user's people, companies and tags."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from config.api import CursorOrPagePagination, FilterBackend, Pagination
from config.ownership import OwnedModelViewSet

from . import selectors, services
from .filters import CompanyFilter, CompanyOrderingFilter, ContactFilter, TagFilter
from .serializers import (
    CompanyMergeSerializer,
    CompanySerializer,
    ContactSerializer,
    DuplicateGroupSerializer,
    IntroPathSerializer,
    MergeRequestSerializer,
    TagMergeSerializer,
    TagSerializer,
)


class DuplicatePagination(Pagination):
    # A group carries up to 10 contacts: pages of groups stay small.
    page_size = 20
    max_page_size = 50


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
    pagination_class = CursorOrPagePagination  # `?cursor=` beside page numbers (#12)
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

    def paginate_queryset(self, queryset):
        if self.action != "list":
            return super().paginate_queryset(queryset)
        # The page's tags in one plain query instead of the prefetch, and no join for the
        # referrer, whose id is all a list row shows (#12); unpaginated, the caller serialises
        # `queryset` itself, as it is.
        page = super().paginate_queryset(queryset.prefetch_related(None).select_related(None).select_related("company"))
        return None if page is None else selectors.contacts_with_tag_names(list(page))

    def create_object(self, data):
        return services.contact_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.contact_update(contact=instance, **data)

    @extend_schema(
        filters=False,
        responses={200: DuplicateGroupSerializer(many=True)},
        description="Groups of your contacts that look like the same person, with the reasons: the same "
        "LinkedIn profile (once normalised), the same e-mail (any case), or the same name at the same "
        "company. A contact is in one group at most; groups are ordered by their oldest contact. "
        "Merge them with POST /contacts/{id}/merge/.",
    )
    @action(detail=False, methods=["get"], pagination_class=DuplicatePagination, filter_backends=[])
    def duplicates(self, request):
        groups = selectors.duplicate_groups(user=request.user)
        page = self.paginate_queryset(groups)
        selectors.duplicate_groups_load(user=request.user, groups=page)
        serializer = DuplicateGroupSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        request=MergeRequestSerializer,
        responses={
            200: ContactSerializer,
            400: OpenApiResponse(description="`other` is this contact, or not one of yours."),
        },
        description="Merge `other` into this contact, in one transaction: its conversations, notes, "
        "follow-ups, touches, opportunities (as referrer), job changes and referrals (both ways) move "
        "here, tags are united, this contact's empty fields (and a relationship or source of `other`) "
        "are filled from it, the later last contact is kept and one open reconnect follow-up stays. "
        "Then `other` is deleted.",
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        keep = self.get_object()
        body = MergeRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.contact_merge(keep=keep, other=body.validated_data["other"])
        return Response(ContactSerializer(self.refetch(keep), context=self.get_serializer_context()).data)

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance)


@extend_schema_view(
    list=extend_schema(
        description="Your companies. `target=true&ordering=lamp` is the LAMP list: your target employers by "
        "motivation, then posting, then alumni (highest first), then name."
    ),
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
    filter_backends = [FilterBackend, SearchFilter, CompanyOrderingFilter]
    search_fields = ["name", "industry", "website", "notes"]
    ordering_fields = ["name", "created_at", "contact_count", "motivation", "posting", "alumni"]
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

    @extend_schema(
        filters=False,
        responses={200: IntroPathSerializer(many=True)},
        description="Your contacts who could introduce you at this company (at most 20), each with its "
        "reason: people who worked there (job changes), people whose referrals work there, and second-degree "
        "paths through referred_by. Archived contacts and the company's own contacts are left out. Ordered "
        "by kind (worked_there, referral_reached, second_degree), then name.",
    )
    @action(detail=True, methods=["get"], url_path="intro-paths", pagination_class=None, filter_backends=[])
    def intro_paths(self, request, pk=None):
        company = self.get_object()
        paths = selectors.intro_paths(user=request.user, company=company)
        return Response(IntroPathSerializer(paths, many=True).data)


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
