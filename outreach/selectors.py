"""Reads for the pipeline: conversations, follow-ups, templates, reminders — one user's rows each.

`*_get(*, user, pk)` getters answer Http404 alike for a missing row and another user's
(accounts.selectors.scoped_get); pages, the calendar and the e-mail links all use them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
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
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.localtime import local_day_bounds, local_today, workdays
from accounts.models import Routine, profile_setting
from accounts.selectors import scoped_get
from contacts.models import Contact

from .models import Conversation, FollowUp, MessageTemplate, PortfolioItem, Reminder, Stage, StageChange, Touch
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


def nudges_this_round_of(conversation_ref) -> QuerySet[FollowUp]:
    """The same, for an expression (e.g. OuterRef("conversation_id") in a subquery)."""
    return _nudges_this_round(conversation_ref, conversation_ref)


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


# The 3B7 routine (issue #14): one nudge, 7 business days after the request.
THREE_B_SEVEN_NUDGE_DAYS = 7
THREE_B_SEVEN_SECOND_PERSON_DAYS = 3


def max_nudges_for(user) -> int:
    """How many nudges a request gets in one round: `max_nudges`, or one under the 3B7 routine
    ("follow up once"). The one place that decides it, for planning and for suggesting no_response."""
    if profile_setting(user, "routine") == Routine.THREE_B_SEVEN:
        return 1
    return profile_setting(user, "max_nudges")


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


# --- the 3B7 routine: day 3, a second person (issue #14) ------------------------------------


@dataclass(frozen=True)
class SecondPerson:
    """A request waiting on its 3rd business day at a target company, and whom to try next."""

    conversation: Conversation  # the unanswered request (with contact and company)
    candidate: Contact  # the best other contact at that company (see second_person_candidates)

    @property
    def company(self):
        return self.conversation.contact.company


def third_business_day_cutoff(user, now: datetime) -> datetime:
    """Requests sent before this instant have waited at least THREE_B_SEVEN_SECOND_PERSON_DAYS
    business days by today: the start (local midnight) of the 3rd working date counted back
    from today, today included. A request sent on Friday (Mon–Fri) qualifies from Wednesday:
    counting back from Wednesday, Wed, Tue, Mon — before Monday 00:00."""
    days = workdays(user) or frozenset(range(1, 8))
    current, counted = local_today(user, now), 0
    while True:
        if current.isoweekday() in days:
            counted += 1
            if counted == THREE_B_SEVEN_SECOND_PERSON_DAYS:
                return local_day_bounds(user, current)[0]
        current -= timedelta(days=1)


def _candidate_ranking():
    """Order for second_person_candidates: responsiveness (booster, unknown, obligate,
    curmudgeon), then a warm path (someone referred them, or alumni / internal colleague),
    then product managers, then the least recently contacted (never contacted first), then id."""
    responsiveness = Case(
        When(responsiveness=Contact.Responsiveness.BOOSTER, then=Value(0)),
        When(responsiveness__isnull=True, then=Value(1)),
        When(responsiveness=Contact.Responsiveness.OBLIGATE, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    warm = Case(
        When(
            Q(referred_by__isnull=False)
            | Q(relationship__in=(Contact.Relationship.ALUMNI, Contact.Relationship.INTERNAL_COLLEAGUE)),
            then=Value(0),
        ),
        default=Value(1),
        output_field=IntegerField(),
    )
    product_manager = Case(
        When(relationship=Contact.Relationship.PRODUCT_MANAGER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return [
        responsiveness.asc(),
        warm.asc(),
        product_manager.asc(),
        F("last_contacted_at").asc(nulls_first=True),
        F("id").asc(),
    ]


def second_person_candidates(*, user, company_ids) -> QuerySet[Contact]:
    """The user's other people at these companies who could be asked now: not archived, no
    open ask (OPEN_STAGES) of any kind. Each row has `rank` (1 = best at its company, by
    _candidate_ranking: responsiveness booster > unknown > obligate > curmudgeon, then warm
    path, then product manager, then least recently contacted)."""
    open_ask = Conversation.objects.filter(owner=user, contact=OuterRef("pk"), stage__in=OPEN_STAGES)
    return (
        Contact.objects.filter(owner=user, company_id__in=company_ids, archived=False)
        .exclude(Exists(open_ask))
        .select_related("company")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("company_id")], order_by=_candidate_ranking()),
        )
    )


def second_person_suggestions(*, user, now: datetime | None = None, limit: int = 5) -> list[SecondPerson]:
    """Day 3 of 3B7, under either routine: requests at target companies unanswered for 3+
    business days (by the user's workweek and clock; answered = replied_at set or moved to
    scheduled / declined), with nobody at that company asked since, each with the best other
    contact to try there. One per company, the longest-waiting first, at most `limit`. Two
    queries (one when nothing is waiting)."""
    now = now or timezone.now()
    asked_since = Conversation.objects.filter(
        owner=user,
        contact__company_id=OuterRef("contact__company_id"),
        created_at__gt=OuterRef("requested_at"),
    ).exclude(contact_id=OuterRef("contact_id"))
    waiting = (
        Conversation.objects.filter(
            owner=user,
            stage__in=REPLY_STAGES,
            requested_at__lt=third_business_day_cutoff(user, now),
            contact__company__target=True,
            contact__archived=False,
        )
        .filter(Q(replied_at__isnull=True) | Q(replied_at__lt=F("requested_at")))
        .exclude(Exists(asked_since))
        .select_related("contact", "contact__company")
        .order_by("requested_at", "id")
    )
    # One per company: a few more rows than `limit` cover companies with several waiting asks.
    firsts: dict[int, Conversation] = {}
    for conversation in waiting[: limit * 4]:
        firsts.setdefault(conversation.contact.company_id, conversation)
    if not firsts:
        return []
    best = {
        contact.company_id: contact
        for contact in second_person_candidates(user=user, company_ids=list(firsts)).filter(rank=1)
    }
    found = [
        SecondPerson(conversation, best[company_id])
        for company_id, conversation in firsts.items()
        if company_id in best
    ]
    return found[:limit]
