"""API shapes for the pipeline: parsing and validation only; outreach.services writes."""

import datetime as dt

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api import (
    NAIVE_TIME_HELP,
    OUT_OF_RANGE,
    ChoiceField,
    ModelSerializer,
    UserDateTimeField,
    in_supported_range,
)
from config.ownership import OwnedPrimaryKeyRelatedField
from contacts.models import Contact

from .models import (
    Conversation,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Question,
    Reminder,
    Stage,
    StageChange,
    Touch,
)
from .pipeline import MOVES, legal_next_stages
from .selectors import conversation_suggests_no_response, max_nudges_for

DUE_AT_HELP = (
    "When it is due. A date alone (YYYY-MM-DD) means your digest hour that day; a date-time "
    "without a UTC offset is read as your local time (profile time zone). Answered in UTC."
)


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChange
        fields = ["stage", "at"]


class ConversationSerializer(ModelSerializer):
    contact = OwnedPrimaryKeyRelatedField(model=Contact)
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)
    template = OwnedPrimaryKeyRelatedField(model=MessageTemplate, allow_null=True, required=False)
    portfolio_item = OwnedPrimaryKeyRelatedField(model=PortfolioItem, allow_null=True, required=False)
    stage_history = StageChangeSerializer(source="history", many=True, read_only=True)
    allowed_next_stages = serializers.SerializerMethodField()
    suggest_no_response = serializers.SerializerMethodField(
        help_text="The last nudge went unanswered: consider moving this request to no_response."
    )

    class Meta:
        model = Conversation
        fields = [
            "id",
            "contact",
            "contact_name",
            "kind",
            "channel",
            "stage",
            "template",
            "portfolio_item",
            "requested_at",
            "scheduled_for",
            "held_at",
            "replied_at",
            "duration_minutes",
            "location",
            "agenda",
            "outcome",
            "message_subject",
            "message_body",
            "message_sent_at",
            "stage_history",
            "allowed_next_stages",
            "suggest_no_response",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "stage",
            "requested_at",
            "scheduled_for",
            "held_at",
            "replied_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "duration_minutes": {"min_value": 1, "max_value": 24 * 60},
            "message_subject": {"help_text": "The subject of the message as sent (edited from the template)."},
            "message_body": {"help_text": "The message as sent (edited from the template)."},
        }

    message_sent_at = UserDateTimeField(
        required=False, allow_null=True, help_text=f"When the message went out. {NAIVE_TIME_HELP}"
    )

    @extend_schema_field(serializers.ListField(child=ChoiceField(choices=Stage.choices)))
    def get_allowed_next_stages(self, obj) -> list[str]:
        return [str(stage) for stage in legal_next_stages(obj.stage)]

    def get_suggest_no_response(self, obj) -> bool:
        return conversation_suggests_no_response(obj, max_nudges=self._max_nudges())

    def _max_nudges(self) -> int:
        if "max_nudges" not in self.context:
            self.context["max_nudges"] = max_nudges_for(self.context["request"].user)
        return self.context["max_nudges"]


class ConversationCreateSerializer(ConversationSerializer):
    """Creating a conversation: `at` back-dates when it was planned (default now)."""

    at = UserDateTimeField(write_only=True, required=False, help_text=NAIVE_TIME_HELP)
    allow_duplicate = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text="Create it even though the contact has an open ask (planned, requested or scheduled) of "
        "the same kind; without it that is a 409 naming the open one (`open_conversation`).",
    )

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "at", "allow_duplicate"]


class TransitionSerializer(serializers.Serializer):
    stage = ChoiceField(choices=Stage.choices, help_text="The stage to move to.")
    scheduled_for = UserDateTimeField(
        required=False,
        help_text=f"Required when moving to {' or '.join(m.to for m in MOVES if 'scheduled_for' in m.requires)}. "
        f"{NAIVE_TIME_HELP}",
    )
    at = UserDateTimeField(
        required=False,
        help_text=f"When the move happened (default now; for a move to held, not in the future). {NAIVE_TIME_HELP}",
    )
    held_at = UserDateTimeField(
        required=False,
        help_text="When the chat really happened, for a move to held; required before the chat's scheduled time, "
        f"and not in the future. {NAIVE_TIME_HELP}",
    )
    message_subject = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="For a move to requested: the subject as sent."
    )
    message_body = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20_000,
        trim_whitespace=False,
        help_text="For a move to requested: the message as sent.",
    )
    message_sent_at = UserDateTimeField(
        required=False,
        help_text="For a move to requested: when the message went out (default the move's `at` when a "
        f"message_body is given). {NAIVE_TIME_HELP}",
    )

    class Meta:
        # The move's optional fields, handed to conversation_transition as they are.
        optional = ("at", "scheduled_for", "held_at", "message_subject", "message_body", "message_sent_at")


class ReplySerializer(serializers.Serializer):
    at = UserDateTimeField(
        required=False,
        help_text=f"When the reply arrived (default now; not in the future, not before the request). {NAIVE_TIME_HELP}",
    )


@extend_schema_field(OpenApiTypes.DATETIME)
class DueAtField(serializers.Field):
    """A date (the user's digest hour that day) or a date-time (naive = the user's local time);
    outreach.localtime.resolve_due_at turns either into an instant."""

    default_error_messages = {
        "invalid": "Give a date (YYYY-MM-DD) or a date and time (ISO 8601, e.g. 2026-03-02T09:30:00+01:00).",
        "out_of_range": OUT_OF_RANGE,
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            text = data.strip()
            try:
                if len(text) == 10:
                    day = parse_date(text)
                    if day is not None:
                        if not in_supported_range(day):
                            self.fail("out_of_range")
                        return day
                moment = parse_datetime(text)
            except ValueError:
                moment = None
            if moment is not None:
                if not in_supported_range(moment):
                    self.fail("out_of_range")
                return moment
        self.fail("invalid")

    def to_representation(self, value: dt.datetime):
        return UserDateTimeField().to_representation(value)


class FollowUpSerializer(ModelSerializer):
    contact = OwnedPrimaryKeyRelatedField(model=Contact)
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)
    conversation = OwnedPrimaryKeyRelatedField(model=Conversation, allow_null=True, required=False)
    due_at = DueAtField(help_text=DUE_AT_HELP)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "contact",
            "contact_name",
            "conversation",
            "kind",
            "title",
            "due_at",
            "status",
            "completed_at",
            "created_at",
        ]
        read_only_fields = ["status", "completed_at", "created_at"]
        extra_kwargs = {"kind": {"default": FollowUp.Kind.OTHER}}


class SnoozeSerializer(serializers.Serializer):
    due_at = DueAtField(help_text=f"The new due time, in the future. {DUE_AT_HELP}")


class MessageTemplateSerializer(ModelSerializer):
    class Meta:
        model = MessageTemplate
        fields = ["id", "name", "kind", "subject", "body", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # the service's full_clean checks the per-user unique name and the placeholders


class RenderRequestSerializer(serializers.Serializer):
    contact = OwnedPrimaryKeyRelatedField(model=Contact, help_text="The contact to write to.")


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="too_long | asks_for_job | no_connection | about_me")
    message = serializers.CharField(help_text="A friendly hint for the user.")


class RenderedMessageSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body = serializers.CharField()
    empty = serializers.ListField(
        child=serializers.CharField(),
        help_text="Placeholders that rendered empty for this contact (no value and no fallback): "
        "fix the text before sending.",
    )
    checks = CheckSerializer(
        many=True,
        help_text="The outreach check of the rendered body, for a first-contact template (coffee_chat, "
        "informational_interview, case_study_feedback; empty for any other kind): hints, never blocks. "
        "too_long: 100 words or more; asks_for_job: names the word found (job, position, opening, hiring, "
        "referral); no_connection: the first sentence does not mention the shared link; about_me: I/me/my "
        "at least as often as you/your.",
    )


class QuestionSerializer(ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "kind", "category", "text", "position", "created_at"]
        read_only_fields = ["position", "created_at"]
        validators = []  # the service's full_clean checks the per-kind unique text


class BuildAgendaSerializer(serializers.Serializer):
    questions = serializers.ListField(
        child=OwnedPrimaryKeyRelatedField(model=Question),
        required=False,
        help_text="3 to 5 of your question ids. Left out: 4 questions of the conversation's kind, "
        "spread across categories, that are not on the agenda yet.",
    )

    def validate_questions(self, questions):
        from .services import AGENDA_MAX, AGENDA_MIN

        count = len({q.pk for q in questions})
        if not AGENDA_MIN <= count <= AGENDA_MAX:
            raise serializers.ValidationError(f"Pick {AGENDA_MIN} to {AGENDA_MAX} questions (got {count}).")
        return questions


class ReminderSerializer(ModelSerializer):
    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "send_at",
            "status",
            "attempts",
            "last_error",
            "sent_at",
            "follow_up",
            "conversation",
            "created_at",
        ]
        read_only_fields = fields


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


class TouchSerializer(ModelSerializer):
    """A touch outside any ask. `contacts`: one or several of your contacts' ids."""

    contacts = OwnedPrimaryKeyRelatedField(
        model=Contact,
        many=True,
        help_text="Ids of your contacts who were part of it (one or several, at most 100).",
    )
    at = UserDateTimeField(
        required=False,
        help_text=f"When it happened (default now; not in the future). {NAIVE_TIME_HELP}",
    )

    class Meta:
        model = Touch
        fields = ["id", "contacts", "channel", "at", "summary", "created_at"]
        read_only_fields = ["created_at"]


# --- templates that learn (issue #14) ------------------------------------------------------


class TemplateCompareQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(help_text="One of your templates.")
    b = serializers.IntegerField(help_text="Another of your templates.")
    days = serializers.IntegerField(min_value=1, max_value=3650, default=90, help_text="Window in days.")


class TemplateSideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    used = serializers.IntegerField(help_text="Asks sent with it (requested in the window).")
    replies = serializers.IntegerField(help_text="Of those, replied to (or scheduled or declined).")
    rate = serializers.FloatField(allow_null=True, help_text="replies ÷ used; null when unused.")


class TemplateCompareSerializer(serializers.Serializer):
    a = TemplateSideSerializer()
    b = TemplateSideSerializer()
    days = serializers.IntegerField()
    p_value = serializers.FloatField(
        allow_null=True, help_text="Fisher's exact test (two-sided) on replies vs no replies; null when one is unused."
    )
    verdict = serializers.ChoiceField(choices=["different", "no_difference", "too_few"])
    sentence = serializers.CharField(help_text="The answer in plain words.")
    more_asks_needed = serializers.IntegerField(
        allow_null=True,
        help_text="With verdict too_few: about how many more asks (both templates together) would tell the "
        "current rates apart (two-sided α = 0.05, power 0.8); null when it cannot be estimated.",
    )
