"""Reminder emails: plain text and HTML, one per Reminder kind.

build_reminder_email() turns a Reminder row into the message to send, or None when there is
nothing to say (a digest on an empty day). Every message goes to the account's e-mail, carries
a Message-ID derived from the reminder's dedupe key (so a resend after a crash is recognisably
the same message), and a one-click link that turns that kind of email off.

User text (titles, agendas, notes) is rendered through Django templates: autoescaped in the
HTML part, plain in the text part. Notes are Markdown: sanitised HTML (accounts.markdown, as on
the notes page) in the HTML part, readable text without markup in the text part.
"""

import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from textwrap import indent

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.localtime import business_days_after, local_day_bounds, local_today, user_tz, workdays
from accounts.markdown import markdown_to_text, render_markdown
from accounts.selectors import first_rows
from accounts.text import truncate
from contacts.models import Contact

from .calendar import chat_invitation
from .models import Conversation, FollowUp, Reminder, Stage, agenda_items
from .selectors import requests_sent_in_week, second_person_suggestions, week_in_review, worth_reaching_next

Kind = Reminder.Kind

# Signed one-click links (see email_views). The salt keeps these tokens from being valid
# anywhere else that signs with SECRET_KEY.
LINK_SALT = "outreach.email-link"
# Follow-up actions stop working after this long; the "turn off" link never expires
# (an unsubscribe link in an old email must keep working).
ACTION_MAX_AGE = timedelta(days=60)

ACTION_COMPLETE = "complete"
ACTION_SNOOZE_DAY = "snooze_day"
ACTION_SNOOZE_WEEK = "snooze_week"
ACTION_OFF_DIGEST = "off_digest"
ACTION_OFF_REVIEW = "off_review"
ACTION_OFF_REMINDERS = "off_reminders"
FOLLOW_UP_ACTIONS = (ACTION_COMPLETE, ACTION_SNOOZE_DAY, ACTION_SNOOZE_WEEK)


@dataclass(frozen=True)
class OffLink:
    """A "stop these e-mails" link: the reminder kind whose setting it switches off, and its words."""

    kind: str
    label: str  # the link and the confirmation button
    question: str  # the confirmation page's heading
    what: str  # "You will no longer get {what}."


OFF_LINKS = {
    ACTION_OFF_DIGEST: OffLink(
        Kind.DAILY_DIGEST, "Stop the daily digest", "Stop the daily digest email?", "the daily digest"
    ),
    ACTION_OFF_REVIEW: OffLink(
        Kind.WEEKLY_REVIEW, "Stop the weekly review", "Stop the weekly review email?", "the weekly review"
    ),
    ACTION_OFF_REMINDERS: OffLink(
        Kind.FOLLOW_UP_DUE, "Stop reminder emails", "Stop all reminder emails?", "reminder emails"
    ),
}
OFF_ACTIONS = tuple(OFF_LINKS)
SNOOZE_BY = {ACTION_SNOOZE_DAY: timedelta(days=1), ACTION_SNOOZE_WEEK: timedelta(days=7)}

NOTES_IN_PREP = 10


# --- links -------------------------------------------------------------------------------


def sign_link(*, user, action: str, follow_up: FollowUp | None = None) -> str:
    """A signed token naming the user, the action and (for follow-up actions) the follow-up
    and its due time, so that a link cannot be forged, used for another user's rows, or
    replayed after the follow-up has moved."""
    payload = {"u": user.pk, "a": action}
    if follow_up is not None:
        payload["f"] = follow_up.pk
        payload["d"] = follow_up.due_at.isoformat()
    return signing.dumps(payload, salt=LINK_SALT, compress=True)


def read_link(token: str) -> dict:
    """The token's payload; raises signing.BadSignature (incl. SignatureExpired) when not valid."""
    payload = signing.loads(token, salt=LINK_SALT)
    if not isinstance(payload, dict) or payload.get("a") not in FOLLOW_UP_ACTIONS + OFF_ACTIONS:
        raise signing.BadSignature("Unknown action.")
    if payload["a"] in FOLLOW_UP_ACTIONS:
        # Re-check with an age limit: follow-up actions expire, the off links do not.
        signing.loads(token, salt=LINK_SALT, max_age=ACTION_MAX_AGE)
    return payload


def action_url(*, user, action: str, follow_up: FollowUp | None = None) -> str:
    token = sign_link(user=user, action=action, follow_up=follow_up)
    return settings.SITE_URL + reverse("email-action", args=[token])


def app_url(view_name: str = "today", *args) -> str:
    """An absolute link to a page of the web dashboard."""
    return settings.SITE_URL + reverse(view_name, args=args)


# --- formatting --------------------------------------------------------------------------


def local_time(moment: datetime, tz) -> str:
    """e.g. "Tue 3 Mar 2026, 10:00 EST" in the user's zone."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def _one_line(text: str) -> str:
    # Subjects are headers: no line breaks, bounded length.
    return truncate(" ".join(str(text).split()), 149)


def _label(value: str) -> str:
    """An enum value as words: "send_material" -> "Send material"."""
    return value.replace("_", " ").capitalize()


def _contact_label(contact) -> str:
    return f"{contact.full_name} ({contact.company.name})" if contact.company_id else contact.full_name


# --- the message -------------------------------------------------------------------------


def build_reminder_email(reminder: Reminder) -> EmailMultiAlternatives | None:
    """The email for this reminder, or None when there is nothing to say."""
    builder = {
        Kind.FOLLOW_UP_DUE: _follow_up_due,
        Kind.CHAT_PREP: _chat_prep,
        Kind.CHAT_SOON: _chat_soon,
        Kind.DAILY_DIGEST: _daily_digest,
        Kind.WEEKLY_REVIEW: _weekly_review,
    }[reminder.kind]
    user = reminder.owner
    tz = user_tz(user)
    built = builder(reminder, user, tz)
    if built is None:
        return None
    subject, context, attachments = built
    off_action = next((a for a, link in OFF_LINKS.items() if link.kind == reminder.kind), ACTION_OFF_REMINDERS)
    off_url = action_url(user=user, action=off_action)
    context.update(
        user=user,
        name=user.first_name or user.get_username(),
        site_url=settings.SITE_URL,
        app_url=app_url(),
        off_url=off_url,
        off_label=OFF_LINKS[off_action].label,
        settings_url=app_url("settings"),
    )
    template = f"outreach/email/{reminder.kind}"
    message = EmailMultiAlternatives(
        subject=_one_line(subject),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "Message-ID": reminder.message_id,
            # RFC 8058 one-click unsubscribe: mail clients POST to the link, which needs no login.
            "List-Unsubscribe": f"<{off_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Coffeechat-Reminder": reminder.kind,
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def _follow_up_due(reminder: Reminder, user, tz):
    follow_up = reminder.follow_up
    contact = follow_up.contact
    context = {
        "follow_up": follow_up,
        "contact": contact,
        "contact_label": _contact_label(contact),
        "kind_label": _label(follow_up.kind),
        "conversation": follow_up.conversation,
        "conversation_label": (
            f"{_label(follow_up.conversation.kind).lower()} ({_label(follow_up.conversation.stage).lower()})"
            if follow_up.conversation_id
            else ""
        ),
        "due": local_time(follow_up.due_at, tz),
        "complete_url": action_url(user=user, action=ACTION_COMPLETE, follow_up=follow_up),
        "snooze_day_url": action_url(user=user, action=ACTION_SNOOZE_DAY, follow_up=follow_up),
        "snooze_week_url": action_url(user=user, action=ACTION_SNOOZE_WEEK, follow_up=follow_up),
        "follow_ups_url": app_url("follow_up_list"),
        "contact_url": app_url("contact_detail", contact.pk),
    }
    return f"Follow-up due: {follow_up.title}", context, []


def _chat_context(conversation: Conversation, tz) -> dict:
    contact = conversation.contact
    start = conversation.scheduled_for
    return {
        "conversation": conversation,
        "contact": contact,
        "contact_label": _contact_label(contact),
        "company": contact.company.name if contact.company_id else "",
        "kind_label": _label(conversation.kind),
        "when": local_time(start, tz),
        "ends": local_time(start + timedelta(minutes=conversation.duration_minutes), tz),
        "location": conversation.location,
        "location_is_link": conversation.location.startswith(("http://", "https://")),
        "agenda": conversation.agenda,
        # The agenda as a list of questions (#14: "Build agenda" writes a Markdown list).
        "agenda_items": agenda_items(conversation.agenda),
        "contact_url": app_url("contact_detail", contact.pk),
        "chat_url": app_url("conversation_detail", conversation.pk),
    }


def _chat_prep(reminder: Reminder, user, tz):
    conversation = reminder.conversation
    contact = conversation.contact
    context = _chat_context(conversation, tz)
    # Notes live in crm; the reverse relation keeps outreach free of a crm import.
    notes = list(contact.notes.order_by("-created_at", "-id")[:NOTES_IN_PREP])
    previous = contact.conversations.filter(held_at__isnull=False).exclude(pk=conversation.pk).order_by("-held_at")[:5]
    context.update(
        how_we_met=contact.how_we_met,
        title=contact.title,
        notes=[
            {
                "kind": _label(n.kind),
                "date": local_time(n.created_at, tz),
                "body": n.body,
                # The notes page's sanitiser (accounts.markdown); plain text for the text part.
                "html": render_markdown(n.body),
                "text": indent(markdown_to_text(n.body), "  ").lstrip(),
            }
            for n in notes
        ],
        previous=[{"kind": _label(c.kind), "date": local_time(c.held_at, tz), "outcome": c.outcome} for c in previous],
    )
    subject = f"Prep: {_label(conversation.kind).lower()} with {_contact_label(contact)}, {context['when']}"
    # The feed's own event (same UID and SEQUENCE), so a calendar that took an earlier
    # invitation moves the chat when it is rescheduled.
    return subject, context, [("chat.ics", chat_invitation(conversation), "text/calendar")]


def _chat_soon(reminder: Reminder, user, tz):
    conversation = reminder.conversation
    context = _chat_context(conversation, tz)
    minutes = max(1, round((conversation.scheduled_for - timezone.now()).total_seconds() / 60))
    context["starts_in"] = f"{minutes} minutes" if minutes < 90 else f"{round(minutes / 60)} hours"
    subject = (
        f"In {context['starts_in']}: {_label(conversation.kind).lower()} with {_contact_label(conversation.contact)}"
    )
    return subject, context, []


# Each list of the digest shows this many rows, then "and N more" with a link (#12).
DIGEST_ROWS = 10


def _second_persons_due(user, day, now) -> list:
    """Day 3 of 3B7 (issue #14) falling on this local day: requests at target companies unanswered
    for 3 business days as of today, with the best other person to try. Only the ones whose 3rd
    business day is today, so the digest reminds once; Today lists them until acted on."""
    days = workdays(user)
    tz = user_tz(user)
    return [
        s
        for s in second_person_suggestions(user=user, now=now, limit=DIGEST_ROWS)
        if business_days_after(s.conversation.requested_at.astimezone(tz).date(), 3, days) == day
    ]


def _daily_digest(reminder: Reminder, user, tz):
    day = reminder.local_date or local_today(user)
    start, end = local_day_bounds(user, day)
    chats, chats_total = first_rows(
        Conversation.objects.filter(owner=user, stage=Stage.SCHEDULED, scheduled_for__gte=start, scheduled_for__lt=end)
        .select_related("contact__company")
        .order_by("scheduled_for", "id"),
        DIGEST_ROWS,
    )
    open_follow_ups = FollowUp.objects.filter(owner=user, status=FollowUp.Status.OPEN).select_related(
        "contact__company"
    )
    overdue, overdue_total = first_rows(open_follow_ups.filter(due_at__lt=start).order_by("due_at", "id"), DIGEST_ROWS)
    due_today, due_today_total = first_rows(
        open_follow_ups.filter(due_at__gte=start, due_at__lt=end).order_by("due_at", "id"), DIGEST_ROWS
    )
    second_persons = _second_persons_due(user, day, max(timezone.now(), start))
    if not (chats or overdue or due_today or second_persons):
        return None
    requests_sent = requests_sent_in_week(user, start)
    goal = user.profile.weekly_request_goal

    def follow_up_rows(items):
        return [
            {
                "follow_up": f,
                "contact_label": _contact_label(f.contact),
                "due": local_time(f.due_at, tz),
                "complete_url": action_url(user=user, action=ACTION_COMPLETE, follow_up=f),
                "snooze_day_url": action_url(user=user, action=ACTION_SNOOZE_DAY, follow_up=f),
            }
            for f in items
        ]

    context = {
        "day": day,
        "day_label": f"{day:%A} {day.day} {day:%B %Y}",
        "chats": [
            {
                "conversation": c,
                "kind_label": _label(c.kind),
                "contact_label": _contact_label(c.contact),
                "when": local_time(c.scheduled_for, tz),
            }
            for c in chats
        ],
        "chats_more": chats_total - len(chats),
        "overdue": follow_up_rows(overdue),
        "overdue_more": overdue_total - len(overdue),
        "due_today": follow_up_rows(due_today),
        "due_today_more": due_today_total - len(due_today),
        "second_persons": [
            {
                "company": s.company.name,
                "waiting": s.conversation.contact.full_name,
                "candidate": _contact_label(s.candidate),
                "url": app_url("contact_detail", s.candidate.pk),
            }
            for s in second_persons
        ],
        "requests_sent": requests_sent,
        "goal": goal,
        "goal_met": goal and requests_sent >= goal,
        "follow_ups_url": app_url("follow_up_list"),
        "pipeline_url": app_url("pipeline"),
    }
    parts = []
    if chats_total:
        parts.append(f"{chats_total} chat{'s' if chats_total != 1 else ''}")
    if overdue_total:
        parts.append(f"{overdue_total} overdue")
    if due_today_total:
        parts.append(f"{due_today_total} due today")
    if second_persons:
        parts.append(f"try a second person at {second_persons[0].company.name}")
    subject = f"Your Coffeechat day, {day:%a} {day.day} {day:%b}: {', '.join(parts)}"
    return subject, context, []


def _weekly_review(reminder: Reminder, user, tz):
    """Monday's review of the week before (Monday to Sunday on the user's clock), and who to reach next."""
    monday = reminder.local_date or local_today(user)
    start = local_day_bounds(user, monday - timedelta(days=7))[0]
    end = local_day_bounds(user, monday)[0]
    if not Contact.objects.filter(owner=user).exists():
        return None  # nothing to review yet: a new account gets no empty report
    figures = week_in_review(user=user, start=start, end=end)
    goal = user.profile.weekly_request_goal
    last_sunday = monday - timedelta(days=1)
    week_label = f"{monday - timedelta(days=7):%a} {(monday - timedelta(days=7)).day} – {last_sunday:%a} {last_sunday.day} {last_sunday:%b}"
    suggestions = worth_reaching_next(user=user, now=timezone.now(), limit=3)
    context = {
        **figures,
        "week_label": week_label,
        "goal": goal,
        "goal_met": bool(goal) and figures["asks_sent"] >= goal,
        "more_targets": figures["targets_without_contact"] - len(figures["targets_named"]),
        "suggestions": [
            {
                "contact_label": _contact_label(s.contact),
                "reason": s.reason,
                "url": app_url("contact_detail", s.contact.pk),
            }
            for s in suggestions
        ],
        "targets_url": app_url("targets"),
    }
    replies = figures["replies"]
    subject = (
        f"Your week in Coffeechat: {figures['asks_sent']} of {goal} asks sent, "
        f"{replies} repl{'y' if replies == 1 else 'ies'}"
    )
    return subject, context, []


# --- the worker's mail connection --------------------------------------------------------

# A connection unused this long is closed before the next message: servers drop idle ones
# (RFC 5321 lets them after 5 minutes) and a reconnect costs less than a failed attempt.
IDLE_RECONNECT_SECONDS = 60

# Connection-level errors on a connection that was open before this message: the server
# dropped it while idle, before it took anything, so one retry on a fresh one is safe.
_STALE_CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, ConnectionError)

_shared = {"backend": None, "path": None, "last_used": 0.0}


def _shared_backend():
    """This process's mail backend (Django's EmailBackend API), opened on first use.

    One per process (a Celery pool child, the `send_reminders --inline` command): the SMTP
    session stays open across messages and tasks instead of a connect, EHLO, log-in and QUIT
    per message. A changed EMAIL_BACKEND setting (tests) gets a new one.
    """
    path = settings.EMAIL_BACKEND
    backend = _shared["backend"]
    idle = time.monotonic() - _shared["last_used"]
    if backend is not None and (_shared["path"] != path or idle > IDLE_RECONNECT_SECONDS):
        close_shared_connection()
        backend = None
    if backend is None:
        backend = get_connection(path, fail_silently=False)
        _shared.update(backend=backend, path=path)
    return backend


def send_message(message) -> None:
    """Send one message over this process's open connection, opening it if needed.

    Any error closes the connection (its state is unknown) and is raised for the caller to
    record; the next message reconnects. A connection the server dropped while idle is
    reopened and the message tried once more at once.
    """
    backend = _shared_backend()
    for attempt in (1, 2):
        was_open = getattr(backend, "connection", None) is not None
        try:
            backend.open()
            backend.send_messages([message])
        except _STALE_CONNECTION_ERRORS:
            close_shared_connection()
            if not was_open or attempt == 2:
                raise
            backend = _shared_backend()
            continue
        except BaseException:
            close_shared_connection()
            raise
        _shared["last_used"] = time.monotonic()
        return


def close_shared_connection() -> None:
    """QUIT the shared session (worker shutdown, after an error, or when idle too long)."""
    backend = _shared["backend"]
    _shared.update(backend=None, path=None, last_used=0.0)
    if backend is not None:
        try:
            backend.close()
        except Exception:  # closing a broken session must not hide the error that broke it
            pass
