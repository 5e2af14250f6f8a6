"""The iCalendar feed (/calendar/<token>.ics) and single-chat invitations (the download and
the prep e-mail's attachment), built with `icalendar` by the one `chat_event`.

Chats are events with a stable UID per conversation, so a calendar app that re-fetches the
feed moves an event when the chat is rescheduled (SEQUENCE goes up) and marks it
STATUS:CANCELLED when the chat is cancelled. Open follow-ups are all-day events on their due
date in the user's time zone.
"""

import hmac
from datetime import timedelta
from datetime import timezone as dt_timezone
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.localtime import user_tz

from .models import Conversation, FollowUp, Stage

# Past chats stay in the feed this long, so the calendar keeps its history without growing forever.
HISTORY = timedelta(days=180)
CHAT_STAGES = (Stage.SCHEDULED, Stage.HELD, Stage.THANKED, Stage.CANCELLED)


def feed_owner(token: str):
    """The user whose current calendar token this is, or None (unknown or rotated token).

    The row is found by the token, then the secret is compared again in constant time.
    """
    if not token or len(token) > 64:
        return None
    user = (
        get_user_model().objects.select_related("profile").filter(profile__calendar_token=token, is_active=True).first()
    )
    if user is None or not hmac.compare_digest(user.profile.calendar_token.encode(), token.encode()):
        return None
    return user


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "coffeechat.local"


def _link(name: str, pk: int) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=[pk])
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def chat_summary(conversation: Conversation) -> str:
    contact = conversation.contact
    what = "Coffee chat" if conversation.kind == Conversation.Kind.COFFEE_CHAT else conversation.get_kind_display()
    company = f" ({contact.company.name})" if contact.company else ""
    return f"{what} with {contact.full_name}{company}"


def chat_event(conversation: Conversation) -> Event:
    contact = conversation.contact
    event = Event()
    event.add("uid", f"conversation-{conversation.pk}@{_domain()}")
    event.add("dtstamp", conversation.updated_at.astimezone(dt_timezone.utc))
    event.add("last-modified", conversation.updated_at.astimezone(dt_timezone.utc))
    event.add("dtstart", conversation.scheduled_for.astimezone(dt_timezone.utc))
    event.add("duration", timedelta(minutes=conversation.duration_minutes))
    event.add("summary", chat_summary(conversation))
    if conversation.location:
        event.add("location", conversation.location)
    url = _link("conversation_detail", conversation.pk)
    lines = []
    if contact.title or contact.company:
        lines.append(" at ".join(x for x in (contact.title, contact.company.name if contact.company else "") if x))
    if conversation.agenda:
        lines += ["", "Agenda:", conversation.agenda]
    lines += ["", f"Open in Coffeechat: {url}"]
    event.add("description", "\n".join(lines).strip())
    event.add("url", url)
    # Calendar apps apply an update only when SEQUENCE grows (see Conversation.calendar_sequence).
    event.add("sequence", conversation.calendar_sequence)
    event.add("status", "CANCELLED" if conversation.stage == Stage.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def follow_up_event(follow_up: FollowUp, tz) -> Event:
    day = follow_up.due_at.astimezone(tz).date()
    event = Event()
    event.add("uid", f"follow-up-{follow_up.pk}@{_domain()}")
    event.add("dtstamp", (follow_up.created_at or timezone.now()).astimezone(dt_timezone.utc))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", f"Follow-up: {follow_up.title}")
    event.add(
        "description",
        f"{follow_up.get_kind_display()} for {follow_up.contact.full_name}.\n"
        f"Open in Coffeechat: {_link('contact_detail', follow_up.contact_id)}",
    )
    event.add("url", _link("contact_detail", follow_up.contact_id))
    event.add("transp", "TRANSPARENT")
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Coffeechat//Coffee chats and follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _chats(owner):
    return Conversation.objects.filter(owner=owner, scheduled_for__isnull=False, stage__in=CHAT_STAGES).select_related(
        "contact__company"
    )


def calendar_feed(owner, now=None) -> bytes:
    """The user's feed: chats from the last HISTORY days on, and open follow-ups."""
    now = now or timezone.now()
    calendar = _calendar("Coffeechat")
    calendar.add("method", "PUBLISH")
    calendar.add("x-published-ttl", "PT1H")
    for conversation in _chats(owner).filter(scheduled_for__gte=now - HISTORY).order_by("scheduled_for", "id"):
        calendar.add_component(chat_event(conversation))
    tz = user_tz(owner)
    follow_ups = (
        FollowUp.objects.filter(owner=owner, status=FollowUp.Status.OPEN)
        .select_related("contact")
        .order_by("due_at", "id")
    )
    for follow_up in follow_ups:
        calendar.add_component(follow_up_event(follow_up, tz))
    return calendar.to_ical()


def chat_invitation(conversation: Conversation) -> bytes:
    """One chat as an .ics file: the download on the chat's page and the prep e-mail's attachment.

    It is the feed's event, with the same UID and SEQUENCE, so a calendar that took it moves
    the chat when it is rescheduled. Conversation.DoesNotExist when the chat has no date.
    """
    calendar = _calendar(chat_summary(conversation))
    calendar.add("method", "PUBLISH")
    annotated = _chats(conversation.owner_id).get(pk=conversation.pk)
    calendar.add_component(chat_event(annotated))
    return calendar.to_ical()
