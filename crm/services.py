"""Writes for what the user learns and aims for: notes and opportunities."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.services import model_update
from contacts.models import Contact
from contacts.selectors import contacts_for_bulk
from contacts.services import BULK_ACTIONS, contact_bulk_update, contact_bulk_value
from outreach.models import Conversation
from outreach.services import conversation_plan_bulk, record_touch

from .models import Note, Opportunity

NOTE_FIELDS = ("contact", "conversation", "kind", "body")
OPPORTUNITY_FIELDS = ("company", "title", "url", "status", "referrer", "notes")

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


# --- opportunities -------------------------------------------------------------------------


def opportunity_create(*, owner, **fields) -> Opportunity:
    opportunity = Opportunity(owner=owner, **fields)
    opportunity.full_clean()
    opportunity.save()
    return opportunity


def opportunity_update(*, opportunity: Opportunity, **fields) -> Opportunity:
    model_update(instance=opportunity, fields=OPPORTUNITY_FIELDS, data=fields)
    return opportunity


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
