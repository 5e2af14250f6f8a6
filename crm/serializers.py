"""API shapes for the user's own side: parsing and validation only; crm.services writes."""

from rest_framework import serializers

from config.api import ChoiceField, ModelSerializer
from config.ownership import OwnedPrimaryKeyRelatedField
from contacts.models import Company, Contact, Source
from outreach.models import Conversation, Stage
from outreach.pipeline import FUNNEL_STAGES, RESPONSE_STAGES

from .markdown import render_markdown
from .models import Note, Opportunity
from .services import CONTACT_BULK_ACTIONS


class NoteSerializer(ModelSerializer):
    contact = OwnedPrimaryKeyRelatedField(model=Contact)
    conversation = OwnedPrimaryKeyRelatedField(model=Conversation, allow_null=True, required=False)
    body_html = serializers.SerializerMethodField(help_text="`body` rendered from Markdown and sanitised.")

    class Meta:
        model = Note
        fields = ["id", "contact", "conversation", "kind", "body", "body_html", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"body": {"max_length": Note.BODY_MAX_LENGTH}}

    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body))


class OpportunitySerializer(ModelSerializer):
    company = OwnedPrimaryKeyRelatedField(model=Company, allow_null=True, required=False)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None, allow_null=True)
    referrer = OwnedPrimaryKeyRelatedField(model=Contact, allow_null=True, required=False)
    conversation = OwnedPrimaryKeyRelatedField(
        model=Conversation,
        allow_null=True,
        required=False,
        help_text="The conversation where the role came up (yours). `status` moves only along the legal moves: "
        "heard → applying/applied, applying → applied, applied → interviewing, interviewing → offer, "
        "and any open status → rejected or withdrawn; offer, rejected and withdrawn are final.",
    )

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
            "conversation",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class NoteOpportunitySerializer(serializers.Serializer):
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The role; by default the note's first line (up to 200 characters).",
    )
    apply_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="With a date, an `apply` follow-up falls due that day at your digest hour.",
    )


class NoteOpportunityResultSerializer(OpportunitySerializer):
    apply_follow_up = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The `apply` follow-up's id, or null."
    )

    class Meta(OpportunitySerializer.Meta):
        fields = [*OpportunitySerializer.Meta.fields, "apply_follow_up"]


class DashboardQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=3650, default=90, help_text="Window for the funnel and response rates, in days."
    )


class _UsageSerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Conversations requested in the window.")
    responses = serializers.IntegerField(help_text="Of those, how many reached scheduled or declined.")
    response_rate = serializers.FloatField(allow_null=True, help_text="responses ÷ used; null when unused.")


class _ReplyUsageSerializer(_UsageSerializer):
    replies = serializers.IntegerField(
        help_text="Of those, how many got a reply: replied_at set, or they reached scheduled or declined."
    )
    reply_rate = serializers.FloatField(allow_null=True, help_text="replies ÷ used; null when unused.")
    accepted = serializers.IntegerField(help_text="Of those, how many reached scheduled.")
    acceptance_rate = serializers.FloatField(allow_null=True, help_text="accepted ÷ used; null when unused.")


class TemplateUsageSerializer(_ReplyUsageSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SourceUsageSerializer(_ReplyUsageSerializer):
    source = ChoiceField(choices=Source.choices)


class ChannelUsageSerializer(_ReplyUsageSerializer):
    channel = ChoiceField(choices=Conversation.Channel.choices)


# One integer per stage, built from the Stage enum so a new stage cannot be forgotten.
PipelineSerializer = type(
    "PipelineSerializer",
    (serializers.Serializer,),
    {stage.value: serializers.IntegerField(min_value=0) for stage in Stage},
)


# One integer per stage of the pipeline's path, from the declaration in outreach.services.
FunnelSerializer = type(
    "FunnelSerializer",
    (serializers.Serializer,),
    {stage.value: serializers.IntegerField(min_value=0) for stage in FUNNEL_STAGES},
)


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
        f"{' or '.join(RESPONSE_STAGES)}; null when none were requested.",
    )
    reply_rate = serializers.FloatField(
        allow_null=True,
        help_text='Replies that arrived in the last `days` ("They replied", a capture, or a move to '
        "scheduled or declined) over the asks sent in them, at most 1; null when none were sent.",
    )
    follow_ups = FollowUpCountsSerializer()
    week = WeekSerializer(help_text="Requests sent this ISO week (your time zone) against your weekly goal.")
    reconnect_due = serializers.IntegerField(help_text="Active contacts it is time to reconnect with.")
    templates = TemplateUsageSerializer(many=True)
    sources = SourceUsageSerializer(many=True, help_text="Which contact sources get replies.")
    channels = ChannelUsageSerializer(many=True, help_text="Which conversation channels get replies.")
    failed_reminders = serializers.IntegerField(help_text="Reminder emails that could not be delivered.")
    job_changes = serializers.IntegerField(help_text="Job changes seen in imports and not yet acknowledged.")


class ContactBulkSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        help_text="Your contacts' ids (at most 1000). One that is not yours refuses the whole request.",
    )
    action = ChoiceField(choices=CONTACT_BULK_ACTIONS)
    value = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="tag/untag: a tag name (or a list); set_relationship, set_source: the value; set_cadence: "
        "days between reconnects (null: none); plan: the conversation kind; archive/unarchive: none.",
    )


class ContactBulkSkippedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()
    conversation = serializers.IntegerField(required=False, help_text="plan: the open ask that made it skip.")


class ContactBulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    contacts = serializers.IntegerField(help_text="How many contacts the request named.")
    changed = serializers.IntegerField(help_text="How many of them changed (plan: asks created).")
    skipped = ContactBulkSkippedSerializer(many=True, help_text="The others, each with why.")
    conversations = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="plan: the new conversations' ids."
    )
