"""/api/v1/contacts/, /companies/, /tags/: the user's people, companies and tags."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from config.ownership import OwnedModelViewSet

from . import selectors, services
from .filters import CompanyFilter, ContactFilter, TagFilter
from .serializers import CompanySerializer, ContactSerializer, TagSerializer


@extend_schema_view(
    list=extend_schema(description="Your contacts, archived ones included unless you filter `archived=false`.")
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


class CompanyViewSet(OwnedModelViewSet):
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


class TagViewSet(OwnedModelViewSet):
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
