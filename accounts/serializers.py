"""API shapes for the account: profile and settings, registration, tokens."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from config.api import ModelSerializer

from .models import WEEKDAYS, Profile, validate_timezone, workweek_canonical
from .services import NAME_FIELDS


class WorkweekField(serializers.ListField):
    """The workweek as day names (["mon", "tue", ...]); stored as "mon,tue,..." in week order."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), allow_empty=True, **kwargs)

    def to_representation(self, value):
        return [day for day in value.split(",") if day]

    def to_internal_value(self, data):
        days = super().to_internal_value(data)
        try:
            return workweek_canonical(days)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class ProfileSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(
        source="user.first_name",
        max_length=150,
        required=False,
        allow_blank=True,
        help_text="Your name signs your messages ({my_name}) and greets you in e-mails.",
    )
    last_name = serializers.CharField(source="user.last_name", max_length=150, required=False, allow_blank=True)
    timezone = serializers.CharField(
        max_length=64, help_text="IANA time zone name, e.g. Europe/Berlin or America/Toronto."
    )
    workweek = WorkweekField(
        required=False,
        help_text=f"Your business days, as day names ({', '.join(WEEKDAYS)}); the 3B7 routine counts them.",
    )
    calendar_url = serializers.SerializerMethodField(help_text="Your private calendar feed (iCalendar).")
    mail_in_address = serializers.CharField(
        read_only=True, help_text="BCC or forward mail here to log it (POST /me/mail-in-token/ makes a new one)."
    )

    class Meta:
        model = Profile
        fields = ["username", "email", *NAME_FIELDS, *Profile.SETTINGS, "calendar_url", "mail_in_address"]

    def validate_timezone(self, value):
        try:
            validate_timezone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    def get_calendar_url(self, obj) -> str:
        return calendar_url(obj)


def calendar_url(profile: Profile) -> str:
    return f"{settings.SITE_URL}/calendar/{profile.calendar_token}.ics"


class MailInAddressSerializer(serializers.Serializer):
    mail_in_address = serializers.CharField(read_only=True)


class CalendarUrlSerializer(serializers.Serializer):
    calendar_url = serializers.URLField(read_only=True)


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    # Password rules and a taken username are checked by accounts.services.user_register.
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, max_length=128)


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown only once.")
    id = serializers.CharField(help_text="The token's id, for revoking it (DELETE /auth/tokens/{id}/).")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(
        allow_null=True, help_text="When the token stops working (null: when revoked or the password changes)."
    )


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", read_only=True, help_text="The first characters of the token.")
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField(help_text="This request was made with this token.")

    def get_current(self, obj) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return getattr(auth, "digest", None) == obj.digest
