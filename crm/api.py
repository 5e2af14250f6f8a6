"""/api/v1/notes/, /opportunities/, /portfolio/, /me/, /dashboard/ and the account endpoints."""

import django_filters
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from knox.models import get_token_model
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api import enum_filter, id_filter
from config.ownership import OwnedModelViewSet, OwnedViewSetMixin
from config.parsers import JSONParser

from . import selectors, services
from .models import Note, NoteKind, Opportunity, OpportunityStatus, PortfolioItem, PortfolioKind, PortfolioStatus
from .serializers import (
    ApiTokenSerializer,
    CalendarUrlSerializer,
    DashboardQuerySerializer,
    DashboardSerializer,
    NoteSerializer,
    OpportunitySerializer,
    PortfolioItemSerializer,
    ProfileSerializer,
    RegisterSerializer,
    TokenCreatedSerializer,
    TokenRequestSerializer,
    UserSerializer,
    calendar_url,
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


class PortfolioItemFilter(django_filters.FilterSet):
    kind = enum_filter(PortfolioKind.choices)
    status = enum_filter(PortfolioStatus.choices)

    class Meta:
        model = PortfolioItem
        fields = ["kind", "status"]


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


class PortfolioItemViewSet(OwnedModelViewSet):
    """Proof of PM work, with the feedback conversations about each piece."""

    selector = selectors.portfolio_item_list
    serializer_class = PortfolioItemSerializer
    filterset_class = PortfolioItemFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["created_at", "title", "status", "kind"]
    ordering = ["-created_at", "-id"]

    def create_object(self, data):
        return services.portfolio_item_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.portfolio_item_update(item=instance, **data)


class JSONView(APIView):
    parser_classes = [JSONParser]


class MeView(JSONView):
    """Your profile and settings. `username` and `email` are read-only here."""

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request):
        return Response(ProfileSerializer(selectors.profile_get(user=request.user)).data)

    @extend_schema(request=ProfileSerializer, responses={200: ProfileSerializer})
    def patch(self, request):
        profile = selectors.profile_get(user=request.user)
        body = ProfileSerializer(profile, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        fields.update(fields.pop("user", {}))  # first_name / last_name live on the user
        profile = services.profile_update(profile=profile, **fields)
        return Response(ProfileSerializer(profile).data)


class CalendarTokenView(JSONView):
    @extend_schema(
        request=None,
        responses={200: CalendarUrlSerializer},
        description="A new secret calendar feed URL; the old one stops working at once.",
    )
    def post(self, request):
        profile = services.calendar_token_rotate(profile=selectors.profile_get(user=request.user))
        return Response({"calendar_url": calendar_url(profile)})


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


# --- accounts and tokens ---------------------------------------------------------------------


class AuthThrottled(JSONView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterView(AuthThrottled):
    @extend_schema(
        request=RegisterSerializer,
        responses={201: UserSerializer},
        auth=[],
        description="Create an account (password rules apply). Then get a token from /auth/token/.",
    )
    def post(self, request):
        body = RegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.user_register(**body.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(AuthThrottled):
    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenCreatedSerializer},
        auth=[],
        description="A new API token for these credentials. Each call makes another token; "
        "list and revoke them under /auth/tokens/.",
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(request, **body.validated_data)
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with the username and password given."]}
            )
        instance, token = get_token_model().objects.create(user=user)
        return Response(
            {"token": token, "id": instance.token_key, "created": instance.created},
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(description="Your API tokens (only their first characters are shown)."),
    destroy=extend_schema(
        description="Revoke a token: requests made with it are refused from now on.",
        responses={204: OpenApiResponse(description="Revoked.")},
    ),
)
class ApiTokenViewSet(OwnedViewSetMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    selector = selectors.api_token_list
    model = get_token_model()
    serializer_class = ApiTokenSerializer
    lookup_field = "token_key"
    lookup_url_kwarg = "id"
    search_fields = ["token_key"]
    ordering_fields = ["created"]
    ordering = ["-created"]
