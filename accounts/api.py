"""/api/v1/me/ (read, edit, delete), /me/calendar-token/, /auth/register/, /auth/token/ and /auth/tokens/."""

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from knox.models import get_token_model
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.idempotency import IdempotentAPIMixin
from config.ownership import OwnedViewSetMixin
from config.parsers import JSONParser
from config.throttling import ClientRateThrottle

from . import lockout, selectors, services
from .serializers import (
    ApiTokenSerializer,
    CalendarUrlSerializer,
    MailInAddressSerializer,
    ProfileSerializer,
    RegisterSerializer,
    TokenCreatedSerializer,
    TokenRequestSerializer,
    UserSerializer,
    calendar_url,
)


class JSONView(IdempotentAPIMixin, APIView):
    parser_classes = [JSONParser]


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(
        trim_whitespace=False, style={"input_type": "password"}, help_text="Your password, re-entered."
    )

    def validate_password(self, value):
        request = self.context["request"]
        if not services.password_confirmed(request=request, user=request.user, password=value):
            raise serializers.ValidationError("That is not your password.")
        return value


class MeView(JSONView):
    """Your profile and settings. `username` and `email` are read-only here."""

    throttle_scope = "auth"

    def get_throttles(self):
        # Deleting the account checks a password: it shares the log-in endpoints' limit.
        if self.request.method == "DELETE":
            return [ScopedRateThrottle()]
        return super().get_throttles()

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

    # OpenAPI 3.0 gives a DELETE body no meaning, so drf-spectacular documents none: the
    # description says what to send.
    @extend_schema(
        responses={
            204: OpenApiResponse(description="Deleted, with everything in it; its tokens no longer work."),
            400: OpenApiResponse(description="`password` is missing or wrong; nothing was deleted."),
        },
        description="Delete your account and everything in it: contacts, companies, tags, conversations, "
        "follow-ups, reminders, notes, opportunities, templates, portfolio items, imports, API tokens and "
        "sessions. This cannot be undone: first GET /api/v1/export/backup.json to keep a copy (it can be "
        "restored into a new account with POST /api/v1/imports/backup/). Confirm with your password as the "
        'JSON body: `{"password": "..."}`. Limited like the log-in endpoints (the `auth` rate).',
    )
    def delete(self, request):
        body = AccountDeleteSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        services.account_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MailInTokenView(JSONView):
    @extend_schema(
        request=None,
        responses={200: MailInAddressSerializer},
        description="A new private mail-in address; mail to the old one is refused from now on.",
    )
    def post(self, request):
        profile = services.mail_in_token_rotate(profile=selectors.profile_get(user=request.user))
        return Response({"mail_in_address": profile.mail_in_address})


class CalendarTokenView(JSONView):
    @extend_schema(
        request=None,
        responses={200: CalendarUrlSerializer},
        description="A new secret calendar feed URL; the old one stops working at once.",
    )
    def post(self, request):
        profile = services.calendar_token_rotate(profile=selectors.profile_get(user=request.user))
        return Response({"calendar_url": calendar_url(profile)})


class AuthThrottled(JSONView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    # No user yet to own a key: registration and token creation take no Idempotency-Key.
    idempotency_exempt = True


class SignupThrottle(ClientRateThrottle):
    """Accounts created per client address: the API and the web sign-up form share the count."""

    scope = "signup"


class RegisterView(AuthThrottled):
    throttle_classes = [*AuthThrottled.throttle_classes, SignupThrottle]

    @extend_schema(
        request=RegisterSerializer,
        responses={201: UserSerializer},
        auth=[],
        description="Create an account (password rules apply). Then get a token from /auth/token/.",
    )
    def post(self, request):
        body = RegisterSerializer(data=request.data)
        if not body.is_valid():
            # Every problem at once: the account's own checks for the fields that parsed.
            data = request.data if isinstance(request.data, dict) else {}
            fields = {
                name: data[name]
                for name in ("username", "email", "password")
                if name not in body.errors and isinstance(data.get(name), str)
            }
            raise serializers.ValidationError({**services.registration_errors(**fields), **body.errors})
        user = services.user_register(**body.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(AuthThrottled):
    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenCreatedSerializer},
        auth=[],
        description="A new API token for these credentials. Each call makes another token; "
        "list and revoke them under /auth/tokens/. Repeated failed log-ins for a username lock it "
        "out from that address (and, past a higher count, from everywhere) for a while: 429 with "
        "Retry-After. Changing or resetting the password revokes every token.",
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Django's request, not DRF's: django-axes counts failures per (username, address) on it,
        # in the same table as the web log-in form, and refuses a locked-out pair.
        http_request = request._request
        user = authenticate(http_request, **body.validated_data)
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                credentials = {"username": body.validated_data["username"]}
                wait = max(1, lockout.seconds_left(http_request, credentials))
                raise exceptions.Throttled(wait=wait, detail=lockout.LOCKED_OUT)
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with the username and password given."]}
            )
        # A token is a log-in: last_login is updated and the pair's failure count is cleared.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        instance, token = services.api_token_create(user=user)
        return Response(
            {"token": token, "id": instance.token_key, "created": instance.created, "expiry": instance.expiry},
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
    owner_field = "user"
    serializer_class = ApiTokenSerializer
    lookup_field = "token_key"
    lookup_url_kwarg = "id"
    search_fields = ["token_key"]
    ordering_fields = ["created"]
    ordering = ["-created"]
