"""Query-string filters for the pipeline API (django-filter)."""

from datetime import timedelta

import django_filters
from django.utils import timezone

from config.api import enum_filter, id_filter

from .localtime import local_day_bounds, local_today
from .models import (
    ConversationKind,
    Conversation,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    MessageTemplate,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Stage,
    TemplateKind,
)


class ConversationFilter(django_filters.FilterSet):
    stage = enum_filter(Stage.choices)
    kind = enum_filter(ConversationKind.choices)
    contact = id_filter("contact_id", help_text="Contact id.")

    class Meta:
        model = Conversation
        fields = ["stage", "kind", "contact"]


DUE_CHOICES = [("overdue", "overdue"), ("today", "today"), ("week", "week")]


def due_window(user, which: str, now=None):
    """(status filter or None, start, end) of a `due` filter, on the user's clock:
    overdue = open and already past due; today = from now to the end of the local day;
    week = from now to the end of the ISO week (Sunday midnight, local)."""
    now = now or timezone.now()
    if which == "overdue":
        return FollowUpStatus.OPEN, None, now
    today = local_today(user, now)
    if which == "today":
        return None, now, local_day_bounds(user, today)[1]
    sunday = today + timedelta(days=6 - today.weekday())
    return None, now, local_day_bounds(user, sunday)[1]


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
        status, start, end = due_window(self.request.user, value)
        if status:
            queryset = queryset.filter(status=status)
        if start is not None:
            queryset = queryset.filter(due_at__gte=start)
        return queryset.filter(due_at__lt=end)


class MessageTemplateFilter(django_filters.FilterSet):
    kind = enum_filter(TemplateKind.choices)

    class Meta:
        model = MessageTemplate
        fields = ["kind"]


class ReminderFilter(django_filters.FilterSet):
    kind = enum_filter(ReminderKind.choices)
    status = enum_filter(ReminderStatus.choices)

    class Meta:
        model = Reminder
        fields = ["kind", "status"]
