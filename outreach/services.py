"""The pipeline and follow-ups: every change of stage or follow-up status happens here.

The pipeline is declared once, in outreach.pipeline (MOVES); `conversation_transition`
applies it, running each move's effect (EFFECTS below) in one transaction with the move.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.dates import require_supported_range
from accounts.errors import ApplicationError
from accounts.localtime import resolve_due_at
from accounts.models import profile_setting
from accounts.services import model_update
from contacts.models import Contact
from contacts.services import contact_touch

from . import reminders
from .models import (
    Conversation,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Stage,
    StageChange,
    Touch,
    render_placeholders,
)
from .pipeline import MOVE_INTO, REPLY_STAGES, TRANSITIONS, legal_next_stages
from .selectors import nudges_this_round

# --- the pipeline: one declaration of every move -----------------------------------------


# The effects of the moves declared in outreach.pipeline.MOVES. They skip the lock and the
# legality check, so only conversation_transition calls them (through EFFECTS).


def _enter_stage(conversation: Conversation, to_stage: str, at: datetime, extra_fields: tuple[str, ...] = ()) -> None:
    StageChange.objects.create(
        owner_id=conversation.owner_id,
        conversation=conversation,
        from_stage=conversation.stage,
        stage=to_stage,
        at=at,
    )
    conversation.stage = to_stage
    conversation.full_clean()
    conversation.save(update_fields=["stage", *extra_fields, "updated_at"])


def _request(*, conversation: Conversation, to_stage: str, at: datetime) -> None:
    """The ask went out: sets `requested_at` and opens a nudge follow-up due `nudge_after_days` later."""
    conversation.requested_at = at
    _enter_stage(conversation, to_stage, at, ("requested_at",))
    _open_next_nudge(conversation, after=at)


def _schedule(*, conversation: Conversation, to_stage: str, at: datetime, scheduled_for: datetime) -> None:
    """The chat has a time, or a new one: open nudges cancelled; chat_prep and chat_soon reminders (re)planned."""
    if timezone.is_naive(scheduled_for):
        raise ValidationError({"scheduled_for": "Give scheduled_for with a UTC offset or time zone."})
    require_supported_range(scheduled_for, "scheduled_for")
    rescheduled = conversation.scheduled_for is not None and conversation.scheduled_for != scheduled_for
    conversation.scheduled_for = scheduled_for
    if rescheduled:
        conversation.calendar_sequence += 1
    _enter_stage(conversation, to_stage, at, ("scheduled_for", "calendar_sequence"))
    for nudge in conversation.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN):
        _follow_up_close(nudge, FollowUp.Status.CANCELLED, at)
    reminders.plan_chat_reminders(conversation)


def _hold(*, conversation: Conversation, to_stage: str, at: datetime, held_at: datetime | None = None) -> None:
    """The chat happened: sets `held_at`, opens a thank-you follow-up due 24 h later, counts as a touch.

    Before the chat's scheduled time it needs `held_at` (not in the future): when it really
    happened, which becomes the chat's time everywhere (history, thank-you, last contact).
    """
    held_at = _held_at(conversation, at, held_at)
    conversation.held_at = held_at
    _enter_stage(conversation, to_stage, held_at, ("held_at",))
    reminders.cancel_conversation_reminders(conversation, reason="The chat was held.")
    follow_up_create(
        owner=conversation.owner,
        contact=conversation.contact,
        conversation=conversation,
        kind=FollowUp.Kind.THANK_YOU,
        title=f"Thank {conversation.contact.full_name}",
        due_at=held_at + timedelta(hours=24),
    )
    record_touch(contact=conversation.contact, at=held_at)


def held_at_needed(conversation: Conversation, at: datetime | None = None) -> bool:
    """A chat marked held before its scheduled time must say when it really happened (held_at)."""
    at = at or timezone.now()
    return bool(conversation.scheduled_for and at < conversation.scheduled_for)


def _held_at(conversation: Conversation, at: datetime, held_at: datetime | None) -> datetime:
    """When the chat happened: `held_at`, else the move's time `at`; never in the future."""
    if held_at is None:
        if held_at_needed(conversation, at):
            raise ValidationError(
                {
                    "held_at": "This chat is scheduled for a later time. Say when it really happened (held_at), "
                    "or reschedule it."
                }
            )
        # The move's time is the chat's time then, so the same rule holds for it (a future
        # `at` would record the chat, and the last contact, as having happened ahead of now).
        if at > timezone.now():
            raise ValidationError({"at": "A chat is marked held once it happened: `at` cannot be in the future."})
        return at
    if timezone.is_naive(held_at):
        raise ValidationError({"held_at": "Give held_at with a UTC offset or time zone."})
    require_supported_range(held_at, "held_at")
    if held_at > timezone.now():
        raise ValidationError({"held_at": "held_at cannot be in the future: mark the chat held once it happened."})
    return held_at


def _thank(*, conversation: Conversation, to_stage: str, at: datetime) -> None:
    """The thank-you is done: completes its follow-up; opens a reconnect follow-up if the contact has a cadence."""
    _enter_stage(conversation, to_stage, at)
    for thank_you in conversation.follow_ups.filter(kind=FollowUp.Kind.THANK_YOU, status=FollowUp.Status.OPEN):
        _follow_up_close(thank_you, FollowUp.Status.DONE, at)
    record_touch(contact=conversation.contact, at=at, open_reconnect=True)


def _close(*, conversation: Conversation, to_stage: str, at: datetime) -> None:
    """Nothing more is owed on this ask: its open follow-ups and pending reminders are cancelled."""
    if conversation.scheduled_for is not None:
        conversation.calendar_sequence += 1  # a calendar that has the chat marks it cancelled
    _enter_stage(conversation, to_stage, at, ("calendar_sequence",))
    for follow_up in conversation.follow_ups.filter(status=FollowUp.Status.OPEN):
        _follow_up_close(follow_up, FollowUp.Status.CANCELLED, at)
    reminders.cancel_conversation_reminders(conversation, reason=f"The conversation was {to_stage}.")


EFFECTS = {"request": _request, "schedule": _schedule, "hold": _hold, "thank": _thank, "close": _close}


class IllegalTransition(ApplicationError):
    """A move the table does not allow; it names the current stage and the legal next ones."""

    def __init__(self, current: str, requested: str):
        self.current = current
        self.requested = requested
        self.allowed = list(TRANSITIONS.get(current, ()))
        allowed = ", ".join(self.allowed) if self.allowed else "none (this stage is final)"
        super().__init__(
            f"Cannot move from '{current}' to '{requested}'. Legal next stages from '{current}': {allowed}.",
            extra={"current_stage": current, "requested_stage": requested, "allowed_stages": self.allowed},
        )


# --- conversations -----------------------------------------------------------------------

CONVERSATION_FIELDS = (
    "contact",
    "kind",
    "channel",
    "template",
    "portfolio_item",
    "duration_minutes",
    "location",
    "agenda",
    "outcome",
)


@transaction.atomic
def conversation_create(*, owner, contact: Contact, kind: str, at: datetime | None = None, **fields) -> Conversation:
    """A new ask of one contact; it starts `planned`."""
    conversation = Conversation(owner=owner, contact=contact, kind=kind, stage=Stage.PLANNED, **fields)
    conversation.full_clean()
    conversation.save()
    StageChange.objects.create(
        owner=owner, conversation=conversation, from_stage="", stage=Stage.PLANNED, at=at or timezone.now()
    )
    return conversation


@transaction.atomic
def conversation_update(*, conversation: Conversation, **fields) -> Conversation:
    """Edit the descriptive fields; `stage` and its timestamps only move through transitions."""
    new_contact = fields.get("contact")
    if new_contact is not None and new_contact.pk != conversation.contact_id and _conversation_under_way(conversation):
        # Its follow-ups, notes and touches are with the first contact: moving the ask alone
        # would leave a nudge for one person on a conversation with another.
        raise ValidationError(
            {
                "contact": (
                    f"This conversation is already under way with {conversation.contact.full_name}: its "
                    "history, follow-ups and notes are with them, so it keeps that contact. "
                    "Start a new conversation with the other contact instead."
                )
            }
        )
    changed = model_update(instance=conversation, fields=CONVERSATION_FIELDS, data=fields)
    if changed & set(Conversation.CALENDAR_FIELDS):
        Conversation.objects.filter(pk=conversation.pk).update(calendar_sequence=F("calendar_sequence") + 1)
        conversation.refresh_from_db(fields=["calendar_sequence"])
    if "duration_minutes" in changed and conversation.stage == Stage.SCHEDULED:
        reminders.plan_chat_reminders(conversation)
    return conversation


def _conversation_under_way(conversation: Conversation) -> bool:
    """Past `planned`, or with follow-ups or notes of its own (notes live in crm: reached by relation)."""
    return conversation.stage != Stage.PLANNED or conversation.follow_ups.exists() or conversation.notes.exists()


@transaction.atomic
def conversation_transition(
    *,
    conversation: Conversation,
    to_stage: str,
    at: datetime | None = None,
    scheduled_for: datetime | None = None,
    held_at: datetime | None = None,
) -> Conversation:
    """Move a conversation to `to_stage` if MOVES allows it, with that move's effect.

    Raises IllegalTransition (nothing changed) for any move not in the table, and a
    ValidationError when a field the move requires (`scheduled_for`) is missing.
    """
    # Lock the row so two simultaneous moves cannot both start from the same stage.
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("contact").get(pk=conversation.pk)
    if to_stage not in legal_next_stages(locked.stage):
        raise IllegalTransition(locked.stage, to_stage)
    at = at or timezone.now()
    require_supported_range(at, "at")
    move = MOVE_INTO[to_stage]
    given = {"scheduled_for": scheduled_for, "held_at": held_at}
    missing = {name: message for name, message in move.requires.items() if given.get(name) is None}
    if missing:
        raise ValidationError(missing)
    fields = {name: given[name] for name in (*move.requires, *move.accepts)}
    if move.answer and locked.stage in REPLY_STAGES and not locked.answered:
        # Scheduling or a "no" is their answer: the reply is a fact whichever way it was recorded.
        locked.replied_at = at
        locked.save(update_fields=["replied_at"])
    EFFECTS[move.effect](conversation=locked, to_stage=to_stage, at=at, **fields)
    # Hand the caller's instance the new state.
    conversation.refresh_from_db()
    return conversation


@transaction.atomic
def conversation_reply(*, conversation: Conversation, at: datetime | None = None) -> Conversation:
    """The contact answered the request: records `replied_at` (the earliest reply counts), closes
    the open nudge with its reminder so that no more nudges are planned, and counts as a touch.

    The stage does not move: the user schedules the chat or marks it declined. Only a request
    (REPLY_STAGES) can be replied to (ApplicationError CONFLICT otherwise); `at` (default now)
    is neither in the future nor before the request (ValidationError). Recording the same
    reply twice changes nothing.
    """
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("contact").get(pk=conversation.pk)
    if locked.stage not in REPLY_STAGES:
        raise ApplicationError(
            f"This conversation is {Stage(locked.stage).label.lower()}: only a request waiting for an answer "
            f"({', '.join(REPLY_STAGES)}) can be marked replied.",
            field="stage",
            code=ApplicationError.CONFLICT,
        )
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        raise ValidationError({"at": "Give `at` with a UTC offset or time zone."})
    require_supported_range(at, "at")
    if at > now:
        raise ValidationError({"at": "A reply is recorded once it arrived: `at` cannot be in the future."})
    if locked.requested_at is not None and at < locked.requested_at:
        raise ValidationError({"at": "The reply cannot come before the request was sent."})
    if not locked.answered or at < locked.replied_at:
        locked.replied_at = at
        locked.save(update_fields=["replied_at", "updated_at"])
    for nudge in locked.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN):
        _follow_up_close(nudge, FollowUp.Status.CANCELLED, now)
    record_touch(contact=locked.contact, at=at)
    conversation.refresh_from_db()
    return conversation


def _open_next_nudge(conversation: Conversation, after: datetime) -> FollowUp | None:
    owner = conversation.owner
    if conversation.answered:
        return None  # they answered: nothing to nudge about
    if nudges_this_round(conversation).count() >= profile_setting(owner, "max_nudges"):
        return None
    days = profile_setting(owner, "nudge_after_days")
    return follow_up_create(
        owner=owner,
        contact=conversation.contact,
        conversation=conversation,
        kind=FollowUp.Kind.NUDGE,
        title=f"Nudge {conversation.contact.full_name} about your {conversation.get_kind_display().lower()}",
        due_at=after + timedelta(days=days),
    )


# --- staying in touch --------------------------------------------------------------------


def record_touch(*, contact: Contact, at: datetime, open_reconnect: bool = False) -> None:
    """Any touch resets the reconnect clock: move the open reconnect follow-up, or open one."""
    contact_touch(contact=contact, at=at)
    due_at = contact.reconnect_due()
    if due_at is None:
        return
    open_reconnects = list(contact.follow_ups.filter(kind=FollowUp.Kind.RECONNECT, status=FollowUp.Status.OPEN))
    for follow_up in open_reconnects:
        if follow_up.due_at != due_at:
            _follow_up_set_due(follow_up, due_at)
    if open_reconnect and not open_reconnects:
        follow_up_create(
            owner=contact.owner,
            contact=contact,
            kind=FollowUp.Kind.RECONNECT,
            title=f"Reconnect with {contact.full_name}",
            due_at=due_at,
        )


@transaction.atomic
def touch_create(
    *, owner, contacts: list[Contact], at: datetime, channel: str, summary: str = "", external_key: str = ""
) -> Touch:
    """A touch outside any ask, with one or several contacts: each one's last contact moves
    to `at` (never back) and so does their open reconnect follow-up."""
    if not contacts:
        raise ValidationError({"contacts": "Name at least one contact."})
    if any(contact.owner_id != owner.pk for contact in contacts):
        raise ValidationError({"contacts": "Not found."})
    require_supported_range(at, "at")
    touch = Touch(owner=owner, at=at, channel=channel, summary=summary, external_key=external_key)
    touch.full_clean()
    touch.save()
    touch.contacts.set(contacts)
    for contact in contacts:
        record_touch(contact=contact, at=at)
    return touch


def reconnect_follow_up_sync(*, contact: Contact) -> None:
    """The cadence changed or the contact was archived: the open reconnect follow-up follows.

    A new cadence moves it to last contact + the new number of days; no cadence, or an
    archived contact, closes it (with its reminder).
    """
    due_at = None if contact.archived else contact.reconnect_due()
    open_reconnects = contact.follow_ups.filter(kind=FollowUp.Kind.RECONNECT, status=FollowUp.Status.OPEN)
    for follow_up in open_reconnects:
        if due_at is None:
            _follow_up_close(follow_up, FollowUp.Status.CANCELLED, timezone.now())
        elif follow_up.due_at != due_at:
            _follow_up_set_due(follow_up, due_at)


# --- follow-ups --------------------------------------------------------------------------

FOLLOW_UP_FIELDS = ("contact", "conversation", "kind", "title", "due_at")


@transaction.atomic
def follow_up_create(
    *,
    owner,
    contact: Contact,
    kind: str,
    title: str,
    due_at: date | datetime,
    conversation: Conversation | None = None,
) -> FollowUp:
    """Something the user owes; a date alone is due at their digest hour that day."""
    follow_up = FollowUp(
        owner=owner,
        contact=contact,
        conversation=conversation,
        kind=kind,
        title=title,
        due_at=resolve_due_at(owner, due_at),
    )
    follow_up.full_clean()
    follow_up.save()
    reminders.plan_follow_up_reminder(follow_up)
    return follow_up


@transaction.atomic
def follow_up_update(*, follow_up: FollowUp, **fields) -> FollowUp:
    """Edit what is owed and when; an open follow-up's reminder follows its new due time."""
    if "due_at" in fields:
        fields["due_at"] = resolve_due_at(follow_up.owner, fields["due_at"])
    changed = model_update(instance=follow_up, fields=FOLLOW_UP_FIELDS, data=fields)
    if changed and follow_up.status == FollowUp.Status.OPEN:
        reminders.plan_follow_up_reminder(follow_up)
    return follow_up


def _require_open(follow_up: FollowUp) -> FollowUp:
    locked = (
        FollowUp.objects.select_for_update(of=("self",)).select_related("contact", "conversation").get(pk=follow_up.pk)
    )
    if locked.status != FollowUp.Status.OPEN:
        raise ApplicationError(f"This follow-up is already {locked.status}.")
    return locked


def _follow_up_close(follow_up: FollowUp, status: str, at: datetime) -> None:
    follow_up.status = status
    follow_up.completed_at = at if status == FollowUp.Status.DONE else None
    follow_up.save(update_fields=["status", "completed_at"])
    reminders.cancel_follow_up_reminders(follow_up, reason=f"The follow-up is {status}.")


def _follow_up_set_due(follow_up: FollowUp, due_at: datetime) -> None:
    follow_up.due_at = due_at
    follow_up.save(update_fields=["due_at"])
    reminders.plan_follow_up_reminder(follow_up)


@transaction.atomic
def follow_up_complete(*, follow_up: FollowUp, at: datetime | None = None) -> FollowUp:
    """The user did it. A nudge opens the next nudge; a thank-you thanks the conversation;
    a nudge, thank-you or reconnect counts as a touch."""
    at = at or timezone.now()
    follow_up = _require_open(follow_up)
    conversation = follow_up.conversation
    if follow_up.kind == FollowUp.Kind.THANK_YOU and conversation is not None and conversation.stage == Stage.HELD:
        conversation_transition(conversation=conversation, to_stage=Stage.THANKED, at=at)
        follow_up.refresh_from_db()
        return follow_up
    _follow_up_close(follow_up, FollowUp.Status.DONE, at)
    if follow_up.kind in (FollowUp.Kind.NUDGE, FollowUp.Kind.THANK_YOU, FollowUp.Kind.RECONNECT):
        record_touch(contact=follow_up.contact, at=at, open_reconnect=follow_up.kind == FollowUp.Kind.RECONNECT)
    if follow_up.kind == FollowUp.Kind.NUDGE and conversation is not None and conversation.stage == Stage.REQUESTED:
        _open_next_nudge(conversation, after=at)
    return follow_up


@transaction.atomic
def follow_up_snooze(*, follow_up: FollowUp, due_at: date | datetime) -> FollowUp:
    """Push an open follow-up to a new time; its reminder moves with it."""
    follow_up = _require_open(follow_up)
    new_due = resolve_due_at(follow_up.owner, due_at)
    if new_due <= timezone.now():
        raise ValidationError({"due_at": "Snooze to a time in the future."})
    _follow_up_set_due(follow_up, new_due)
    return follow_up


@transaction.atomic
def follow_up_cancel(*, follow_up: FollowUp, at: datetime | None = None) -> FollowUp:
    follow_up = _require_open(follow_up)
    _follow_up_close(follow_up, FollowUp.Status.CANCELLED, at or timezone.now())
    return follow_up


# --- templates ---------------------------------------------------------------------------


def template_create(*, owner, **fields) -> MessageTemplate:
    template = MessageTemplate(owner=owner, **fields)
    template.full_clean()
    template.save()
    return template


TEMPLATE_FIELDS = ("name", "kind", "subject", "body")


def template_update(*, template: MessageTemplate, **fields) -> MessageTemplate:
    model_update(instance=template, fields=TEMPLATE_FIELDS, data=fields)
    return template


def template_delete(*, template: MessageTemplate) -> None:
    """Conversations that used it keep their history; they just no longer point at it."""
    template.delete()


def template_render(*, template: MessageTemplate, contact: Contact) -> dict[str, str]:
    """The template's subject and body for this contact, by plain substitution."""
    owner = template.owner
    values = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": contact.company.name if contact.company else "",
        "title": contact.title,
        "how_we_met": contact.how_we_met,
        "my_name": owner.get_full_name() or owner.get_username(),
    }
    return {
        "subject": render_placeholders(template.subject, values),
        "body": render_placeholders(template.body, values),
    }


# --- portfolio ---------------------------------------------------------------------------


PORTFOLIO_ITEM_FIELDS = ("title", "kind", "url", "summary", "status")


def portfolio_item_create(*, owner, **fields) -> PortfolioItem:
    """A piece of PM work the user can ask feedback on."""
    item = PortfolioItem(owner=owner, **fields)
    item.full_clean()
    item.save()
    return item


def portfolio_item_update(*, item: PortfolioItem, **fields) -> PortfolioItem:
    model_update(instance=item, fields=PORTFOLIO_ITEM_FIELDS, data=fields)
    return item


# --- starting a request ------------------------------------------------------------------


@transaction.atomic
def conversation_start_request(
    *,
    owner,
    contact: Contact,
    kind: str = "",
    template: MessageTemplate | None = None,
    channel: str = Conversation.Channel.LINKEDIN,
    at: datetime | None = None,
    **fields,
) -> Conversation:
    """An ask that has just gone out: a new conversation, moved to `requested` at once (so its
    first nudge is planned), in one transaction — a refused move leaves no planned row behind.

    Without a `kind`, the template's kind names it when the template opens a conversation;
    otherwise (a thank-you, nudge or reconnect template, or none) it is a coffee chat.
    """
    if not kind:
        template_kind = template.kind if template is not None else ""
        kind = template_kind if template_kind in Conversation.Kind.values else Conversation.Kind.COFFEE_CHAT
    conversation = conversation_create(
        owner=owner, contact=contact, kind=kind, channel=channel, template=template, at=at, **fields
    )
    return conversation_transition(conversation=conversation, to_stage=Stage.REQUESTED, at=at)
