"""Reads for the pipeline: conversations, follow-ups, templates, reminders — one user's rows each."""

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from .models import Conversation, FollowUp, MessageTemplate, Reminder, Stage, StageChange


def _round_start(conversation_ref):
    """When the latest request of a conversation was recorded (as in services._nudges_this_round)."""
    return Subquery(
        StageChange.objects.filter(conversation=conversation_ref, stage=Stage.REQUESTED)
        .order_by("-recorded_at", "-id")
        .values("recorded_at")[:1]
    )


def conversation_list(*, user) -> QuerySet[Conversation]:
    """The user's conversations with contact, stage history and the two nudge counts that
    decide `suggest_no_response` (see conversation_suggests_no_response), in fixed queries."""
    this_round = FollowUp.objects.filter(
        conversation=OuterRef("pk"),
        kind=FollowUp.Kind.NUDGE,
        created_at__gte=_round_start(OuterRef(OuterRef("pk"))),
    )
    done_this_round = (
        this_round.filter(status=FollowUp.Status.DONE)
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Conversation.objects.filter(owner=user)
        .select_related("contact", "contact__company", "template", "portfolio_item")
        .prefetch_related(
            Prefetch("stage_changes", queryset=StageChange.objects.order_by("at", "id"), to_attr="history")
        )
        .annotate(
            open_nudges_this_round=Exists(this_round.filter(status=FollowUp.Status.OPEN)),
            done_nudges_this_round=Coalesce(Subquery(done_this_round, output_field=IntegerField()), Value(0)),
        )
    )


def conversation_suggests_no_response(conversation: Conversation, *, max_nudges: int) -> bool:
    """outreach.services.should_suggest_no_response, from conversation_list's annotations.

    tests/api pin the two to the same answer; change both together.
    """
    return (
        conversation.stage == Stage.REQUESTED
        and not conversation.open_nudges_this_round
        and conversation.done_nudges_this_round >= max_nudges
    )


def follow_up_list(*, user) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(owner=user).select_related("contact", "conversation")


def template_list(*, user) -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(owner=user)


def reminder_list(*, user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(owner=user)
