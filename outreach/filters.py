"""Query-string filters for the pipeline API (django-filter)."""

import django_filters

from config.api import enum_filter, id_filter

from .models import (
    Conversation,
    ConversationKind,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    MessageTemplate,
    Question,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Stage,
    TemplateKind,
    Touch,
    TouchChannel,
)
from .selectors import FOLLOW_UP_DUE, follow_up_due_q


class ConversationFilter(django_filters.FilterSet):
    stage = enum_filter(Stage.choices)
    kind = enum_filter(ConversationKind.choices)
    contact = id_filter("contact_id", help_text="Contact id.")

    class Meta:
        model = Conversation
        fields = ["stage", "kind", "contact"]


DUE_CHOICES = [(due, due) for due in FOLLOW_UP_DUE]


class FollowUpFilter(django_filters.FilterSet):
    status = enum_filter(FollowUpStatus.choices)
    kind = enum_filter(FollowUpKind.choices)
    contact = id_filter("contact_id", help_text="Contact id.")
    conversation = id_filter("conversation_id", help_text="Conversation id.")
    due = enum_filter(
        DUE_CHOICES,
        method="filter_due",
        help_text=(
            "On your clock (profile time zone): `overdue` = open and already past due; "
            "`today` = due from now until the end of today; `week` = due from now until the end "
            "of this ISO week (Sunday midnight). Combine with `status=open` for what is still owed."
        ),
    )

    class Meta:
        model = FollowUp
        fields = ["status", "kind", "contact", "conversation", "due"]

    def filter_due(self, queryset, name, value):
        return queryset.filter(follow_up_due_q(user=self.request.user, due=value))


class MessageTemplateFilter(django_filters.FilterSet):
    kind = enum_filter(TemplateKind.choices)

    class Meta:
        model = MessageTemplate
        fields = ["kind"]


class QuestionFilter(django_filters.FilterSet):
    kind = enum_filter(ConversationKind.choices)

    class Meta:
        model = Question
        fields = ["kind"]


class ReminderFilter(django_filters.FilterSet):
    kind = enum_filter(ReminderKind.choices)
    status = enum_filter(ReminderStatus.choices)

    class Meta:
        model = Reminder
        fields = ["kind", "status"]


class TouchFilter(django_filters.FilterSet):
    contact = id_filter("contacts", help_text="Contact id: the touches this contact was part of.")
    channel = enum_filter(TouchChannel.choices)

    class Meta:
        model = Touch
        fields = ["contact", "channel"]
