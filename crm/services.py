"""Writes for what the user learns and aims for: notes and opportunities."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.services import model_update
from contacts.models import Contact
from contacts.selectors import contacts_for_bulk
from contacts.services import BULK_ACTIONS, contact_bulk_update, contact_bulk_value
from outreach.models import Conversation, FollowUp
from outreach.services import conversation_plan_bulk, follow_up_create, record_touch

from .models import NOTE_UNDO_SECONDS, OPPORTUNITY_MOVES, Note, Opportunity

NOTE_FIELDS = ("contact", "conversation", "kind", "body")
OPPORTUNITY_FIELDS = ("company", "title", "url", "status", "referrer", "conversation", "notes")

# --- notes -------------------------------------------------------------------------------


@transaction.atomic
def note_create(
    *, owner, contact: Contact, body: str, kind: str = Note.Kind.GENERAL, conversation: Conversation | None = None
) -> Note:
    """A note; a note logged against a conversation counts as a touch with the contact."""
    note = Note(owner=owner, contact=contact, conversation=conversation, kind=kind, body=body)
    note.full_clean()
    note.save()
    if conversation is not None:
        record_touch(contact=contact, at=note.created_at)
    return note


@transaction.atomic
def note_update(*, note: Note, **fields) -> Note:
    added_conversation = "conversation" in fields and fields["conversation"] and not note.conversation_id
    model_update(instance=note, fields=NOTE_FIELDS, data=fields)
    if added_conversation:
        record_touch(contact=note.contact, at=note.created_at)
    return note


def note_delete(*, note: Note, at: datetime | None = None) -> Note:
    """Delete a note, with NOTE_UNDO_SECONDS to take it back (note_restore).

    The row stays, marked `deleted_at`, and every read leaves it out at once (Note.objects);
    notes_purge removes it for good once the window is over. Keeping the row in the database
    (not in one process's memory, nor in the page) lets any web or API process undo it, and a
    reloaded page still offers the Undo while the window lasts.
    """
    at = at or timezone.now()
    Note.all_objects.filter(pk=note.pk, deleted_at__isnull=True).update(deleted_at=at)
    note.deleted_at = at
    notes_purge(owner=note.owner, now=at)  # the owner's older deletions, even without beat running
    return note


def note_restore(*, note: Note, now: datetime | None = None) -> Note:
    """Undo a delete within NOTE_UNDO_SECONDS; later it is refused (the note is gone for good).

    Restoring a note that is not deleted (a second click on Undo) changes nothing."""
    now = now or timezone.now()
    window_start = now - timedelta(seconds=NOTE_UNDO_SECONDS)
    rows = Note.all_objects.filter(pk=note.pk)
    restored = rows.filter(deleted_at__gte=window_start).update(deleted_at=None)
    if not restored and rows.filter(deleted_at__isnull=False).exists():
        raise ApplicationError(
            f"Too late to undo: a deleted note can be restored for {NOTE_UNDO_SECONDS} seconds only."
        )
    note.deleted_at = None
    return note


def notes_purge(*, owner=None, now: datetime | None = None) -> int:
    """Remove for good the notes deleted more than NOTE_UNDO_SECONDS ago (of one owner, or all)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=NOTE_UNDO_SECONDS)
    expired = Note.all_objects.filter(deleted_at__lt=cutoff)
    if owner is not None:
        expired = expired.filter(owner=owner)
    deleted, _ = expired.delete()
    return deleted


# --- opportunities -------------------------------------------------------------------------


def opportunity_legal_moves(status: str) -> tuple[str, ...]:
    return OPPORTUNITY_MOVES.get(status, ())


def _check_opportunity_move(current: str, requested: str) -> None:
    if requested == current or requested in opportunity_legal_moves(current):
        return
    allowed = opportunity_legal_moves(current)
    listed = ", ".join(allowed) if allowed else "none (this status is final)"
    raise ApplicationError(
        f"Cannot move an opportunity from '{current}' to '{requested}'. Legal moves from '{current}': {listed}.",
        field="status",
        extra={"current_status": current, "requested_status": requested, "allowed_statuses": list(allowed)},
    )


def opportunity_create(*, owner, **fields) -> Opportunity:
    opportunity = Opportunity(owner=owner, **fields)
    opportunity.full_clean()
    opportunity.save()
    return opportunity


def opportunities_move_company(*, company, other) -> int:
    """Company `other` is merged into `company`: its opportunities move with it."""
    return Opportunity.objects.filter(owner_id=company.owner_id, company=other).update(company=company)


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, **fields) -> Opportunity:
    """Edit an opportunity; a new `status` must be a legal move (OPPORTUNITY_MOVES)."""
    if "status" in fields:
        # Locked, so two moves at once are judged one after the other.
        current = Opportunity.objects.select_for_update().values_list("status", flat=True).get(pk=opportunity.pk)
        _check_opportunity_move(current, fields["status"])
    model_update(instance=opportunity, fields=OPPORTUNITY_FIELDS, data=fields)
    return opportunity


def opportunity_move(*, opportunity: Opportunity, status: str) -> Opportunity:
    """One move on the board: refused unless OPPORTUNITY_MOVES allows it."""
    if status not in Opportunity.Status.values:
        raise ApplicationError(f"Unknown status '{str(status)[:40]}'.", field="status")
    return opportunity_update(opportunity=opportunity, status=status)


def opportunity_delete(*, opportunity: Opportunity) -> None:
    opportunity.delete()


# The longest title an opportunity takes (Opportunity.title).
OPPORTUNITY_TITLE_MAX = Opportunity._meta.get_field("title").max_length


def opportunity_title_from_note(body: str) -> str:
    """A note's first non-empty line, without Markdown heading/list marks, at most 200 characters."""
    for line in body.splitlines():
        line = line.strip().lstrip("#>*-+ ").strip()
        if line:
            return line[:OPPORTUNITY_TITLE_MAX].strip()
    return "Opportunity"


@transaction.atomic
def opportunity_from_note(
    *, note: Note, title: str | None = None, apply_due_on: date | None = None
) -> tuple[Opportunity, FollowUp | None]:
    """ "Track as opportunity" on a note of kind `opportunity`: a new opportunity, `heard`, with
    the note's first line as title (or `title`), the contact's company, the contact as referrer
    and the note's conversation; with `apply_due_on`, an `apply` follow-up due that day (at the
    user's digest hour, through outreach's follow-up service)."""
    if note.kind != Note.Kind.OPPORTUNITY:
        raise ApplicationError("Only a note of kind “opportunity” can be tracked as an opportunity.")
    contact = note.contact
    title = (title or "").strip() or opportunity_title_from_note(note.body)
    opportunity = opportunity_create(
        owner=note.owner,
        title=title[:OPPORTUNITY_TITLE_MAX],
        company=contact.company,
        referrer=contact,
        conversation=note.conversation,
    )
    follow_up = None
    if apply_due_on is not None:
        follow_up = follow_up_create(
            owner=note.owner,
            contact=contact,
            conversation=note.conversation,
            kind=FollowUp.Kind.APPLY,
            title=f"Apply: {opportunity.title}"[:OPPORTUNITY_TITLE_MAX],
            due_at=apply_due_on,
        )
    return opportunity, follow_up


# --- merging contacts --------------------------------------------------------------------


def contact_merge_notes_and_opportunities(*, keep: Contact, other: Contact) -> None:
    """`other` is merging into `keep` (contacts.signals.contact_merging): its notes and the
    opportunities it referred become `keep`'s."""
    Note.objects.filter(contact=other).update(contact=keep)
    Opportunity.objects.filter(referrer=other).update(referrer=keep)


# --- bulk actions on contacts ------------------------------------------------------------

# Every bulk action, in the order the contacts page offers them. `plan` creates conversations,
# which live in outreach, so the one entry point for all of them sits here, above both apps.
CONTACT_BULK_ACTIONS = (*BULK_ACTIONS, "plan")


@transaction.atomic
def contact_bulk_action(*, owner, ids, action: str, value=None) -> dict:
    """Apply `action` to the owner's contacts `ids`, all or nothing.

    An id that is not one of the owner's contacts, more than contacts.selectors.BULK_MAX_IDS
    ids, an unknown action or a value the action cannot take refuses the whole request before
    anything is written. `plan` (value: a conversation kind) creates a planned ask per
    contact, skipping those with an open ask of that kind. Answers `{action, value, contacts,
    changed, skipped: [{id, name, reason}], conversations?}`.
    """
    if action not in CONTACT_BULK_ACTIONS:
        raise ValidationError(
            {"action": f'Unknown action "{str(action)[:40]}". Allowed: {", ".join(CONTACT_BULK_ACTIONS)}.'}
        )
    if action == "plan" and value not in Conversation.Kind.values:
        raise ValidationError({"value": f"Choose the kind of ask: {', '.join(Conversation.Kind.values)}."})
    parsed = value if action == "plan" else contact_bulk_value(owner=owner, action=action, value=value)
    contacts = contacts_for_bulk(user=owner, ids=ids)
    if action == "plan":
        result = conversation_plan_bulk(owner=owner, contacts=contacts, kind=value)
    else:
        result = contact_bulk_update(owner=owner, contacts=contacts, action=action, value=parsed)
    shown = [tag.name for tag in parsed] if action == "untag" else parsed
    return {"action": action, "value": shown, "contacts": len(contacts), **result}
