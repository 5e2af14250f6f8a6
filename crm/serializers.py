"""API shapes for the user's own side: parsing and validation only; crm.services writes."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from config.api import ChoiceField, ModelSerializer
from config.ownership import OwnedPrimaryKeyRelatedField
from contacts.models import Company, Contact, Source
from outreach.models import Conversation, Stage

from .markdown import render_markdown
from .models import Note, Opportunity, PortfolioItem, Profile, validate_timezone


class NoteSerializer(ModelSerializer):
    contact = OwnedPrimaryKeyRelatedField(model=Contact)
    conversation = OwnedPrimaryKeyRelatedField(model=Conversation, allow_null=True, required=False)
    body_html = serializers.SerializerMethodField(help_text="`body` rendered from Markdown and sanitised.")

    class Meta:
        model = Note
        fields = ["id", "contact", "conversation", "kind", "body", "body_html", "created_at"]
        read_only_fields = ["created_at"]

    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body))


class OpportunitySerializer(ModelSerializer):
    company = OwnedPrimaryKeyRelatedField(model=Company, allow_null=True, required=False)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None, allow_null=True)
    referrer = OwnedPrimaryKeyRelatedField(model=Contact, allow_null=True, required=False)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "company",
            "company_name",
            "title",
            "url",
            "status",
            "referrer",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class FeedbackConversationSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)

    class Meta:
        model = Conversation
        fields = ["id", "contact", "contact_name", "kind", "stage", "scheduled_for", "held_at", "outcome"]
        read_only_fields = fields


class PortfolioItemSerializer(ModelSerializer):
    feedback = FeedbackConversationSerializer(
        source="feedback_conversations",
        many=True,
        read_only=True,
        help_text="The conversations that gathered feedback on this item.",
    )

    class Meta:
        model = PortfolioItem
        fields = ["id", "title", "kind", "url", "summary", "status", "feedback", "created_at"]
        read_only_fields = ["created_at"]


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
    calendar_url = serializers.SerializerMethodField(help_text="Your private calendar feed (iCalendar).")

    class Meta:
        model = Profile
        fields = [
            "username",
            "email",
            "first_name",
            "last_name",
            "timezone",
            "digest_hour",
            "email_reminders",
            "daily_digest",
            "nudge_after_days",
            "weekly_request_goal",
            "max_nudges",
            "pathway",
            "calendar_url",
        ]

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


class CalendarUrlSerializer(serializers.Serializer):
    calendar_url = serializers.URLField(read_only=True)


class DashboardQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=3650, default=90, help_text="Window for the funnel and response rates, in days."
    )


class _UsageSerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Conversations requested in the window.")
    responses = serializers.IntegerField(help_text="Of those, how many reached scheduled or declined.")
    response_rate = serializers.FloatField(allow_null=True, help_text="responses ÷ used; null when unused.")


class TemplateUsageSerializer(_UsageSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SourceUsageSerializer(_UsageSerializer):
    source = ChoiceField(choices=Source.choices)


# One integer per stage, built from the Stage enum so a new stage cannot be forgotten.
PipelineSerializer = type(
    "PipelineSerializer",
    (serializers.Serializer,),
    {stage.value: serializers.IntegerField(min_value=0) for stage in Stage},
)


class FunnelSerializer(serializers.Serializer):
    requested = serializers.IntegerField(min_value=0)
    scheduled = serializers.IntegerField(min_value=0)
    held = serializers.IntegerField(min_value=0)
    thanked = serializers.IntegerField(min_value=0)


class FollowUpCountsSerializer(serializers.Serializer):
    overdue = serializers.IntegerField(min_value=0, help_text="Open and already past due.")
    today = serializers.IntegerField(min_value=0, help_text="Open and due later today (your local day).")


class WeekSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="Monday of this ISO week, on your clock.")
    requests_sent = serializers.IntegerField(min_value=0)
    goal = serializers.IntegerField(min_value=0)


class DashboardSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    pipeline = PipelineSerializer(help_text="Conversations per stage (every stage present).")
    funnel = FunnelSerializer(help_text="Conversations that reached each stage in the last `days`.")
    response_rate = serializers.FloatField(
        allow_null=True,
        help_text="Of the conversations requested in the last `days`, the share that reached "
        "scheduled or declined; null when none were requested.",
    )
    follow_ups = FollowUpCountsSerializer()
    week = WeekSerializer(help_text="Requests sent this ISO week (your time zone) against your weekly goal.")
    reconnect_due = serializers.IntegerField(help_text="Active contacts it is time to reconnect with.")
    templates = TemplateUsageSerializer(many=True)
    sources = SourceUsageSerializer(many=True, help_text="Which contact sources get replies.")
    failed_reminders = serializers.IntegerField(help_text="Reminder emails that could not be delivered.")
    job_changes = serializers.IntegerField(help_text="Job changes seen in imports and not yet acknowledged.")


# --- accounts and tokens ---------------------------------------------------------------------


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    # Password rules and a taken username are checked by crm.services.user_register.
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


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", read_only=True, help_text="The first characters of the token.")
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField(help_text="This request was made with this token.")

    def get_current(self, obj) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return getattr(auth, "digest", None) == obj.digest
