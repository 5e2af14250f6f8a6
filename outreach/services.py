"""The pipeline and follow-ups: every change of stage or follow-up status happens here.

The pipeline is declared once, in outreach.pipeline (MOVES); `conversation_transition`
applies it, running each move's effect (EFFECTS below) in one transaction with the move.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.dates import require_supported_range
from accounts.errors import ApplicationError
from accounts.localtime import (
    business_days_between,
    business_days_later_at_digest_hour,
    days_later_at_digest_hour,
    resolve_due_at,
    user_tz,
    workdays,
)
from accounts.models import Routine, profile_setting
from accounts.services import model_update
from contacts.models import Company, Contact, Responsiveness
from contacts.services import contact_last_contact_set, contact_m2m_move, contact_touch

from . import reminders
from .checks import outreach_check
from .models import (
    AGENDA_BULLET,
    Conversation,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Question,
    Stage,
    StageChange,
    Touch,
    agenda_items,
    render_placeholders,
)
from .pipeline import FINAL_STAGES, MOVE_INTO, REPLY_STAGES, TRANSITIONS, legal_next_stages
from .selectors import (
    THREE_B_SEVEN_NUDGE_DAYS,
    TOUCHING_FOLLOW_UPS,
    last_contact_on_record,
    max_nudges_for,
    nudges_this_round,
    nudges_this_round_of,
    open_asks,
)

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


def _request(
    *,
    conversation: Conversation,
    to_stage: str,
    at: datetime,
    message_subject: str | None = None,
    message_body: str | None = None,
    message_sent_at: datetime | None = None,
) -> None:
    """The ask went out: sets `requested_at`, keeps the message sent (`message_subject`,
    `message_body`, `message_sent_at`, by default the move's time when a body is given) and
    opens a nudge follow-up due `nudge_after_days` later."""
    conversation.requested_at = at
    message_fields = _set_message(conversation, message_subject, message_body, message_sent_at, default_sent_at=at)
    _enter_stage(conversation, to_stage, at, ("requested_at", *message_fields))
    _open_next_nudge(conversation, after=at)


MESSAGE_FIELDS = ("message_subject", "message_body", "message_sent_at")


def _require_aware(moment: datetime, field: str) -> None:
    if timezone.is_naive(moment):
        raise ValidationError({field: f"Give {field} with a UTC offset or time zone."})
    require_supported_range(moment, field)


def _set_message(
    conversation: Conversation,
    subject: str | None,
    body: str | None,
    sent_at: datetime | None,
    *,
    default_sent_at: datetime | None = None,
) -> tuple[str, ...]:
    """Put what was sent on the conversation (unsaved); returns the fields it set. `None`
    leaves a field as it is; a body without a time was sent at `default_sent_at`."""
    if sent_at is not None:
        _require_aware(sent_at, "message_sent_at")
    elif body and default_sent_at is not None:
        sent_at = default_sent_at
    given = dict(zip(MESSAGE_FIELDS, (subject, body, sent_at)))
    changed = tuple(name for name, value in given.items() if value is not None)
    for name in changed:
        setattr(conversation, name, given[name])
    return changed


def _schedule(*, conversation: Conversation, to_stage: str, at: datetime, scheduled_for: datetime) -> None:
    """The chat has a time, or a new one: open nudges cancelled; chat_prep and chat_soon reminders (re)planned."""
    if timezone.is_naive(scheduled_for):
        raise ValidationError({"scheduled_for": "Give scheduled_for with a UTC offset or time zone."})
    require_supported_range(scheduled_for, "scheduled_for")
    if conversation.stage == Stage.SCHEDULED and conversation.scheduled_for == scheduled_for:
        # Rescheduling to the same time changes nothing: no history row, no SEQUENCE bump
        # (calendars would show an update), no re-planned reminders.
        return
    if scheduled_for < at:
        raise ValidationError(
            {
                "scheduled_for": "That time has already passed (it is before the time of this move). Pick a "
                "later time; a chat that already happened is logged as held instead."
            }
        )
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
    *MESSAGE_FIELDS,
)


class DuplicateAsk(ApplicationError):
    """The contact already has an open ask of this kind; it names that one."""

    def __init__(self, existing: Conversation):
        self.existing = existing
        super().__init__(
            f"{existing.contact.full_name} already has an open {existing.get_kind_display().lower()} ask "
            f"({existing.get_stage_display().lower()}, #{existing.pk}). Move that one along, or create "
            "another anyway (allow_duplicate).",
            field="contact",
            code=ApplicationError.CONFLICT,
            extra={
                "open_conversation": {"id": existing.pk, "stage": existing.stage, "kind": existing.kind},
            },
        )


@transaction.atomic
def conversation_create(
    *,
    owner,
    contact: Contact,
    kind: str,
    at: datetime | None = None,
    allow_duplicate: bool = False,
    **fields,
) -> Conversation:
    """A new ask of one contact; it starts `planned`.

    A contact has one open ask (planned, requested or scheduled) of each kind: another one is
    refused with DuplicateAsk (a 409 naming the open one) unless `allow_duplicate`.
    """
    if not allow_duplicate and contact.owner_id == owner.pk:
        # Lock the contact so two simultaneous creations cannot both find no open ask.
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
        existing = open_asks(user=owner, kind=kind, contact_ids=[contact.pk]).select_related("contact").first()
        if existing is not None:
            raise DuplicateAsk(existing)
    if fields.get("message_sent_at") is not None:
        _require_aware(fields["message_sent_at"], "message_sent_at")
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


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> None:
    """Delete a mistaken conversation with its history: stage changes, follow-ups and every
    reminder (pending ones included) go with it, so no e-mail is ever sent for it. Notes about
    it stay on the contact, no longer linked to it.

    The row is locked first, like a move: a transition running at the same moment finishes
    before, or finds the conversation gone. A reminder being sent at this very moment holds its
    own row's lock, so the delete waits for that send to finish (it was already due and out)."""
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("contact").get(pk=conversation.pk)
    # The reminders rows go in the same cascade (Reminder.conversation and .follow_up cascade):
    # a sweep or a send task that comes later finds no row, and sends nothing.
    locked.delete()
    # The contact's label came from their asks: without this one it may be another (issue #14).
    contact_responsiveness_refresh(contact=locked.contact)


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
    message_subject: str | None = None,
    message_body: str | None = None,
    message_sent_at: datetime | None = None,
) -> Conversation:
    """Move a conversation to `to_stage` if MOVES allows it, with that move's effect.

    Raises IllegalTransition (nothing changed) for any move not in the table, and a
    ValidationError when a field the move requires (`scheduled_for`) is missing or a
    message field is given to a move that does not take it (only `requested` does).
    """
    # Lock the row so two simultaneous moves cannot both start from the same stage.
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("contact").get(pk=conversation.pk)
    if to_stage not in legal_next_stages(locked.stage):
        raise IllegalTransition(locked.stage, to_stage)
    at = at or timezone.now()
    require_supported_range(at, "at")
    move = MOVE_INTO[to_stage]
    given = {
        "scheduled_for": scheduled_for,
        "held_at": held_at,
        "message_subject": message_subject,
        "message_body": message_body,
        "message_sent_at": message_sent_at,
    }
    missing = {name: message for name, message in move.requires.items() if given.get(name) is None}
    if missing:
        raise ValidationError(missing)
    unexpected = {
        name: f"Only a move to requested records the message sent, not a move to {to_stage}."
        for name in MESSAGE_FIELDS
        if given[name] is not None and name not in move.accepts
    }
    if unexpected:
        raise ValidationError(unexpected)
    fields = {name: given[name] for name in (*move.requires, *move.accepts)}
    if move.answer and locked.stage in REPLY_STAGES and not locked.answered:
        # Scheduling or a "no" is their answer: the reply is a fact whichever way it was recorded.
        locked.replied_at = at
        locked.save(update_fields=["replied_at"])
    EFFECTS[move.effect](conversation=locked, to_stage=to_stage, at=at, **fields)
    if to_stage in RESPONSIVENESS_STAGES:
        contact_responsiveness_refresh(contact=locked.contact)
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
    contact_responsiveness_refresh(contact=locked.contact)
    conversation.refresh_from_db()
    return conversation


# --- responsiveness (issue #14) ------------------------------------------------------------

# A reply within this many business days of the request (by the user's workweek) makes a booster.
BOOSTER_BUSINESS_DAYS = 3
# The moves after which a contact's label may change: an answer (scheduled, declined), or giving up.
RESPONSIVENESS_STAGES = (Stage.SCHEDULED, Stage.DECLINED, Stage.NO_RESPONSE)


def responsiveness_label(
    *, stage: str, requested_at, replied_at, given_up_at, nudged: bool, tz, days
) -> tuple[datetime, str] | None:
    """What one ask says about its contact, and when it said it (None: nothing yet).

    Declined → curmudgeon. A reply (replied_at, also set by a move to scheduled) on the
    request's business day or within BOOSTER_BUSINESS_DAYS business days after it → booster,
    later → obligate (local dates on the user's clock, counted by their workweek). Moved to
    no_response after at least one nudge was done → curmudgeon. A chat logged after the fact
    (requested and answered at the same instant, conversation_log_held) says nothing about replying.
    """
    if stage == Stage.DECLINED:
        return (replied_at or given_up_at or requested_at), Responsiveness.CURMUDGEON
    answered = replied_at is not None and (requested_at is None or replied_at >= requested_at)
    if answered:
        if requested_at is None or replied_at == requested_at:
            return None
        waited = business_days_between(requested_at.astimezone(tz).date(), replied_at.astimezone(tz).date(), days)
        return replied_at, (Responsiveness.BOOSTER if waited <= BOOSTER_BUSINESS_DAYS else Responsiveness.OBLIGATE)
    if stage == Stage.NO_RESPONSE and nudged and given_up_at is not None:
        return given_up_at, Responsiveness.CURMUDGEON
    return None


def contact_responsiveness_refresh(*, contact: Contact) -> str | None:
    """Label the contact booster, obligate or curmudgeon from their most recent ask that was
    answered or given up (see responsiveness_label); null while none is. Two queries; the
    one place that writes Contact.responsiveness (outside the backfill migration)."""
    owner = contact.owner
    given_up = (
        StageChange.objects.filter(conversation=OuterRef("pk"), stage=Stage.NO_RESPONSE)
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    nudged = FollowUp.objects.filter(conversation=OuterRef("pk"), kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.DONE)
    rows = (
        Conversation.objects.filter(owner_id=contact.owner_id, contact_id=contact.pk)
        .filter(Q(replied_at__isnull=False) | Q(stage__in=(Stage.DECLINED, Stage.NO_RESPONSE)))
        .annotate(given_up_at=Subquery(given_up), nudged=Exists(nudged))
        .values_list("stage", "requested_at", "replied_at", "given_up_at", "nudged")
    )
    tz, days = user_tz(owner), workdays(owner)
    labels = []
    for stage, requested_at, replied_at, given_up_at, was_nudged in rows:
        label = responsiveness_label(
            stage=stage,
            requested_at=requested_at,
            replied_at=replied_at,
            given_up_at=given_up_at,
            nudged=was_nudged,
            tz=tz,
            days=days,
        )
        if label is not None:
            labels.append(label)
    value = max(labels, key=lambda pair: pair[0])[1] if labels else None
    if contact.responsiveness != value:
        Contact.objects.filter(pk=contact.pk).update(responsiveness=value)
        contact.responsiveness = value
    return value


def nudge_due_at(owner, *, requested_at: datetime, after: datetime) -> datetime:
    """When the next nudge of a request falls due, by the user's routine: `nudge_after_days`
    calendar days after `after` (the request, or the nudge just done), or under 3B7 the 7th
    business day after the request's local date; at the digest hour either way."""
    if profile_setting(owner, "routine") == Routine.THREE_B_SEVEN:
        return business_days_later_at_digest_hour(owner, requested_at, THREE_B_SEVEN_NUDGE_DAYS)
    return days_later_at_digest_hour(owner, after, profile_setting(owner, "nudge_after_days"))


@transaction.atomic
def nudges_replan(*, user) -> dict[str, int]:
    """The routine or the workweek changed: open nudges of waiting requests follow the new rule,
    in bulk (a fixed number of queries however many are open).

    Under 3B7 the first nudge of a round moves to the 7th business day after the request and
    any later one is cancelled (3B7 follows up once); under the calendar routine a first nudge
    moves back to `nudge_after_days` after the request, and a later one keeps its date (it
    counts from the nudge before it). Reminders: the moved ones' pending e-mails are withdrawn
    here; reminders.profile_changed then arms the new times.
    """
    done_this_round = (
        nudges_this_round_of(OuterRef("conversation_id"))
        .filter(status=FollowUp.Status.DONE)
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        FollowUp.objects.filter(
            owner=user,
            kind=FollowUp.Kind.NUDGE,
            status=FollowUp.Status.OPEN,
            conversation__stage=Stage.REQUESTED,
            conversation__requested_at__isnull=False,
        )
        .annotate(done_before=Subquery(done_this_round))
        .select_related("conversation")
    )
    three_b_seven = profile_setting(user, "routine") == Routine.THREE_B_SEVEN
    moved, cancelled = [], []
    for nudge in rows:
        requested_at = nudge.conversation.requested_at
        if nudge.done_before:
            if three_b_seven:
                cancelled.append(nudge.pk)
            continue
        due_at = nudge_due_at(user, requested_at=requested_at, after=requested_at)
        if due_at != nudge.due_at:
            nudge.due_at = due_at
            moved.append(nudge)
    FollowUp.objects.bulk_update(moved, ["due_at"], batch_size=500)
    FollowUp.objects.filter(pk__in=cancelled).update(status=FollowUp.Status.CANCELLED, completed_at=None)
    reminders.cancel_follow_ups_reminders([n.pk for n in moved], "The routine changed.")
    reminders.cancel_follow_ups_reminders(cancelled, "3B7 follows up once.")
    return {"moved": len(moved), "cancelled": len(cancelled)}


def _open_next_nudge(conversation: Conversation, after: datetime) -> FollowUp | None:
    owner = conversation.owner
    if conversation.answered:
        return None  # they answered: nothing to nudge about
    if nudges_this_round(conversation).count() >= max_nudges_for(owner):
        return None
    due_at = nudge_due_at(owner, requested_at=conversation.requested_at or after, after=after)
    return follow_up_create(
        owner=owner,
        contact=conversation.contact,
        conversation=conversation,
        kind=FollowUp.Kind.NUDGE,
        title=f"Nudge {conversation.contact.full_name} about your {conversation.get_kind_display().lower()}",
        # On that day at the digest hour, like any date-only due date (SPEC: Additions).
        due_at=due_at,
    )


# --- staying in touch --------------------------------------------------------------------


def record_touch(*, contact: Contact, at: datetime, open_reconnect: bool = False) -> None:
    """Any touch resets the reconnect clock: move the open reconnect follow-up, or open one."""
    contact_touch(contact=contact, at=at)
    due_at = contact.reconnect_due()
    if due_at is None:
        return
    open_reconnects = _open_reconnects_move(contact, due_at)
    if open_reconnect and not open_reconnects:
        follow_up_create(
            owner=contact.owner,
            contact=contact,
            kind=FollowUp.Kind.RECONNECT,
            title=f"Reconnect with {contact.full_name}",
            due_at=due_at,
        )


# An event with a crowd is still a handful of people to stay in touch with; past this, one
# request would rewrite hundreds of contacts' dates (and one query each).
TOUCH_MAX_CONTACTS = 100
# A touch is something that happened; a little slack for a phone whose clock runs ahead.
TOUCH_FUTURE_SLACK = timedelta(minutes=5)


def _touch_check(*, owner, contacts: list[Contact], at: datetime) -> list[Contact]:
    """The contacts (each once) and the moment of a touch, checked before anything is written."""
    unique = list({contact.pk: contact for contact in contacts}.values())
    if not unique:
        raise ValidationError({"contacts": "Name at least one contact."})
    if len(unique) > TOUCH_MAX_CONTACTS:
        raise ValidationError({"contacts": f"A touch names at most {TOUCH_MAX_CONTACTS} contacts."})
    if any(contact.owner_id != owner.pk for contact in unique):
        raise ValidationError({"contacts": "Not found."})
    if timezone.is_naive(at):
        raise ValidationError({"at": "Give `at` with a UTC offset or time zone."})
    require_supported_range(at, "at")
    if at > timezone.now() + TOUCH_FUTURE_SLACK:
        raise ValidationError({"at": "A touch is logged once it happened: `at` cannot be in the future."})
    return unique


def _open_reconnects_move(contact: Contact, due_at: datetime) -> list[FollowUp]:
    """The contact's open reconnect follow-ups, moved to `due_at` (their reconnect date)."""
    open_reconnects = list(contact.follow_ups.filter(kind=FollowUp.Kind.RECONNECT, status=FollowUp.Status.OPEN))
    for follow_up in open_reconnects:
        if follow_up.due_at != due_at:
            _follow_up_set_due(follow_up, due_at)
    return open_reconnects


@transaction.atomic
def touch_create(
    *,
    owner,
    contacts: list[Contact],
    at: datetime,
    channel: str = Touch.Channel.OTHER,
    summary: str = "",
    external_key: str = "",
) -> Touch:
    """A touch outside any ask, with one or several contacts: each one's last contact moves
    to `at` (never back) and so does their open reconnect follow-up."""
    contacts = _touch_check(owner=owner, contacts=contacts, at=at)
    touch = Touch(owner=owner, at=at, channel=channel, summary=summary, external_key=external_key)
    touch.full_clean()
    touch.save()
    touch.contacts.set(contacts)
    for contact in contacts:
        record_touch(contact=contact, at=at)
    return touch


TOUCH_FIELDS = ("channel", "at", "summary")


@transaction.atomic
def touch_update(*, touch: Touch, contacts: list[Contact] | None = None, **fields) -> Touch:
    """Edit a touch. Every contact it now names is touched at its `at` (moving their last
    contact and open reconnect follow-up forward, never back). A contact it no longer names,
    or every contact when `at` moved earlier, has their last contact worked out again from
    what remains (_last_contact_recompute), since this touch may have been what set it."""
    before_at = touch.at
    before = {contact.pk: contact for contact in touch.contacts.all()}
    wanted = list(before.values()) if contacts is None else contacts
    wanted = _touch_check(owner=touch.owner, contacts=wanted, at=fields.get("at", touch.at))
    data = dict(fields)
    if contacts is not None:
        data["contacts"] = wanted
    changed = model_update(instance=touch, fields=(*TOUCH_FIELDS, "contacts"), data=data)
    if not changed & {"at", "contacts"}:
        return touch
    kept = {contact.pk for contact in wanted}
    dropped = [contact for pk, contact in before.items() if pk not in kept]
    if touch.at < before_at:
        dropped += [contact for pk, contact in before.items() if pk in kept]
    _last_contact_recompute(contacts=dropped, removed_at=before_at)
    for contact in Contact.objects.filter(pk__in=kept):
        record_touch(contact=contact, at=touch.at)
    return touch


@transaction.atomic
def touch_delete(*, touch: Touch) -> None:
    """Delete a touch. A contact whose last contact was this touch's moment gets it back from
    what remains on record (_last_contact_recompute); a later date set by anything else stays."""
    contacts = list(touch.contacts.all())
    at = touch.at
    touch.delete()
    _last_contact_recompute(contacts=contacts, removed_at=at)


def _last_contact_recompute(*, contacts: list[Contact], removed_at: datetime) -> None:
    """A touch at `removed_at` no longer counts for these contacts. Only a contact whose last
    contact is exactly that moment can owe it to this touch; theirs becomes the latest moment
    still on record (selectors.last_contact_on_record), and their open reconnect follow-up
    follows as record_touch moves it. A contact whose date is later (or earlier: set by an
    import) keeps it."""
    for contact in contacts:
        contact.refresh_from_db(fields=["last_contacted_at", "reconnect_due_at", "reconnect_every_days", "archived"])
        if contact.last_contacted_at != removed_at:
            continue
        contact_last_contact_set(contact=contact, at=last_contact_on_record(contact=contact))
        due_at = contact.reconnect_due()
        if due_at is not None:  # without a cadence, a reconnect the user added keeps its own date
            _open_reconnects_move(contact, due_at)


def touches_of_contact_only_delete(*, contact: Contact) -> int:
    """Before a contact is deleted: touches with them alone go too (a touch with nobody is
    no touch); touches shared with others stay, without them."""
    # Count before filtering by the contact: the filter's join would otherwise limit the count to them.
    sole = Touch.objects.annotate(n=Count("contacts")).filter(owner_id=contact.owner_id, contacts=contact, n=1)
    deleted, _ = Touch.objects.filter(pk__in=list(sole.values_list("pk", flat=True))).delete()
    return deleted


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


def contact_merge_pipeline(*, keep: Contact, other: Contact) -> None:
    """`other` is merging into `keep` (contacts.signals.contact_merging): its conversations,
    follow-ups and touches become `keep`'s. Both asks stay when they share a kind (the one
    open ask rule is for creating). Of the open reconnect follow-ups one stays — `keep`'s own
    if it had one — dated by `keep`'s cadence and latest contact; the rest are cancelled."""
    now = timezone.now()
    own_reconnects = set(
        keep.follow_ups.filter(kind=FollowUp.Kind.RECONNECT, status=FollowUp.Status.OPEN).values_list("pk", flat=True)
    )
    moved = Conversation.objects.filter(contact=other)
    # A calendar that shows a moved chat takes the new contact's name only when SEQUENCE grows.
    moved.filter(scheduled_for__isnull=False).update(calendar_sequence=F("calendar_sequence") + 1)
    moved.update(contact=keep, updated_at=now)
    FollowUp.objects.filter(contact=other).update(contact=keep)
    contact_m2m_move(Touch.contacts.through, "contact_id", "touch_id", keep=keep, other=other)
    open_reconnects = list(
        keep.follow_ups.filter(kind=FollowUp.Kind.RECONNECT, status=FollowUp.Status.OPEN).order_by("due_at", "id")
    )
    if len(open_reconnects) > 1:
        kept = next((f for f in open_reconnects if f.pk in own_reconnects), open_reconnects[0])
        for follow_up in open_reconnects:
            if follow_up.pk != kept.pk:
                _follow_up_close(follow_up, FollowUp.Status.CANCELLED, now)
    reconnect_follow_up_sync(contact=keep)
    contact_responsiveness_refresh(contact=keep)  # their asks now include the other's (issue #14)


@transaction.atomic
def conversation_plan_bulk(*, owner, contacts: list[Contact], kind: str) -> dict:
    """A `planned` ask of `kind` with each of the owner's `contacts`, except those that already
    have an open one of that kind (issue #10: one open ask per contact and kind) and archived
    ones: they are reported in `skipped`, with the reason. Answers
    `{changed, conversations: [new ids], skipped: [{id, name, reason, conversation?}]}`."""
    if kind not in Conversation.Kind.values:
        raise ValidationError({"value": f"Choose one of: {', '.join(Conversation.Kind.values)}."})
    if any(contact.owner_id != owner.pk for contact in contacts):
        raise ValueError("Every contact must be the owner's.")
    label = Conversation.Kind(kind).label.lower()
    existing = {}
    for ask in open_asks(user=owner, kind=kind, contact_ids=[c.pk for c in contacts]).order_by("created_at", "id"):
        existing.setdefault(ask.contact_id, ask)
    created, skipped = [], []
    for contact in contacts:
        ask = existing.get(contact.pk)
        if ask is not None:
            reason = f"already has an open {label} ({ask.stage})"
            skipped.append({"id": contact.pk, "name": contact.full_name, "reason": reason, "conversation": ask.pk})
        elif contact.archived:
            skipped.append({"id": contact.pk, "name": contact.full_name, "reason": "archived"})
        else:
            created.append(conversation_create(owner=owner, contact=contact, kind=kind).pk)
    return {"changed": len(created), "conversations": created, "skipped": skipped}


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
    if follow_up.kind in TOUCHING_FOLLOW_UPS:
        record_touch(contact=follow_up.contact, at=at, open_reconnect=follow_up.kind == FollowUp.Kind.RECONNECT)
    if follow_up.kind == FollowUp.Kind.NUDGE and conversation is not None and conversation.stage == Stage.REQUESTED:
        _open_next_nudge(conversation, after=at)
    return follow_up


@transaction.atomic
def follow_up_snooze(*, follow_up: FollowUp, due_at: date | datetime, earlier_ok: bool = True) -> FollowUp:
    """Push an open follow-up to a new time; its reminder moves with it.

    A date the user chose (the API's `due_at`, the page's date picker) may be earlier than the
    current due date. A preset ("Tomorrow", "Snooze a day") passes `earlier_ok=False`: a
    snooze never brings a follow-up forward unless that date was chosen.
    """
    follow_up = _require_open(follow_up)
    new_due = resolve_due_at(follow_up.owner, due_at)
    if new_due <= timezone.now():
        raise ValidationError({"due_at": "Snooze to a time in the future."})
    if not earlier_ok and new_due < follow_up.due_at:
        raise ValidationError(
            {"due_at": "That is earlier than it is due now; pick the date yourself to bring it forward."}
        )
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


def template_render(*, template: MessageTemplate, contact: Contact, company: Company | None = None) -> dict:
    """The template's subject and body for this contact, by plain substitution, `empty`: the
    placeholders that still render empty (no value and no fallback), for a warning before the
    message is sent, and `checks`: the outreach check's findings (outreach.checks).

    `{company}` is the contact's company, unless `company` names the one the message is about:
    an ask for an intro (issue #14) is about the target company, not the introducer's."""
    owner = template.owner
    company = company or contact.company
    values = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": company.name if company else "",
        "title": contact.title,
        "how_we_met": contact.how_we_met,
        "my_name": owner.get_full_name() or owner.get_username(),
    }
    empty: set[str] = set()
    subject = render_placeholders(template.subject, values, empty)
    body = render_placeholders(template.body, values, empty)
    return {
        "subject": subject,
        "body": body,
        "empty": sorted(empty, key=MessageTemplate.PLACEHOLDERS.index),
        # The outreach check (#14): hints for a first e-mail; none for other kinds of template.
        "checks": [finding.as_dict() for finding in outreach_check(body, kind=template.kind, contact=contact)],
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
    allow_duplicate: bool = False,
    message_subject: str | None = None,
    message_body: str | None = None,
    **fields,
) -> Conversation:
    """An ask that has just gone out: a new conversation, moved to `requested` at once (so its
    first nudge is planned), in one transaction — a refused move leaves no planned row behind.
    The message as sent (edited from the template) is kept on it.

    Without a `kind`, the template's kind names it when the template opens a conversation;
    otherwise (a thank-you, nudge or reconnect template, or none) it is a coffee chat.
    """
    conversation = conversation_create(
        owner=owner,
        contact=contact,
        kind=kind or _kind_of(template),
        channel=channel,
        template=template,
        at=at,
        allow_duplicate=allow_duplicate,
        **fields,
    )
    return conversation_transition(
        conversation=conversation,
        to_stage=Stage.REQUESTED,
        at=at,
        message_subject=message_subject,
        message_body=message_body,
    )


def _kind_of(template: MessageTemplate | None) -> str:
    template_kind = template.kind if template is not None else ""
    return template_kind if template_kind in Conversation.Kind.values else Conversation.Kind.COFFEE_CHAT


@transaction.atomic
def conversation_log_held(
    *,
    owner,
    contact: Contact,
    held_at: datetime,
    kind: str = "",
    template: MessageTemplate | None = None,
    channel: str = Conversation.Channel.VIDEO,
    **fields,
) -> Conversation:
    """A chat that already happened, recorded in one step: created, requested, scheduled and
    held at `held_at` (not in the future), through the moves, so its history, thank-you
    follow-up and last contact are those of any held chat. It opens no ask, so an open ask
    of the same kind does not stop it."""
    if timezone.is_naive(held_at):
        raise ValidationError({"held_at": "Give held_at with a UTC offset or time zone."})
    require_supported_range(held_at, "held_at")
    if held_at > timezone.now():
        raise ValidationError({"held_at": "A chat is logged once it happened: give a time that is not in the future."})
    conversation = conversation_create(
        owner=owner,
        contact=contact,
        kind=kind or _kind_of(template),
        channel=channel,
        template=template,
        at=held_at,
        allow_duplicate=True,
        **fields,
    )
    conversation_transition(conversation=conversation, to_stage=Stage.REQUESTED, at=held_at)
    conversation_transition(conversation=conversation, to_stage=Stage.SCHEDULED, at=held_at, scheduled_for=held_at)
    return conversation_transition(conversation=conversation, to_stage=Stage.HELD, at=held_at, held_at=held_at)


# --- the question bank and "Build agenda" (#14) ---------------------------------------------

QUESTION_FIELDS = ("kind", "category", "text")
AGENDA_MIN, AGENDA_MAX, AGENDA_DEFAULT = 3, 5, 4


def _next_position(*, owner, kind: str) -> int:
    last = Question.objects.filter(owner=owner, kind=kind).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def question_create(*, owner, kind: str, text: str, category: str = "") -> Question:
    """A question at the end of its kind's list."""
    question = Question(
        owner=owner, kind=kind, category=category, text=text, position=_next_position(owner=owner, kind=kind)
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_update(*, question: Question, **fields) -> Question:
    """Edit a question; one moved to another kind goes to the end of that kind's list."""
    if "kind" in fields and fields["kind"] != question.kind:
        question.position = _next_position(owner=question.owner, kind=fields["kind"])
        question.save(update_fields=["position"])
    model_update(instance=question, fields=QUESTION_FIELDS, data=fields)
    return question


def question_delete(*, question: Question) -> None:
    question.delete()


@transaction.atomic
def question_move(*, question: Question, up: bool) -> Question:
    """Swap a question with its neighbour above (or below) in its kind's list; at the top (or
    bottom) nothing changes. Positions are renumbered 0..n-1 first, so ties cannot stall a move."""
    siblings = list(Question.objects.select_for_update().filter(owner=question.owner, kind=question.kind))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    Question.objects.bulk_update(siblings, ["position"])
    question.position = siblings.index(next(q for q in siblings if q.pk == question.pk))
    return question


def _agenda_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def agenda_default_questions(*, conversation: Conversation, count: int = AGENDA_DEFAULT) -> list[Question]:
    """`count` questions of the conversation's kind not yet on its agenda, spread across the
    categories: the first of each category (in the bank's order), then the second of each, ..."""
    present = {_agenda_key(item) for item in agenda_items(conversation.agenda)}
    candidates = [
        q
        for q in Question.objects.filter(owner=conversation.owner, kind=conversation.kind)
        if _agenda_key(q.text) not in present
    ]
    by_category: dict[str, list[Question]] = {}
    for question in candidates:
        by_category.setdefault(question.category.casefold(), []).append(question)
    chosen: list[Question] = []
    depth = 0
    while len(chosen) < count and any(len(group) > depth for group in by_category.values()):
        chosen += [group[depth] for group in by_category.values() if len(group) > depth]
        depth += 1
    chosen = chosen[:count]
    order = {q.pk: i for i, q in enumerate(candidates)}
    return sorted(chosen, key=lambda q: order[q.pk])


@transaction.atomic
def conversation_build_agenda(*, conversation: Conversation, questions: list[Question] | None = None) -> dict:
    """Append 3–5 questions from the bank to the conversation's agenda, as a Markdown list.

    Without `questions`, picks 4 of the conversation's kind spread across categories
    (agenda_default_questions). Given ones must be 3 to 5 of the user's own questions (any kind).
    A question already on the agenda (same text, any case or list marker) is not added twice.
    A conversation in a final stage (thanked, declined, no response, cancelled) is refused:
    there is no chat left to prepare. Returns {"conversation", "added": [texts]}.
    """
    if conversation.stage in FINAL_STAGES:
        raise ApplicationError(
            f"This conversation is {conversation.get_stage_display().lower()}: there is no chat left to prepare.",
            field="questions",
            code=ApplicationError.CONFLICT,
        )
    if questions is None:
        questions = agenda_default_questions(conversation=conversation)
        if not questions:
            raise ApplicationError(
                f"No questions for a {conversation.get_kind_display().lower()} left to add: every one in your "
                "question bank is on the agenda already. Add some on the Questions page.",
                field="questions",
            )
    else:
        unique = list({q.pk: q for q in questions}.values())
        if not AGENDA_MIN <= len(unique) <= AGENDA_MAX:
            raise ApplicationError(
                f"Pick {AGENDA_MIN} to {AGENDA_MAX} questions (got {len(unique)}).", field="questions"
            )
        if any(q.owner_id != conversation.owner_id for q in unique):
            raise ApplicationError("Not found: one of these questions is not yours.", field="questions")
        questions = unique
    present = {_agenda_key(item) for item in agenda_items(conversation.agenda)}
    added = []
    for question in questions:
        if _agenda_key(question.text) not in present:
            present.add(_agenda_key(question.text))
            added.append(question.text)
    if added:
        agenda = conversation.agenda.rstrip()
        lines = "\n".join(f"- {text}" for text in added)
        separator = (
            ""
            if not agenda
            else ("\n" if agenda_items(agenda) and AGENDA_BULLET.match(agenda.splitlines()[-1]) else "\n\n")
        )
        conversation_update(conversation=conversation, agenda=f"{agenda}{separator}{lines}")
    return {"conversation": conversation, "added": added}
