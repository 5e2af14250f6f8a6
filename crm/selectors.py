"""Reads for the user's own side: profile, notes, opportunities, portfolio, API tokens, the dashboard.

Every function takes the user and returns only that user's rows, with the joins its
callers need already done (no N+1).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.localtime import local_day_bounds, local_today
from accounts.selectors import first_rows, scoped_get
from contacts.models import Company, Contact, ContactEvent, Source, Tag
from contacts.selectors import (
    DuplicateGroup,
    contact_event_list,
    contact_list,
    contact_reconnect_due_list,
    reconnect_due_q,
)
from outreach.models import (
    Conversation,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Reminder,
    Stage,
    StageChange,
    StoredMail,
    Touch,
)
from outreach.pipeline import BOARD_STAGES, FINAL_STAGES, FUNNEL_STAGES
from outreach.selectors import (
    asked_cohort,
    cohort_usage,
    conversation_list,
    fold_usage,
    follow_up_due_q,
    follow_up_list,
    iso_week_bounds,
    requests_sent_in_week,
    template_stats,
    usage_figures,
)

from .models import NOTE_UNDO_SECONDS, OPPORTUNITY_FINAL, Note, Opportunity


@dataclass
class Bounded:
    """The first rows of a list a page shows, and how many there are in all ("and 212 more →")."""

    items: list
    total: int

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


def note_list(*, user) -> QuerySet[Note]:
    """The user's notes (deleted ones left out)."""
    return Note.objects.filter(owner=user).select_related("contact", "conversation")


def note_get(*, user, pk) -> Note:
    return scoped_get(note_list(user=user), pk=pk, not_found="No such note.")


def deleted_or_live_note_get(*, user, pk) -> Note:
    """One of the user's notes, deleted ones not purged yet included (for the Undo:
    crm.services.note_restore judges the window)."""
    rows = Note.all_objects.filter(owner=user).select_related("contact")
    return scoped_get(rows, pk=_as_id(pk), not_found="No such note.")


def _as_id(pk):
    """A URL's id as a number (a non-number is no row's id: scoped_get answers 404)."""
    try:
        return int(pk)
    except (TypeError, ValueError):
        return -1


def notes_in_undo_window(*, contact: Contact, now: datetime | None = None) -> list[Note]:
    """The contact's notes deleted less than NOTE_UNDO_SECONDS ago: their page still offers Undo."""
    since = (now or timezone.now()) - timedelta(seconds=NOTE_UNDO_SECONDS)
    return list(
        Note.all_objects.filter(owner_id=contact.owner_id, contact=contact, deleted_at__gte=since).order_by(
            "-deleted_at", "-id"
        )[:5]
    )


def opportunity_list(*, user) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(owner=user).select_related("company", "referrer", "conversation")


# --- dashboard ---------------------------------------------------------------------------


def _rate(responses: int, used: int) -> float | None:
    return round(responses / used, 4) if used else None


def asked_conversations(*, user, since: datetime, until: datetime) -> QuerySet[Conversation]:
    """Conversations asked for (moved to requested) in [since, until], annotated with
    `responded` (they reached scheduled or declined), `replied` and `accepted`: the cohort
    behind every response rate (outreach.selectors.asked_cohort)."""
    return asked_cohort(user=user, since=since, until=until)


# The dashboard's per-template figures: the first five since the start, the rest since issue #14.
TEMPLATE_FIGURES = (
    "id",
    "name",
    "used",
    "responses",
    "response_rate",
    "replies",
    "reply_rate",
    "accepted",
    "acceptance_rate",
)


def dashboard_metrics(*, user, days: int = 90, now: datetime | None = None, breakdowns: bool = True) -> dict:
    """Every dashboard figure, computed in the database, counting only `user`'s rows.

    `breakdowns=False` leaves out `templates`, `sources` and `channels` (three queries): Today
    shows none of them, the API and the Insights page do.

    - pipeline: conversations per stage (every stage present, zeros included);
    - funnel: conversations that entered each of FUNNEL_STAGES in the last `days`;
    - response_rate, templates, sources, channels: of the conversations requested in the last
      `days`, the share that reached scheduled or declined (null when nothing was requested);
      templates, sources and channels also give replies (replied_at set or scheduled or declined)
      and accepted (reached scheduled), with their rates;
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

    # Counted when the reply arrives (issue #13): a reply in the window to an older ask counts;
    # capped at the asks sent so that the rate never reads above 100 %. Read with the stages.
    in_window = Q(replied_at__gte=since, replied_at__lte=now)
    stage_rows = (
        Conversation.objects.filter(owner=user)
        .values_list("stage")
        .annotate(n=Count("id"), replied=Count("id", filter=in_window))
        .order_by()
    )
    per_stage, replies = {}, 0
    for stage, n, replied in stage_rows:
        per_stage[stage] = n
        replies += replied
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

    breakdown = _metric_breakdowns(user=user, cohort=cohort, days=days, now=now) if breakdowns else {}

    follow_ups = FollowUp.objects.filter(owner=user, status=FollowUp.Status.OPEN).aggregate(
        overdue=Count("id", filter=follow_up_due_q(user=user, due="overdue", now=now)),
        today=Count("id", filter=follow_up_due_q(user=user, due="today", now=now)),
    )

    week_start, _ = iso_week_bounds(user, now)
    requests_sent = requests_sent_in_week(user, now)

    profile = user.profile  # loaded once per request (the time-zone middleware reads it too)

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
        **breakdown,
        "failed_reminders": Reminder.objects.filter(owner=user, status=Reminder.Status.FAILED).count(),
        "job_changes": ContactEvent.objects.filter(
            owner=user, kind=ContactEvent.Kind.JOB_CHANGE, acknowledged=False
        ).count(),
    }


def _metric_breakdowns(*, user, cohort, days: int, now: datetime) -> dict:
    """The response figures per template, per contact source and per conversation channel."""
    templates = [{key: row[key] for key in TEMPLATE_FIGURES} for row in template_stats(user=user, days=days, now=now)]
    # Sources and channels from one query grouped by both (at most 7 × 7 rows).
    by_pair = cohort_usage(cohort, "contact__source", "channel")
    by_source, by_channel = fold_usage(by_pair, 0), fold_usage(by_pair, 1)
    return {
        "templates": templates,
        "sources": [{"source": source.value, **usage_figures(by_source.get(source.value))} for source in Source],
        "channels": [
            {"channel": channel.value, **usage_figures(by_channel.get(channel.value))}
            for channel in Conversation.Channel
        ],
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
    responsiveness: str = "",
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
    if responsiveness:
        qs = qs.filter(responsiveness=responsiveness)
    if reconnect_due:
        qs = qs.filter(reconnect_due_q(now))
    qs = qs.order_by(*CONTACT_SORTS.get(sort, CONTACT_SORTS["name"]))
    return qs.distinct() if tag else qs


# The Duplicates page shows this many contacts of a group side by side (a bigger group says so).
DUPLICATES_SHOWN_PER_GROUP = 6


def duplicate_groups_with_counts(*, user, groups: list[DuplicateGroup]) -> list[DuplicateGroup]:
    """Fill in a page of duplicate groups' `contacts` (the first DUPLICATES_SHOWN_PER_GROUP
    each), with company, tags and how many conversations, notes and follow-ups each has, so the
    user sees which record holds the history. A fixed number of queries for any page."""
    wanted = [pk for group in groups for pk in group.ids[:DUPLICATES_SHOWN_PER_GROUP]]

    def count_of(model, field="contact"):
        rows = model.objects.filter(owner=user, **{f"{field}__in": wanted}).order_by()
        return Subquery(
            rows.filter(**{field: OuterRef("pk")}).values(field).annotate(n=Count("id")).values("n"),
            output_field=IntegerField(),
        )

    found = (
        contact_list(user=user)
        .filter(pk__in=wanted)
        .annotate(
            conversation_count=Coalesce(count_of(Conversation), 0),
            note_count=Coalesce(count_of(Note), 0),
            follow_up_count=Coalesce(count_of(FollowUp), 0),
        )
        .in_bulk()
    )
    for group in groups:
        group.contacts = [found[pk] for pk in group.ids[:DUPLICATES_SHOWN_PER_GROUP] if pk in found]
    return groups


def companies_for_user(*, user) -> QuerySet:
    return Company.objects.filter(owner=user).order_by("name").only("id", "name")


def tags_for_user(*, user) -> QuerySet:
    return Tag.objects.filter(owner=user).order_by("name").only("id", "name")


# Timeline entries shown on a contact's page, newest first.
TIMELINE_SHOWN = 50


def contact_timeline(*, contact: Contact, limit: int = TIMELINE_SHOWN) -> Bounded:
    """Conversations, stage changes, notes, messages sent, follow-ups, job changes and touches, newest first: the latest
    `limit` (each source reads at most limit + 1 rows, so a long history costs no more). Its
    `more` is 1 when older entries were left out (the exact number is not counted)."""
    owner_id = contact.owner_id
    entries: list[dict] = []
    n = limit + 1
    conversations = list(
        Conversation.objects.filter(owner_id=owner_id, contact=contact).select_related("template", "portfolio_item")
    )
    by_id = {c.pk: c for c in conversations}
    changes = StageChange.objects.filter(owner_id=owner_id, conversation__contact=contact).order_by("-at", "-id")
    for change in changes[:n]:
        conversation = by_id.get(change.conversation_id)
        entries.append({"kind": "stage", "at": change.at, "change": change, "conversation": conversation})
    for conversation in conversations[:n]:
        if conversation.message_sent_at and (conversation.message_subject or conversation.message_body):
            entries.append({"kind": "message", "at": conversation.message_sent_at, "conversation": conversation})
    notes = Note.objects.filter(owner_id=owner_id, contact=contact).select_related("conversation")
    for note in notes.order_by("-created_at", "-id")[:n]:
        entries.append({"kind": "note", "at": note.created_at, "note": note})
    follow_ups = FollowUp.objects.filter(owner_id=owner_id, contact=contact).annotate(
        shown_at=Coalesce("completed_at", "created_at")
    )
    for follow_up in follow_ups.order_by("-shown_at", "-id")[:n]:
        entries.append({"kind": "follow_up", "at": follow_up.shown_at, "follow_up": follow_up})
    for event in ContactEvent.objects.filter(owner_id=owner_id, contact=contact).order_by("-created_at", "-id")[:n]:
        entries.append({"kind": "event", "at": event.created_at, "event": event})
    touches = Touch.objects.filter(owner_id=owner_id, contacts=contact).prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "first_name", "last_name").order_by("first_name"))
    )
    for touch in touches.order_by("-at", "-id")[:n]:
        others = [c for c in touch.contacts.all() if c.pk != contact.pk]
        entries.append({"kind": "touch", "at": touch.at, "touch": touch, "others": others})
    # Mail captured through the mail-in address or an .eml upload (issue #13), its original one click away.
    mails = StoredMail.objects.filter(owner_id=owner_id, touch__contacts=contact).defer("raw", "html_body", "text_body")
    for mail in mails.order_by("-sent_at", "-id")[:n]:
        entries.append({"kind": "mail", "at": mail.sent_at, "mail": mail})
    entries.sort(key=lambda e: e["at"], reverse=True)
    return Bounded(entries[:limit], min(len(entries), limit + 1))


def contact_conversations(*, contact: Contact) -> list[Conversation]:
    return list(Conversation.objects.filter(owner_id=contact.owner_id, contact=contact).order_by("-created_at", "-id"))


def contact_open_follow_ups(*, contact: Contact) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(owner_id=contact.owner_id, contact=contact, status=FollowUp.Status.OPEN)
        .select_related("contact", "contact__company", "conversation")
        .order_by("due_at", "id")
    )


def request_templates(*, user) -> list[MessageTemplate]:
    """Templates that open a conversation (not thank-you, nudge or reconnect)."""
    return list(MessageTemplate.objects.filter(owner=user, kind__in=Conversation.Kind.values).order_by("name"))


def reply_template(*, user, kind: str) -> MessageTemplate | None:
    """The user's template for a follow-up of this kind (nudge, thank-you, reconnect), if any."""
    if kind not in MessageTemplate.Kind.values or kind in Conversation.Kind.values:
        return None
    return MessageTemplate.objects.filter(owner=user, kind=kind).order_by("name", "id").first()


PLANNED_QUEUE_SIZE = 5


def planned_queue(*, user, limit: int = PLANNED_QUEUE_SIZE, total: int | None = None) -> tuple[list[Conversation], int]:
    """People to ask this week: the oldest planned asks first (the first `limit`) and how many
    are planned in all (`total`, when the caller already counted them, saves a query)."""
    planned = Conversation.objects.filter(owner=user, stage=Stage.PLANNED)
    first = list(planned.select_related("contact", "contact__company").order_by("created_at", "id")[:limit])
    if total is None:
        total = len(first) if len(first) < limit else planned.count()
    return first, total


def follow_ups_for_list(*, user, status: str = "open", due: str = "", now: datetime | None = None) -> QuerySet:
    """The Follow-ups page: one status, optionally one `due` window (follow_up_due_q, the one
    definition the API, the dashboard and Today share)."""
    qs = follow_up_list(user=user).select_related("contact__company", "conversation")
    if status in FollowUp.Status.values:
        qs = qs.filter(status=status)
    if due:
        qs = qs.filter(follow_up_due_q(user=user, due=due, now=now))
    order = ("-completed_at", "-id") if status == FollowUp.Status.DONE else ("due_at", "id")
    return qs.order_by(*order)


# Follow-ups listed on Today per group (overdue, due today); the rest are a link away.
TODAY_FOLLOW_UPS_SHOWN = 15


def follow_ups_due(
    *, user, now: datetime | None = None, limit: int = TODAY_FOLLOW_UPS_SHOWN, totals: dict | None = None
) -> tuple[Bounded, Bounded]:
    """Open follow-ups overdue and due later today in the user's day: the first `limit` of
    each, oldest due first, with their totals (three queries, however many there are; two
    when the caller already has the totals, e.g. dashboard_metrics' `follow_ups`)."""
    now = now or timezone.now()
    windows = {due: follow_up_due_q(user=user, due=due, now=now) for due in ("overdue", "today")}
    open_rows = FollowUp.objects.filter(owner=user, status=FollowUp.Status.OPEN)
    if totals is None:
        totals = open_rows.aggregate(**{due: Count("id", filter=q) for due, q in windows.items()})
    rows = open_rows.select_related("contact", "contact__company", "conversation").order_by("due_at", "id")
    return tuple(Bounded(list(rows.filter(q)[:limit]), totals[due]) for due, q in windows.items())


CHATS_AHEAD_DAYS = 7
CHATS_AHEAD_LIMIT = 20


def chats_ahead(
    *, user, now: datetime | None = None, days: int = CHATS_AHEAD_DAYS, limit: int = CHATS_AHEAD_LIMIT
) -> tuple[list[Conversation], bool]:
    """Scheduled chats from the start of the user's today through the next `days` local days
    (today's earlier ones included: they may still need marking held), at most `limit`; and
    whether there are more in that window."""
    today = local_today(user, now)
    start, _ = local_day_bounds(user, today)
    _, end = local_day_bounds(user, today + timedelta(days=days - 1))
    rows = list(
        Conversation.objects.filter(owner=user, stage=Stage.SCHEDULED, scheduled_for__gte=start, scheduled_for__lt=end)
        .select_related("contact", "contact__company")
        .order_by("scheduled_for", "id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


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


# Cards per open column on the board; the rest page in that column alone (`?stage=…&page=2`).
# With every column full (a heavy user) the board stays under #12's 150 KB: an open card carries
# its move forms, about 2 KB each.
OPEN_STAGE_CARDS = 10
FINAL_STAGE_CARDS = 6
OPEN_ORDER = (F("scheduled_for").asc(nulls_last=True), "-updated_at", "-id")
FINAL_ORDER = ("-updated_at", "-id")


def _first_per_stage(queryset, order, limit: int) -> list[Conversation]:
    """The first `limit` rows of each stage in `order`, in one query (a window over stages)."""
    ranked = queryset.annotate(rank=Window(RowNumber(), partition_by=F("stage"), order_by=order))
    return list(ranked.filter(rank__lte=limit).order_by("stage", "rank"))


def pipeline_board(*, user, stage: str = "", page: int = 1) -> list[dict]:
    """A column per stage, in the pipeline's order: open stages show their first OPEN_STAGE_CARDS
    (next chats first), final stages the most recent FINAL_STAGE_CARDS, each with its total
    (three queries however many there are). With `stage`, that column alone, at `page`."""
    base = conversation_list(user=user)
    totals = dict(base.order_by().values_list("stage").annotate(n=Count("id")))
    if stage in BOARD_STAGES:
        final = stage in FINAL_STAGES
        size = FINAL_STAGE_CARDS if final else OPEN_STAGE_CARDS
        page = max(1, min(page, 1 + (totals.get(stage, 0) - 1) // size))
        offset = (page - 1) * size
        cards = list(base.filter(stage=stage).order_by(*(FINAL_ORDER if final else OPEN_ORDER))[offset : offset + size])
        return [_column(stage, cards, totals.get(stage, 0), offset, page)]
    cards = _first_per_stage(base.exclude(stage__in=FINAL_STAGES), OPEN_ORDER, OPEN_STAGE_CARDS)
    cards += _first_per_stage(base.filter(stage__in=FINAL_STAGES), FINAL_ORDER, FINAL_STAGE_CARDS)
    return [_column(s, [c for c in cards if c.stage == s], totals.get(s, 0), 0, 1) for s in BOARD_STAGES]


def _column(stage: str, cards: list, total: int, offset: int, page: int) -> dict:
    return {
        "stage": stage,
        "label": Stage(stage).label,
        "cards": cards,
        "final": stage in FINAL_STAGES,
        "total": total,
        "more": max(0, total - offset - len(cards)),
        "next_page": page + 1,
    }


# The prep page's lists: the newest of each, with "and N more" pointing at the contact's page.
PREP_SHOWN = 10


def _first(queryset, limit: int = PREP_SHOWN) -> Bounded:
    return Bounded(*first_rows(queryset, limit))


def prep_brief(*, conversation: Conversation) -> dict:
    """What to read before the chat: who, where they work, how you met, your agenda, earlier
    notes and asks (the newest PREP_SHOWN of each), and the roles heard of in this conversation."""
    contact = conversation.contact
    owned = {"owner_id": conversation.owner_id}
    notes = _first(
        Note.objects.filter(**owned, contact=contact).select_related("conversation").order_by("-created_at", "-id")
    )
    earlier = _first(
        Conversation.objects.filter(**owned, contact=contact).exclude(pk=conversation.pk).order_by("-created_at", "-id")
    )
    opportunities = _first(
        Opportunity.objects.filter(**owned, conversation=conversation).order_by("-created_at", "-id")
    )
    stage_history = list(conversation.stage_changes.order_by("at", "id"))
    return {
        "contact": contact,
        "notes": notes,
        "earlier": earlier,
        "opportunities": opportunities,
        "stage_history": stage_history,
    }


def contacts_for_picker(*, user, limit: int = 500) -> list[Contact]:
    return list(
        Contact.objects.filter(owner=user, archived=False)
        .select_related("company")
        .order_by("first_name", "last_name", "id")[:limit]
    )


# The "Log an event" picker: how many matches it offers at once (the user types to narrow).
PICKER_MATCHES = 20


def contacts_picked(*, user, ids) -> list[Contact]:
    """The user's contacts among `ids` (others' and unknown ids are simply absent), by name."""
    return list(contact_list(user=user).filter(pk__in=ids).order_by("first_name", "last_name", "id"))


def contacts_to_pick(*, user, search: str, exclude_ids=(), limit: int = PICKER_MATCHES) -> tuple[list[Contact], bool]:
    """Active contacts matching `search` (as the Contacts page searches), not already picked:
    at most `limit`, and whether there are more."""
    rows = list(contacts_for_list(user=user, search=search).exclude(pk__in=exclude_ids)[: limit + 1])
    return rows[:limit], len(rows) > limit


# --- what a delete takes with it (the confirmation pages) ------------------------------------


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def conversation_delete_summary(*, conversation: Conversation) -> dict[str, list[str]]:
    """What deleting this conversation removes, and what stays (for its confirmation page)."""
    owner_id = conversation.owner_id
    follow_ups = FollowUp.objects.filter(owner_id=owner_id, conversation=conversation).aggregate(
        all=Count("id"), open=Count("id", filter=Q(status=FollowUp.Status.OPEN))
    )
    pending = Reminder.objects.filter(
        Q(conversation=conversation) | Q(follow_up__conversation=conversation),
        owner_id=owner_id,
        status=Reminder.Status.PENDING,
    ).count()
    stage_changes = StageChange.objects.filter(owner_id=owner_id, conversation=conversation).count()
    notes = Note.objects.filter(owner_id=owner_id, conversation=conversation).count()
    return {
        "goes": [
            _plural(stage_changes, "stage change") + " of its history",
            _plural(follow_ups["all"], "follow-up") + f" ({follow_ups['open']} open)",
            _plural(pending, "pending reminder e-mail") + " (never sent)",
        ],
        "stays": [_plural(notes, "note") + f" about it, kept on {conversation.contact.full_name}'s timeline"],
    }


def contact_delete_summary(*, contact: Contact) -> dict[str, list[str]]:
    """What deleting this contact removes, and what stays (for its confirmation page)."""
    owner_id = contact.owner_id
    # Count the people before filtering by this contact (the filter's join would count only them).
    touches = Touch.objects.annotate(people=Count("contacts")).filter(owner_id=owner_id, contacts=contact)
    alone = sum(1 for people in touches.values_list("people", flat=True) if people == 1)
    shared = touches.count() - alone
    pending = Reminder.objects.filter(
        Q(conversation__contact=contact) | Q(follow_up__contact=contact),
        owner_id=owner_id,
        status=Reminder.Status.PENDING,
    ).count()
    return {
        "goes": [
            _plural(Conversation.objects.filter(owner_id=owner_id, contact=contact).count(), "conversation")
            + " with their stage history",
            _plural(FollowUp.objects.filter(owner_id=owner_id, contact=contact).count(), "follow-up"),
            _plural(pending, "pending reminder e-mail") + " (never sent)",
            _plural(Note.objects.filter(owner_id=owner_id, contact=contact).count(), "note"),
            _plural(ContactEvent.objects.filter(owner_id=owner_id, contact=contact).count(), "job change"),
            _plural(alone, "touch", "touches") + " with them alone",
        ],
        "stays": [
            _plural(shared, "touch", "touches") + " shared with other people (without them)",
            _plural(Contact.objects.filter(owner_id=owner_id, referred_by=contact).count(), "contact")
            + " they referred (no longer marked as referred by them)",
            _plural(
                Opportunity.objects.filter(owner_id=owner_id, referrer=contact).count(), "opportunity", "opportunities"
            )
            + " they referred (without a referrer)",
            "their company and tags",
        ],
    }


# --- opportunities board and portfolio pages (issue #14) ----------------------------------

# The board's columns, in the order an opportunity moves; the last three are final.
OPPORTUNITY_BOARD_STATUSES = tuple(Opportunity.Status.values)
OPPORTUNITY_FINAL_STATUSES = OPPORTUNITY_FINAL
# Cards a column shows before "and N more →" (the link opens that column alone, paged).
OPPORTUNITY_OPEN_CARDS = 8
OPPORTUNITY_FINAL_CARDS = 5
OPPORTUNITY_ORDER = ("-updated_at", "-id")


def opportunity_get(*, user, pk) -> Opportunity:
    return scoped_get(opportunity_list(user=user), pk=pk, not_found="No such opportunity.")


def opportunity_board(*, user, status: str = "", page: int = 1) -> list[dict]:
    """A column per status: its most recently touched cards (open columns OPPORTUNITY_OPEN_CARDS,
    final ones OPPORTUNITY_FINAL_CARDS) and its total, in two queries however many there are.
    With `status`, that column alone at `page`."""
    base = opportunity_list(user=user).select_related("conversation__contact")
    totals = dict(base.order_by().values_list("status").annotate(n=Count("id")))

    def size(s):
        return OPPORTUNITY_FINAL_CARDS if s in OPPORTUNITY_FINAL_STATUSES else OPPORTUNITY_OPEN_CARDS

    def column(s, cards, offset, page):
        total = totals.get(s, 0)
        return {
            "status": s,
            "label": Opportunity.Status(s).label,
            "cards": cards,
            "final": s in OPPORTUNITY_FINAL_STATUSES,
            "total": total,
            "more": max(0, total - offset - len(cards)),
            "next_page": page + 1,
        }

    if status in OPPORTUNITY_BOARD_STATUSES:
        per = size(status)
        page = max(1, min(page, 1 + (totals.get(status, 0) - 1) // per))
        offset = (page - 1) * per
        cards = list(base.filter(status=status).order_by(*OPPORTUNITY_ORDER)[offset : offset + per])
        return [column(status, cards, offset, page)]
    ranked = base.annotate(
        rank=Window(
            RowNumber(), partition_by=F("status"), order_by=[F(o.lstrip("-")).desc() for o in OPPORTUNITY_ORDER]
        )
    )
    limit = max(OPPORTUNITY_OPEN_CARDS, OPPORTUNITY_FINAL_CARDS)
    rows = list(ranked.filter(rank__lte=limit).order_by("status", "rank"))
    return [column(s, [r for r in rows if r.status == s][: size(s)], 0, 1) for s in OPPORTUNITY_BOARD_STATUSES]


# Feedback notes an item's page shows before "and N more".
PORTFOLIO_FEEDBACK_SHOWN = 20
PORTFOLIO_PAGE_SIZE = 25


def portfolio_items(*, user) -> QuerySet:
    """The user's portfolio pieces, newest first, each with how many conversations point at it."""
    return (
        PortfolioItem.objects.filter(owner=user)
        .annotate(feedback_asks=Count("conversations"))
        .order_by("-created_at", "-id")
    )


def portfolio_item_get(*, user, pk):
    return scoped_get(portfolio_items(user=user), pk=pk, not_found="No such portfolio piece.")


def portfolio_feedback(*, item, limit: int = PORTFOLIO_FEEDBACK_SHOWN) -> dict:
    """What an item gathered: the notes logged on conversations that point at it (newest first,
    the first `limit`, with the total) and those conversations (bounded the same way)."""
    notes = Note.objects.filter(owner_id=item.owner_id, conversation__portfolio_item=item)
    conversations = Conversation.objects.filter(owner_id=item.owner_id, portfolio_item=item)
    return {
        "notes": Bounded(
            list(notes.select_related("contact", "conversation").order_by("-created_at", "-id")[:limit]),
            notes.count(),
        ),
        "conversations": Bounded(
            list(conversations.select_related("contact").order_by("-created_at", "-id")[:limit]),
            conversations.count(),
        ),
    }


def portfolio_item_choices(*, user, limit: int = 300) -> list:
    """The user's pieces a feedback ask may point at (newest first, bounded)."""
    return list(PortfolioItem.objects.filter(owner=user).order_by("-created_at", "-id")[:limit])
