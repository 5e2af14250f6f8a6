"""Reads for the user's own side: profile, notes, opportunities, portfolio, API tokens, the dashboard.

Every function takes the user and returns only that user's rows, with the joins its
callers need already done (no N+1).
"""

from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.localtime import local_day_bounds, local_today
from accounts.models import Profile
from contacts.models import Company, Contact, ContactEvent, Source, Tag
from contacts.selectors import contact_event_list, contact_list, contact_reconnect_due_list, reconnect_due_q
from outreach.models import Conversation, FollowUp, MessageTemplate, Reminder, Stage, StageChange, StoredMail
from outreach.pipeline import BOARD_STAGES, FINAL_STAGES, FUNNEL_STAGES, RESPONSE_STAGES
from outreach.selectors import (
    conversation_list,
    follow_up_due_q,
    follow_up_list,
    iso_week_bounds,
    requests_sent_in_week,
)

from .models import Note, Opportunity


def note_list(*, user) -> QuerySet[Note]:
    return Note.objects.filter(owner=user).select_related("contact", "conversation")


def opportunity_list(*, user) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(owner=user).select_related("company", "referrer")


# --- dashboard ---------------------------------------------------------------------------


def _rate(responses: int, used: int) -> float | None:
    return round(responses / used, 4) if used else None


def asked_conversations(*, user, since: datetime, until: datetime) -> QuerySet[Conversation]:
    """Conversations asked for (moved to requested) in [since, until], annotated with
    `responded` (they reached scheduled or declined). The cohort behind every response rate."""
    requested = StageChange.objects.filter(
        conversation=OuterRef("pk"), stage=Stage.REQUESTED, at__gte=since, at__lte=until
    )
    responded = StageChange.objects.filter(conversation=OuterRef("pk"), stage__in=RESPONSE_STAGES)
    return (
        Conversation.objects.filter(owner=user)
        .annotate(asked=Exists(requested), responded=Exists(responded))
        .filter(asked=True)
    )


def _usage(rows, key: str) -> dict:
    return {row[key]: (row["used"], row["responses"]) for row in rows}


def dashboard_metrics(*, user, days: int = 90, now: datetime | None = None) -> dict:
    """Every dashboard figure, computed in the database, counting only `user`'s rows.

    - pipeline: conversations per stage (every stage present, zeros included);
    - funnel: conversations that entered each of FUNNEL_STAGES in the last `days`;
    - response_rate, templates, sources: of the conversations requested in the last `days`,
      the share that reached scheduled or declined (null when nothing was requested);
    - reply_rate: replies that arrived in the last `days` over the asks sent in them;
    - follow_ups: open ones already past due (`overdue`) and due later today (`today`),
      "today" being the user's local day;
    - week: requests sent this ISO week (Monday to Sunday on the user's clock) and the goal;
    - reconnect_due: active contacts whose reconnect date has passed;
    - failed_reminders: reminder emails that could not be delivered;
    - job_changes: job changes seen in an import and not yet acknowledged.
    """
    now = now or timezone.now()
    since = now - timedelta(days=days)

    per_stage = dict(Conversation.objects.filter(owner=user).values_list("stage").annotate(n=Count("id")).order_by())
    pipeline = {stage.value: per_stage.get(stage.value, 0) for stage in Stage}

    reached = dict(
        StageChange.objects.filter(owner=user, stage__in=FUNNEL_STAGES, at__gte=since, at__lte=now)
        .values_list("stage")
        .annotate(n=Count("conversation", distinct=True))
        .order_by()
    )
    funnel = {stage.value: reached.get(stage.value, 0) for stage in FUNNEL_STAGES}

    cohort = asked_conversations(user=user, since=since, until=now)
    usage = Count("id"), Count("id", filter=Q(responded=True))
    overall = cohort.aggregate(used=usage[0], responses=usage[1])

    # Counted when the reply arrives (issue #13): a reply in the window to an older ask counts;
    # capped at the asks sent so that the rate never reads above 100 %.
    replies = Conversation.objects.filter(owner=user, replied_at__gte=since, replied_at__lte=now).count()

    by_template = _usage(
        cohort.filter(template__isnull=False)
        .values("template_id")
        .annotate(used=usage[0], responses=usage[1])
        .order_by(),
        "template_id",
    )
    templates = []
    for template_id, name in (
        MessageTemplate.objects.filter(owner=user).order_by("name", "id").values_list("id", "name")
    ):
        used, responses = by_template.get(template_id, (0, 0))
        templates.append(
            {
                "id": template_id,
                "name": name,
                "used": used,
                "responses": responses,
                "response_rate": _rate(responses, used),
            }
        )

    by_source = _usage(
        cohort.values("contact__source").annotate(used=usage[0], responses=usage[1]).order_by(),
        "contact__source",
    )
    sources = []
    for source in Source:
        used, responses = by_source.get(source.value, (0, 0))
        sources.append(
            {"source": source.value, "used": used, "responses": responses, "response_rate": _rate(responses, used)}
        )

    follow_ups = FollowUp.objects.filter(owner=user, status=FollowUp.Status.OPEN).aggregate(
        overdue=Count("id", filter=follow_up_due_q(user=user, due="overdue", now=now)),
        today=Count("id", filter=follow_up_due_q(user=user, due="today", now=now)),
    )

    week_start, _ = iso_week_bounds(user, now)
    requests_sent = requests_sent_in_week(user, now)

    profile = Profile.objects.only("weekly_request_goal").get(user=user)

    return {
        "days": days,
        "pipeline": pipeline,
        "funnel": funnel,
        "response_rate": _rate(overall["responses"], overall["used"]),
        "reply_rate": _rate(min(replies, overall["used"]), overall["used"]),
        "follow_ups": {"overdue": follow_ups["overdue"], "today": follow_ups["today"]},
        "week": {
            "start": week_start.date(),
            "requests_sent": requests_sent,
            "goal": profile.weekly_request_goal,
        },
        "reconnect_due": contact_reconnect_due_list(user=user, now=now).count(),
        "templates": templates,
        "sources": sources,
        "failed_reminders": Reminder.objects.filter(owner=user, status=Reminder.Status.FAILED).count(),
        "job_changes": ContactEvent.objects.filter(
            owner=user, kind=ContactEvent.Kind.JOB_CHANGE, acknowledged=False
        ).count(),
    }


# --- web dashboard pages (crm/views) --------------------------------------------------------

# Sort keys offered on the Contacts page; contacts without a date sort last either way.
CONTACT_SORTS = {
    "name": ("first_name", "last_name", "id"),
    "-name": ("-first_name", "-last_name", "-id"),
    "company": (F("company__name").asc(nulls_last=True), "first_name", "id"),
    "-last_contacted": (F("last_contacted_at").desc(nulls_last=True), "first_name", "id"),
    "last_contacted": (F("last_contacted_at").asc(nulls_last=True), "first_name", "id"),
    "reconnect": (F("reconnect_due_at").asc(nulls_last=True), "first_name", "id"),
    "-created": ("-created_at", "-id"),
}


def contacts_for_list(
    *,
    user,
    search: str = "",
    company: int | None = None,
    tag: int | None = None,
    source: str = "",
    relationship: str = "",
    reconnect_due: bool = False,
    archived: bool = False,
    sort: str = "name",
    now: datetime | None = None,
) -> QuerySet:
    qs = contact_list(user=user).filter(archived=archived)
    for word in search.split()[:5]:
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(company__name__icontains=word)
            | Q(title__icontains=word)
        )
    if company:
        qs = qs.filter(company_id=company)
    if tag:
        qs = qs.filter(tags__id=tag)
    if source:
        qs = qs.filter(source=source)
    if relationship:
        qs = qs.filter(relationship=relationship)
    if reconnect_due:
        qs = qs.filter(reconnect_due_q(now))
    qs = qs.order_by(*CONTACT_SORTS.get(sort, CONTACT_SORTS["name"]))
    return qs.distinct() if tag else qs


def companies_for_user(*, user) -> QuerySet:
    return Company.objects.filter(owner=user).order_by("name").only("id", "name")


def tags_for_user(*, user) -> QuerySet:
    return Tag.objects.filter(owner=user).order_by("name").only("id", "name")


MAILS_SHOWN = 50


def contact_timeline(*, contact: Contact) -> list[dict]:
    """Conversations, stage changes, notes, follow-ups and job changes, newest first."""
    owner_id = contact.owner_id
    entries: list[dict] = []
    conversations = list(
        Conversation.objects.filter(owner_id=owner_id, contact=contact).select_related("template", "portfolio_item")
    )
    by_id = {c.pk: c for c in conversations}
    for change in StageChange.objects.filter(owner_id=owner_id, conversation__contact=contact).order_by("at", "id"):
        conversation = by_id.get(change.conversation_id)
        entries.append({"kind": "stage", "at": change.at, "change": change, "conversation": conversation})
    for note in Note.objects.filter(owner_id=owner_id, contact=contact).select_related("conversation"):
        entries.append({"kind": "note", "at": note.created_at, "note": note})
    for follow_up in FollowUp.objects.filter(owner_id=owner_id, contact=contact):
        entries.append(
            {"kind": "follow_up", "at": follow_up.completed_at or follow_up.created_at, "follow_up": follow_up}
        )
    for event in ContactEvent.objects.filter(owner_id=owner_id, contact=contact):
        entries.append({"kind": "event", "at": event.created_at, "event": event})
    # Mail captured through the mail-in address or an .eml upload (issue #13), its original one click away.
    for mail in StoredMail.objects.filter(owner_id=owner_id, touch__contacts=contact).defer("raw")[:MAILS_SHOWN]:
        entries.append({"kind": "mail", "at": mail.sent_at, "mail": mail})
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries


def contact_conversations(*, contact: Contact) -> list[Conversation]:
    return list(Conversation.objects.filter(owner_id=contact.owner_id, contact=contact).order_by("-created_at", "-id"))


def contact_open_follow_ups(*, contact: Contact) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(owner_id=contact.owner_id, contact=contact, status=FollowUp.Status.OPEN)
        .select_related("contact", "contact__company")
        .order_by("due_at", "id")
    )


def request_templates(*, user) -> list[MessageTemplate]:
    """Templates that open a conversation (not thank-you, nudge or reconnect)."""
    return list(MessageTemplate.objects.filter(owner=user, kind__in=Conversation.Kind.values).order_by("name"))


def follow_ups_for_list(*, user, status: str = "open", due: str = "", now: datetime | None = None) -> QuerySet:
    """The Follow-ups page: one status, optionally one `due` window (follow_up_due_q, the one
    definition the API, the dashboard and Today share)."""
    qs = follow_up_list(user=user).select_related("contact__company")
    if status in FollowUp.Status.values:
        qs = qs.filter(status=status)
    if due:
        qs = qs.filter(follow_up_due_q(user=user, due=due, now=now))
    order = ("-completed_at", "-id") if status == FollowUp.Status.DONE else ("due_at", "id")
    return qs.order_by(*order)


def follow_ups_due(*, user, now: datetime | None = None) -> tuple[list[FollowUp], list[FollowUp]]:
    """Open follow-ups (overdue, due later today) in the user's day."""
    now = now or timezone.now()
    due = follow_up_due_q(user=user, due="overdue", now=now) | follow_up_due_q(user=user, due="today", now=now)
    rows = list(
        FollowUp.objects.filter(due, owner=user, status=FollowUp.Status.OPEN)
        .select_related("contact", "contact__company", "conversation")
        .order_by("due_at", "id")
    )
    return [f for f in rows if f.due_at < now], [f for f in rows if f.due_at >= now]


def chats_on_day(*, user, now: datetime | None = None) -> list[Conversation]:
    start, end = local_day_bounds(user, local_today(user, now))
    return list(
        Conversation.objects.filter(owner=user, stage=Stage.SCHEDULED, scheduled_for__gte=start, scheduled_for__lt=end)
        .select_related("contact", "contact__company")
        .order_by("scheduled_for", "id")
    )


def reconnect_due_contacts(*, user, now: datetime | None = None, limit: int = 8) -> list[Contact]:
    return list(contact_reconnect_due_list(user=user, now=now).order_by("reconnect_due_at", "id")[:limit])


def failed_reminders(*, user, limit: int = 10) -> list[Reminder]:
    return list(
        Reminder.objects.filter(owner=user, status=Reminder.Status.FAILED)
        .select_related("follow_up", "conversation", "conversation__contact")
        .order_by("-send_at", "-id")[:limit]
    )


def recent_job_changes(*, user, limit: int = 5) -> list[ContactEvent]:
    return list(
        contact_event_list(user=user)
        .filter(kind=ContactEvent.Kind.JOB_CHANGE, acknowledged=False)
        .order_by("-created_at", "-id")[:limit]
    )


FINAL_STAGE_CARDS = 12


def pipeline_board(*, user) -> list[dict]:
    """A column per stage, in the pipeline's order; open stages show every card, final stages the most recent few."""
    base = conversation_list(user=user)
    open_cards = list(base.exclude(stage__in=FINAL_STAGES).order_by("scheduled_for", "-updated_at", "-id"))
    columns = []
    for stage in BOARD_STAGES:
        if stage in FINAL_STAGES:
            cards = list(base.filter(stage=stage).order_by("-updated_at", "-id")[:FINAL_STAGE_CARDS])
        else:
            cards = [c for c in open_cards if c.stage == stage]
        columns.append({"stage": stage, "label": Stage(stage).label, "cards": cards, "final": stage in FINAL_STAGES})
    return columns


def prep_brief(*, conversation: Conversation) -> dict:
    """What to read before the chat: who, where they work, how you met, your agenda, earlier notes."""
    contact = conversation.contact
    notes = list(
        Note.objects.filter(owner_id=conversation.owner_id, contact=contact)
        .select_related("conversation")
        .order_by("-created_at", "-id")
    )
    earlier = list(
        Conversation.objects.filter(owner_id=conversation.owner_id, contact=contact)
        .exclude(pk=conversation.pk)
        .order_by("-created_at", "-id")
    )
    stage_history = list(conversation.stage_changes.order_by("at", "id"))
    return {"contact": contact, "notes": notes, "earlier": earlier, "stage_history": stage_history}


def contacts_for_picker(*, user, limit: int = 500) -> list[Contact]:
    return list(
        Contact.objects.filter(owner=user, archived=False)
        .select_related("company")
        .order_by("first_name", "last_name", "id")[:limit]
    )
