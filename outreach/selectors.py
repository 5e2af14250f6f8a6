"""Reads for the pipeline: conversations, follow-ups, templates, reminders — one user's rows each.

`*_get(*, user, pk)` getters answer Http404 alike for a missing row and another user's
(accounts.selectors.scoped_get); pages, the calendar and the e-mail links all use them.
"""

from datetime import datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.localtime import local_day_bounds, local_today
from accounts.selectors import scoped_get
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
from .pipeline import OPEN_STAGES, REPLY_STAGES

# Completing one of these follow-ups means the user was in touch with the contact.
TOUCHING_FOLLOW_UPS = (FollowUp.Kind.NUDGE, FollowUp.Kind.THANK_YOU, FollowUp.Kind.RECONNECT)


def _nudges_this_round(conversation_ref, round_ref) -> QuerySet[FollowUp]:
    """A conversation's nudges opened since its latest request was recorded: asking again
    (no_response -> requested) starts a new round of up to max_nudges."""
    round_start = Subquery(
        StageChange.objects.filter(conversation=round_ref, stage=Stage.REQUESTED)
        .order_by("-recorded_at", "-id")
        .values("recorded_at")[:1]
    )
    return FollowUp.objects.filter(conversation=conversation_ref, kind=FollowUp.Kind.NUDGE, created_at__gte=round_start)


def nudges_this_round(conversation: Conversation) -> QuerySet[FollowUp]:
    return _nudges_this_round(conversation.pk, conversation.pk)


def conversation_list(*, user) -> QuerySet[Conversation]:
    """The user's conversations with contact, stage history and the two nudge counts that
    decide `suggest_no_response` (see conversation_suggests_no_response), in fixed queries."""
    this_round = _nudges_this_round(OuterRef("pk"), OuterRef(OuterRef("pk")))
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


def conversation_get(*, user, pk) -> Conversation:
    """One of the user's conversations with its contact, company, template and portfolio item;
    Http404 alike for a missing one and another user's."""
    conversations = Conversation.objects.filter(owner=user).select_related(
        "contact", "contact__company", "template", "portfolio_item"
    )
    return scoped_get(conversations, pk=pk, not_found="No such conversation.")


def conversation_suggests_no_response(conversation: Conversation, *, max_nudges: int) -> bool:
    """The last nudge of this round went unanswered: suggest closing the ask (no_response)
    rather than nudging again. `conversation` comes from conversation_list (its annotations)."""
    return (
        conversation.stage == Stage.REQUESTED
        and not conversation.open_nudges_this_round
        and conversation.done_nudges_this_round >= max_nudges
    )


def stages_reached(*, user) -> dict[int, set[str]]:
    """Every stage each of the user's conversations ever entered, by conversation id (one query).

    The stage history decides what a conversation reached, not its current stage: a chat
    that was scheduled and then cancelled has reached requested and scheduled.
    """
    reached: dict[int, set[str]] = {}
    rows = StageChange.objects.filter(owner=user).order_by().values_list("conversation_id", "stage").distinct()
    for conversation_id, stage in rows:
        reached.setdefault(conversation_id, set()).add(stage)
    return reached


def open_asks(*, user, kind: str, contact_ids) -> QuerySet[Conversation]:
    """The user's open asks (OPEN_STAGES) of one kind with any of these contacts: a contact
    has at most one at a time unless the user insists (issue #10)."""
    return Conversation.objects.filter(owner=user, kind=kind, contact_id__in=contact_ids, stage__in=OPEN_STAGES)


def replies_to_answer(*, user) -> QuerySet[Conversation]:
    """Requests the contact has answered and the user has not moved on from yet (schedule the
    chat, or mark it declined), the latest reply first."""
    return (
        Conversation.objects.filter(
            owner=user, stage__in=REPLY_STAGES, replied_at__isnull=False, replied_at__gte=F("requested_at")
        )
        .select_related("contact", "contact__company")
        .order_by("-replied_at", "-id")
    )


def touch_list(*, user) -> QuerySet[Touch]:
    return Touch.objects.filter(owner=user).prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "first_name", "last_name").order_by("id"))
    )


def last_contact_on_record(*, contact) -> datetime | None:
    """The latest moment on record of being in touch with this contact, from what still exists:
    their touches, held chats, thank-yous, completed nudge / thank-you / reconnect follow-ups,
    and notes logged on a conversation (the touches outreach.services.record_touch counts).

    A date that came in through an import (or a backup) is a value, not an event: it cannot
    be worked out again, so a caller only asks when the date it would replace was a touch's."""
    owner_id = contact.owner_id
    moments = [
        Touch.objects.filter(owner_id=owner_id, contacts=contact).aggregate(m=Max("at"))["m"],
        Conversation.objects.filter(owner_id=owner_id, contact=contact).aggregate(m=Max("held_at"))["m"],
        StageChange.objects.filter(owner_id=owner_id, conversation__contact=contact, stage=Stage.THANKED).aggregate(
            m=Max("at")
        )["m"],
        FollowUp.objects.filter(
            owner_id=owner_id, contact=contact, status=FollowUp.Status.DONE, kind__in=TOUCHING_FOLLOW_UPS
        ).aggregate(m=Max("completed_at"))["m"],
        # Notes live in crm, above this app: reached by their relation, not imported.
        contact.notes.filter(conversation__isnull=False).aggregate(m=Max("created_at"))["m"],
    ]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def touch_get(*, user, pk) -> Touch:
    return scoped_get(touch_list(user=user), pk=pk)


def follow_up_list(*, user) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(owner=user).select_related("contact", "conversation")


def follow_up_get(*, user, pk) -> FollowUp:
    """One of the user's follow-ups with its contact (and company) and conversation."""
    follow_ups = follow_up_list(user=user).select_related("contact__company")
    return scoped_get(follow_ups, pk=pk, not_found="No such follow-up.")


def iso_week_bounds(user, now: datetime) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of the current ISO week on the user's clock."""
    today = local_today(user, now)
    monday = today - timedelta(days=today.weekday())
    return local_day_bounds(user, monday)[0], local_day_bounds(user, monday + timedelta(days=6))[1]


def requests_sent_in_week(user, now: datetime) -> int:
    """Requests sent (moves to `requested`, asking again included) in the ISO week holding `now`,
    on the user's clock: the figure the weekly goal is measured against."""
    week_start, week_end = iso_week_bounds(user, now)
    return StageChange.objects.filter(owner=user, stage=Stage.REQUESTED, at__gte=week_start, at__lt=week_end).count()


FOLLOW_UP_DUE = ("overdue", "today", "week")


def follow_up_due_q(*, user, due: str, now: datetime | None = None) -> Q:
    """The one definition of when a follow-up is due, on the user's clock, shared by the API's
    `due` filter, the dashboard counts and the Today page:
    overdue = open and already past due; today = due from now to the end of the local day;
    week = due from now to the end of the ISO week (Sunday midnight, local)."""
    now = now or timezone.now()
    if due == "overdue":
        return Q(status=FollowUp.Status.OPEN, due_at__lt=now)
    if due == "today":
        return Q(due_at__gte=now, due_at__lt=local_day_bounds(user, local_today(user, now))[1])
    if due == "week":
        return Q(due_at__gte=now, due_at__lt=iso_week_bounds(user, now)[1])
    raise ValueError(f"Unknown due window: {due!r}")


def template_list(*, user) -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(owner=user)


def template_get(*, user, pk) -> MessageTemplate:
    return scoped_get(template_list(user=user), pk=pk, not_found="No such template.")


def reminder_list(*, user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(owner=user)


def portfolio_item_list(*, user) -> QuerySet[PortfolioItem]:
    """Portfolio items with the feedback conversations that point at them."""
    feedback = Conversation.objects.filter(owner=user).select_related("contact").order_by("-created_at", "-id")
    return PortfolioItem.objects.filter(owner=user).prefetch_related(
        Prefetch("conversations", queryset=feedback, to_attr="feedback_conversations")
    )


# --- the question bank (#14) ----------------------------------------------------------------


def question_list(*, user, kind: str | None = None) -> QuerySet[Question]:
    """The user's questions in their order (by kind, then position); one kind's when given."""
    questions = Question.objects.filter(owner=user)
    return questions.filter(kind=kind) if kind else questions


def question_get(*, user, pk) -> Question:
    return scoped_get(question_list(user=user), pk=pk, not_found="No such question.")


def questions_by_kind(*, user, per_kind: int) -> list[dict]:
    """Every conversation kind with its first `per_kind` questions and how many there are in
    all (a page shows the first ones and says how many more): one query for the counts, one
    per kind for the rows."""
    counts = dict(question_list(user=user).values_list("kind").annotate(n=Count("id")).order_by())
    groups = []
    for value, label in Conversation.Kind.choices:
        count = counts.get(value, 0)
        questions = list(question_list(user=user, kind=value)[:per_kind]) if count else []
        groups.append(
            {"kind": value, "label": label, "questions": questions, "count": count, "more": count - len(questions)}
        )
    return groups
