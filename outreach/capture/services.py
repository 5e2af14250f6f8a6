"""Capture without typing (issue #13): what a captured message changes, and the user's answers
to what capture offers.

A captured message between the user and contacts becomes a touch (keyed, so capturing it
again creates nothing); a contact's message after an open request records the reply; the
user's message to a contact with a planned ask of that channel is offered as "looks sent";
an invitation is offered as a time to schedule. Nothing here moves a stage by itself: only
`capture_offer_accept`, on the user's click, does.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.services import model_update
from contacts.models import Contact
from contacts.services import contact_create
from outreach.models import CaptureOffer, Conversation, Correspondent, Stage, Touch
from outreach.services import conversation_reply, conversation_transition, touch_create

SUMMARY_CHARS = 2_000


@dataclass
class CapturedMessage:
    """One message as capture sees it, whatever it came from."""

    key: str  # stable across imports: the touch's and the offer's external_key
    at: datetime
    channel: str  # a Touch channel: linkedin, email
    outgoing: bool  # the user sent it
    contacts: list[Contact]  # the counterparts who are contacts
    subject: str = ""
    body: str = ""


@dataclass
class CaptureCounts:
    touches: int = 0
    replies: int = 0
    looks_sent: int = 0
    invitations: int = 0
    already_imported: int = 0
    touch_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "touches": self.touches,
            "replies": self.replies,
            "looks_sent": self.looks_sent,
            "invitations": self.invitations,
            "already_imported": self.already_imported,
        }


def _summary(message: CapturedMessage) -> str:
    text = " ".join(message.body.split())
    if message.subject:
        text = f"{message.subject} — {text}" if text else message.subject
    return text[:SUMMARY_CHARS]


def message_capture(*, owner, message: CapturedMessage, counts: CaptureCounts) -> Touch | None:
    """Record one captured message (see the module's docstring). A message already captured
    (its key is known) changes nothing and is counted as `already_imported`."""
    if Touch.objects.filter(owner=owner, external_key=message.key).exists():
        counts.already_imported += 1
        return None
    touch = touch_create(
        owner=owner,
        contacts=message.contacts,
        at=message.at,
        channel=message.channel,
        summary=_summary(message),
        external_key=message.key,
    )
    counts.touches += 1
    counts.touch_ids.append(touch.pk)
    contact_ids = [contact.pk for contact in message.contacts]
    if message.outgoing:
        planned = Conversation.objects.filter(
            owner=owner,
            contact_id__in=contact_ids,
            stage=Stage.PLANNED,
            channel=message.channel,
            created_at__lte=message.at,
        ).exclude(capture_offers__kind=CaptureOffer.Kind.SENT, capture_offers__status=CaptureOffer.Status.OPEN)
        for ask in planned:
            offer_create(owner=owner, conversation=ask, kind=CaptureOffer.Kind.SENT, message=message)
            counts.looks_sent += 1
    elif message.at <= timezone.now():
        waiting = Conversation.objects.filter(
            owner=owner, contact_id__in=contact_ids, stage=Stage.REQUESTED, requested_at__lte=message.at
        )
        for ask in waiting:
            if not ask.answered:
                counts.replies += 1
            conversation_reply(conversation=ask, at=message.at)
    return touch


def offer_create(
    *, owner, conversation: Conversation, kind: str, message: CapturedMessage, scheduled_for: datetime | None = None
) -> CaptureOffer | None:
    """Offer a move of `conversation` that `message` is evidence of; once per message and ask."""
    key = f"{message.key}:{kind}:{conversation.pk}"[:300]
    offer, created = CaptureOffer.objects.get_or_create(
        owner=owner,
        external_key=key,
        defaults={
            "conversation": conversation,
            "kind": kind,
            "source": message.channel,
            "at": message.at,
            "scheduled_for": scheduled_for,
            "subject": message.subject[:200],
            "body": message.body[:20_000],
        },
    )
    return offer if created else None


def _locked_open(offer: CaptureOffer) -> CaptureOffer:
    locked = CaptureOffer.objects.select_for_update(of=("self",)).select_related("conversation").get(pk=offer.pk)
    if locked.status != CaptureOffer.Status.OPEN:
        raise ApplicationError(f"This suggestion was already {locked.status}.", code=ApplicationError.CONFLICT)
    return locked


@transaction.atomic
def capture_offer_accept(*, offer: CaptureOffer) -> Conversation:
    """The user confirms: a "looks sent" ask moves to requested at the message's time with what
    was sent (subject, body, sent at); an invitation schedules the ask at its time (a planned
    ask is marked requested first). An illegal move by now (the ask moved on) is refused."""
    offer = _locked_open(offer)
    conversation = offer.conversation
    if offer.kind == CaptureOffer.Kind.SENT:
        conversation_transition(conversation=conversation, to_stage=Stage.REQUESTED, at=offer.at)
        data = {"message_body": offer.body, "message_sent_at": offer.at}
        if offer.subject:
            data["message_subject"] = offer.subject
        model_update(instance=conversation, fields=list(data), data=data)
    else:
        if conversation.stage == Stage.PLANNED:
            conversation_transition(conversation=conversation, to_stage=Stage.REQUESTED, at=offer.at)
        conversation_transition(conversation=conversation, to_stage=Stage.SCHEDULED, scheduled_for=offer.scheduled_for)
    offer.status = CaptureOffer.Status.ACCEPTED
    offer.decided_at = timezone.now()
    offer.save(update_fields=["status", "decided_at"])
    return conversation


@transaction.atomic
def capture_offer_dismiss(*, offer: CaptureOffer) -> CaptureOffer:
    """Not this one: the offer goes away and is not made again for the same message."""
    offer = _locked_open(offer)
    offer.status = CaptureOffer.Status.DISMISSED
    offer.decided_at = timezone.now()
    offer.save(update_fields=["status", "decided_at"])
    return offer


# --- the New people list -------------------------------------------------------------------


def correspondent_seen(
    *, owner, at: datetime, source: str, name: str = "", email: str = "", linkedin_url: str = ""
) -> Correspondent:
    """Someone who is not a contact wrote with the user: listed once (by address), their name
    and first/last seen kept up to date. An ignored one stays ignored."""
    email = email.strip().lower()
    lookup = {"email": email} if email else {"linkedin_url": linkedin_url}
    person = Correspondent.objects.filter(owner=owner, **lookup).first()
    if person is None:
        person = Correspondent(
            owner=owner,
            name=name[:200],
            email=email,
            linkedin_url=linkedin_url,
            source=source,
            first_seen_at=at,
            last_seen_at=at,
        )
        person.full_clean()
        person.save()
        return person
    data = {"first_seen_at": min(person.first_seen_at, at), "last_seen_at": max(person.last_seen_at, at)}
    if name and not person.name:
        data["name"] = name[:200]
    model_update(instance=person, fields=list(data), data=data)
    return person


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


@transaction.atomic
def correspondent_add(*, correspondent: Correspondent, first_name: str = "", last_name: str = "") -> Contact:
    """One click: the person becomes a contact (their name, address and LinkedIn profile)."""
    person = Correspondent.objects.select_for_update().get(pk=correspondent.pk)
    if person.status == Correspondent.Status.ADDED and person.contact_id:
        raise ApplicationError("This person is already one of your contacts.", code=ApplicationError.CONFLICT)
    guessed_first, guessed_last = _split_name(person.name or person.email.split("@")[0])
    contact = contact_create(
        owner=person.owner,
        first_name=first_name or guessed_first or person.email,
        last_name=last_name or guessed_last,
        email=person.email,
        linkedin_url=person.linkedin_url,
        source="linkedin" if person.source == "linkedin" else "cold_email",
        relationship="other",
        how_we_met=f"Wrote via {person.get_source_display()}",
    )
    person.status = Correspondent.Status.ADDED
    person.contact = contact
    person.save(update_fields=["status", "contact"])
    return contact


def correspondent_ignore(*, correspondent: Correspondent) -> Correspondent:
    """Not someone to keep: off the list, and remembered so capture does not list them again."""
    if correspondent.status != Correspondent.Status.IGNORED:
        correspondent.status = Correspondent.Status.IGNORED
        correspondent.save(update_fields=["status"])
    return correspondent
