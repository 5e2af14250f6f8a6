"""Writes for what the user learns and aims for: notes and opportunities."""

from django.db import transaction

from accounts.services import model_update
from contacts.models import Contact
from outreach.models import Conversation
from outreach.services import record_touch

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
