"""Reminder rows: planned, moved and cancelled with the pipeline, claimed and delivered once.

A Reminder row is the single source of truth for one email. Its `dedupe_key` names the
email that should exist (e.g. the prep brief for this chat at this start time), so planning
twice is harmless and a reminder that was sent is never armed again.

Delivery (see deliver_reminders) renders a batch of claimed rows first, without locks, then
locks a group of rows, re-checks each, sends over the worker's open SMTP connection, and
marks the sent ones in one transaction: two tasks for the same row serialise on the lock and
the second finds it sent. The one window left is a crash after the SMTP server accepted a
message and before the group's commit; the group's sent rows are then sent again by a later
sweep. The Message-ID derived from
the dedupe key lets mail systems fold that duplicate.
"""

import logging
import smtplib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.localtime import local_day_bounds, local_instant, local_today, this_week_start, user_tz
from accounts.models import Profile
from accounts.services import profile_update

from .models import Conversation, FollowUp, Reminder, Stage

logger = logging.getLogger(__name__)

Kind = Reminder.Kind
Status = Reminder.Status

# Errors worth retrying: the mail server or the network may come back (a send cut short by
# the task's soft time limit is a slow server too).
TRANSIENT_ERRORS = (
    smtplib.SMTPException,
    ConnectionError,
    socket.timeout,
    TimeoutError,
    OSError,
    SoftTimeLimitExceeded,
)


def _arm(*, owner_id: int, kind: str, send_at: datetime, dedupe_key: str, **links) -> Reminder:
    """Create the reminder for this key, or re-arm it if it was cancelled; a sent one stays sent."""
    reminder, created = Reminder.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"owner_id": owner_id, "kind": kind, "send_at": send_at, **links},
    )
    if not created and reminder.status == Status.CANCELLED:
        reminder.status = Status.PENDING
        reminder.send_at = send_at
        reminder.claimed_at = None
        reminder.attempts = 0
        reminder.last_error = ""
        reminder.save(update_fields=["status", "send_at", "claimed_at", "attempts", "last_error"])
    return reminder


def _cancel(queryset, reason: str) -> int:
    return queryset.filter(status=Status.PENDING).update(status=Status.CANCELLED, last_error=reason)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# --- planning ----------------------------------------------------------------------------


def _reminders_wanted(owner_id: int) -> bool:
    """Whether the user takes reminder emails at all."""
    return Profile.objects.filter(user_id=owner_id).values_list("email_reminders", flat=True).first() is not False


# A follow-up entered (or restored, or imported) already this far past due gets no e-mail of
# its own: the user knows about it, and the daily digest lists it as overdue. Without this a
# restored backup or a back-dated entry would set off a burst of "due" e-mails at once.
LATE_PLANNING_GRACE = timedelta(minutes=15)


def plan_follow_up_reminder(follow_up: FollowUp, now: datetime | None = None) -> None:
    """One `follow_up_due` email at the follow-up's due time; an earlier time's email is withdrawn.

    Nothing is armed while the user has email reminders off (switching them back on re-plans,
    see profile_changed), nor for a follow-up that was already long overdue when planned.
    """
    now = now or timezone.now()
    key = f"follow_up_due:{follow_up.pk}:{_stamp(follow_up.due_at)}"
    _cancel(follow_up.reminders.exclude(dedupe_key=key), "The follow-up was moved.")
    if not _reminders_wanted(follow_up.owner_id):
        return
    if follow_up.due_at < now - LATE_PLANNING_GRACE and not follow_up.reminders.filter(dedupe_key=key).exists():
        return
    _arm(
        owner_id=follow_up.owner_id,
        kind=Kind.FOLLOW_UP_DUE,
        send_at=follow_up.due_at,
        dedupe_key=key,
        follow_up=follow_up,
    )


def cancel_follow_up_reminders(follow_up: FollowUp, reason: str) -> None:
    """The follow-up was completed or cancelled: its pending email is withdrawn."""
    _cancel(follow_up.reminders.all(), reason)


def cancel_follow_ups_reminders(follow_up_ids, reason: str) -> int:
    """Many follow-ups moved or closed at once (a routine change, issue #14): one UPDATE."""
    return _cancel(Reminder.objects.filter(follow_up_id__in=follow_up_ids), reason)


CHAT_PREP_LEAD = timedelta(hours=24)
CHAT_SOON_LEAD = timedelta(hours=1)


def plan_chat_reminders(conversation: Conversation, now: datetime | None = None) -> None:
    """The prep brief 24 h before and a heads-up 1 h before the chat; re-planned on reschedule.

    A chat booked at short notice gets its prep brief at once; a chat under an hour away
    gets only the heads-up; a chat in the past (logged after the fact) gets neither.
    """
    now = now or timezone.now()
    wanted = _chat_reminders_wanted(conversation.pk, conversation.scheduled_for, now)
    _cancel(
        conversation.reminders.filter(kind__in=[Kind.CHAT_PREP, Kind.CHAT_SOON]).exclude(dedupe_key__in=wanted),
        "The chat was moved.",
    )
    if not _reminders_wanted(conversation.owner_id):
        return
    for key, (kind, send_at) in wanted.items():
        _arm(owner_id=conversation.owner_id, kind=kind, send_at=send_at, dedupe_key=key, conversation=conversation)


def _chat_reminders_wanted(conversation_id: int, start: datetime, now: datetime) -> dict[str, tuple[str, datetime]]:
    """{dedupe key: (kind, send_at)} of the chat reminders a chat starting at `start` should have."""
    wanted = {}
    if start > now:
        wanted[f"chat_soon:{conversation_id}:{_stamp(start)}"] = (Kind.CHAT_SOON, max(now, start - CHAT_SOON_LEAD))
        if start - now > CHAT_SOON_LEAD:
            wanted[f"chat_prep:{conversation_id}:{_stamp(start)}"] = (Kind.CHAT_PREP, max(now, start - CHAT_PREP_LEAD))
    return wanted


def cancel_conversation_reminders(conversation: Conversation, reason: str) -> None:
    """The chat was held, declined or cancelled: its prep brief and heads-up are withdrawn."""
    _cancel(conversation.reminders.filter(kind__in=[Kind.CHAT_PREP, Kind.CHAT_SOON]), reason)


# A digest hour that passed less than this long ago still counts for today (e.g. a user who
# signs up at 08:20 with the 08:00 default gets today's digest now, not tomorrow's).
DIGEST_GRACE = timedelta(hours=1)


def next_digest_instant(user, now: datetime) -> tuple[datetime, date]:
    """Today's digest-hour instant (unless it is over DIGEST_GRACE ago), else tomorrow's; with its local day."""
    return _next_instant(user, now, local_today(user, now), timedelta(days=1))


def next_review_instant(user, now: datetime) -> tuple[datetime, date]:
    """This week's Monday at the digest hour (unless it is over DIGEST_GRACE ago), else next
    Monday's; with that Monday's date. Monday is the ISO week's first day on the user's clock.

    The review looks back at the week before its Monday, so the first one comes on the first
    Monday after the account was opened: a week the account did not see has nothing to review.
    """
    monday = this_week_start(user, now)
    if user.date_joined >= local_day_bounds(user, monday)[0]:
        monday += timedelta(days=7)
    return _next_instant(user, now, monday, timedelta(days=7))


def _next_instant(user, now: datetime, day: date, period: timedelta) -> tuple[datetime, date]:
    tz = user_tz(user)
    hour = user.profile.digest_hour
    send_at = local_instant(day, hour, tz)
    if send_at <= now - DIGEST_GRACE:
        day = day + period
        send_at = local_instant(day, hour, tz)
    return send_at, day


@dataclass(frozen=True)
class Periodic:
    """An e-mail sent once per local period (a day, a week) at the digest hour, while its
    profile switch is on. One row per user per period: the dedupe key holds the period's date."""

    kind: str
    setting: str  # the Profile switch that turns it on or off
    period: timedelta
    first: Callable[[object, datetime], tuple[datetime, date]]  # the next instant and its local date
    current: Callable[[object, datetime], date]  # the local date of the period holding `now`
    off_reason: str

    def key(self, user, day: date) -> str:
        return f"{self.kind}:{user.pk}:{day.isoformat()}"


PERIODIC = {
    Kind.DAILY_DIGEST: Periodic(
        Kind.DAILY_DIGEST,
        "daily_digest",
        timedelta(days=1),
        next_digest_instant,
        local_today,
        "The daily digest is turned off.",
    ),
    Kind.WEEKLY_REVIEW: Periodic(
        Kind.WEEKLY_REVIEW,
        "weekly_review",
        timedelta(days=7),
        next_review_instant,
        this_week_start,
        "The weekly review is turned off.",
    ),
}


def plan_digest(user, now: datetime | None = None) -> Reminder | None:
    """Make sure the user's next daily digest has a row (see plan_periodic)."""
    return plan_periodic(user, Kind.DAILY_DIGEST, now)


def plan_periodic(user, kind: str, now: datetime | None = None) -> Reminder | None:
    """Make sure the user's next digest (or weekly review) has a row.

    One row per user per local day (per local week for the review: the key holds the date),
    so DST changes, a doubled beat or planning twice can never produce two for one period. A
    period whose row was sent, failed, or settled as "nothing to say" is used up; only one
    withdrawn before its time came (the user switched it off, then on again) is armed again:
    delivery never touches a row before its `send_at`, so such a row cannot have gone out. A
    changed time zone or hour applies to the next period that has no row yet.
    """
    spec = PERIODIC[kind]
    now = now or timezone.now()
    profile = user.profile
    if not (user.is_active and profile.email_reminders and getattr(profile, spec.setting)):
        return None
    if Reminder.objects.filter(owner=user, kind=kind, status=Status.PENDING).exists():
        return None
    tz = user_tz(user)
    send_at, day = spec.first(user, now)
    for _ in range(7):  # bounded: a used-up period can only be this one or (after a zone change) the next
        existing = Reminder.objects.filter(dedupe_key=spec.key(user, day)).first()
        if existing is None or (existing.status == Status.CANCELLED and existing.send_at > now):
            break
        if existing.status == Status.PENDING:  # planned by a concurrent sweep
            return existing
        day = day + spec.period
        send_at = local_instant(day, profile.digest_hour, tz)
    return _arm(owner_id=user.pk, kind=kind, send_at=send_at, dedupe_key=spec.key(user, day), local_date=day)


def plan_missing_digests(now: datetime | None = None) -> int:
    """Plan the next digest and weekly review of every user who wants one and has none pending."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    planned = 0
    for kind, spec in PERIODIC.items():
        users = (
            get_user_model()
            .objects.filter(is_active=True, profile__email_reminders=True, **{f"profile__{spec.setting}": True})
            .exclude(pk__in=Reminder.objects.filter(kind=kind, status=Status.PENDING).values("owner_id"))
            .select_related("profile")
        )
        for user in users.iterator(chunk_size=500):
            with transaction.atomic():
                if plan_periodic(user, kind, now):
                    planned += 1
    return planned


# --- delivery ----------------------------------------------------------------------------


CLAIM_BATCH = 500


def claim_due_reminders(now: datetime | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """Atomically claim due rows for sending and return their ids.

    Rows locked by a sender are skipped; a claim older than REMINDER_CLAIM_TIMEOUT_SECONDS
    (its task was lost with the broker or its worker died) is taken again.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    if connection.vendor == "postgresql":
        return _claim_in_one_statement(now, stale, limit)
    # Elsewhere (SQLite: one writer at a time, no SKIP LOCKED) a select and an update in one transaction.
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, send_at__lte=now)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .order_by("send_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(claimed_at=now)
    return ids


# One round trip: the due rows are picked in send order by the partial index on pending rows,
# locked (rows a sender holds are skipped) and stamped by the same statement (#12).
_CLAIM_SQL = f"""
    UPDATE {Reminder._meta.db_table} SET claimed_at = %(now)s
    WHERE id IN (
        SELECT id FROM {Reminder._meta.db_table}
        WHERE status = %(pending)s AND send_at <= %(now)s AND (claimed_at IS NULL OR claimed_at < %(stale)s)
        ORDER BY send_at, id
        LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id, send_at
"""


def _claim_in_one_statement(now: datetime, stale: datetime, limit: int) -> list[int]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, {"now": now, "stale": stale, "limit": limit, "pending": Status.PENDING})
        rows = cursor.fetchall()
    # RETURNING follows no order: send order, as the select picked them.
    return [pk for pk, _ in sorted(rows, key=lambda row: (row[1], row[0]))]


def release_claims(reminder_ids) -> int:
    """Their send tasks could not be queued (the broker is down): the next sweep takes them at once."""
    return Reminder.objects.filter(pk__in=list(reminder_ids), status=Status.PENDING).update(claimed_at=None)


def _obsolete_reason(reminder: Reminder, now: datetime) -> str | None:
    """Why this email should no longer go out, or None if it should."""
    reason = _account_obsolete_reason(reminder.owner)
    if reason is None and reminder.kind in _OBSOLETE_BY_KIND:
        reason = _OBSOLETE_BY_KIND[reminder.kind](reminder, now)
    return reason


def _account_obsolete_reason(owner) -> str | None:
    """The account takes no reminder e-mail at all."""
    if not owner.is_active:
        # A deactivated account gets no mail (and its one-click "stop" link no longer opens).
        return "The account is deactivated."
    if not owner.profile.email_reminders:
        return "Email reminders are turned off."
    if not owner.email:
        return "The account has no e-mail address."
    return None


def _follow_up_obsolete_reason(reminder: Reminder, now: datetime) -> str | None:
    follow_up = reminder.follow_up
    if follow_up is None or follow_up.status != FollowUp.Status.OPEN:
        return "The follow-up is no longer open."
    if reminder.dedupe_key != f"follow_up_due:{follow_up.pk}:{_stamp(follow_up.due_at)}":
        return "The follow-up was moved."
    return None


def _chat_obsolete_reason(reminder: Reminder, now: datetime) -> str | None:
    conversation = reminder.conversation
    if conversation is None or conversation.stage != Stage.SCHEDULED:
        return "The chat is no longer scheduled."
    if not reminder.dedupe_key.endswith(_stamp(conversation.scheduled_for)):
        return "The chat was moved."
    if conversation.scheduled_for <= now:
        return "The chat has already started."
    return None


def _digest_obsolete_reason(reminder: Reminder, now: datetime) -> str | None:
    if not reminder.owner.profile.daily_digest:
        return PERIODIC[Kind.DAILY_DIGEST].off_reason
    if reminder.local_date and now >= local_day_bounds(reminder.owner, reminder.local_date)[1]:
        # Sent late (the workers were down all day): yesterday's digest is of no use now.
        return "Its day is over."
    return None


# A review still reads as "last week" on Tuesday (the workers were down all Monday); later, not.
REVIEW_LATE_DAYS = 1


def _review_obsolete_reason(reminder: Reminder, now: datetime) -> str | None:
    if not reminder.owner.profile.weekly_review:
        return PERIODIC[Kind.WEEKLY_REVIEW].off_reason
    last_day = reminder.local_date + timedelta(days=REVIEW_LATE_DAYS) if reminder.local_date else None
    if last_day and now >= local_day_bounds(reminder.owner, last_day)[1]:
        return "Its week has moved on."
    return None


_OBSOLETE_BY_KIND = {
    Kind.FOLLOW_UP_DUE: _follow_up_obsolete_reason,
    Kind.CHAT_PREP: _chat_obsolete_reason,
    Kind.CHAT_SOON: _chat_obsolete_reason,
    Kind.DAILY_DIGEST: _digest_obsolete_reason,
    Kind.WEEKLY_REVIEW: _review_obsolete_reason,
}


# Why a periodic e-mail whose builder found nothing to say was not sent.
NOTHING_TO_SAY = {
    Kind.DAILY_DIGEST: "Nothing due, overdue or scheduled that day.",
    Kind.WEEKLY_REVIEW: "No contacts to review yet.",
}

# "Not rendered beforehand" (a rendered digest may be None: nothing to say that day).
NOT_PREPARED = object()

# Rows per send task: enough that queueing costs little, few enough that a batch finishes well
# inside the task's time limit (config/celery.py) and a killed worker's redelivery is small.
SEND_BATCH = 50
# A batch still running after this long (a mail server answering slowly) gives the rest of
# its rows back to the next sweep rather than run into the task's soft time limit.
SEND_BATCH_SECONDS = 45


def _delivery_rows():
    # No ORDER BY (the model's default order): one row by id, or a batch read into a dict.
    return Reminder.objects.select_related("owner__profile", "follow_up__contact", "conversation__contact").order_by()


def prepare_messages(reminder_ids, now: datetime | None = None) -> dict[int, object]:
    """Render (and sign the links of) the emails of these rows, with no lock held.

    Only rows that look due and wanted are rendered; whatever this returns is used only if
    the same checks pass again under the row's lock (see _deliver_locked), so a row cancelled
    or moved meanwhile is never sent. A render error is left for the locked pass to record.
    """
    from . import emails

    now = now or timezone.now()
    prepared = {}
    for reminder in _delivery_rows().filter(pk__in=list(reminder_ids), status=Status.PENDING, send_at__lte=now):
        if _obsolete_reason(reminder, now) is not None:
            continue
        try:
            prepared[reminder.pk] = emails.build_reminder_email(reminder)
        except Exception:  # recorded, with its traceback, by the locked pass
            continue
    return prepared


# Rows of a batch locked, sent and committed together (#12): one locking read, one UPDATE and
# one commit per group instead of per message. It is also the most messages a crash between
# the mail server's acceptance and the commit can send twice (README, Reminders).
SEND_GROUP = 10


def deliver_reminders(reminder_ids: list[int]) -> dict[str, int]:
    """Send a batch of claimed reminders; returns how many ended each way.

    Every row is rendered first with no lock held, then delivered SEND_GROUP rows at a time:
    the group's rows are locked in one statement, re-checked, sent over this process's open
    SMTP connection, and the accepted ones marked sent in one UPDATE and one commit. A crash
    mid-group re-sends at most the group's accepted messages. Safe to run twice: each row's
    status is checked under its lock.
    """
    started = time.monotonic()
    prepared = prepare_messages(reminder_ids)
    outcomes: dict[str, int] = {}
    for position in range(0, len(reminder_ids), SEND_GROUP):
        if time.monotonic() - started > SEND_BATCH_SECONDS:
            released = release_claims(reminder_ids[position:])
            logger.warning("Send batch ran out of time; %s reminder(s) released for the next sweep", released)
            outcomes["released"] = released
            break
        for outcome in _deliver_group(reminder_ids[position : position + SEND_GROUP], prepared):
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _deliver_group(reminder_ids: list[int], prepared: dict) -> list[str]:
    """deliver_reminder for several rows under one transaction; returns each row's outcome.

    The rows are locked in id order by one statement, so two senders (a redelivered batch)
    cannot deadlock each other: the second waits, then finds the rows sent. Should that lock
    still fail (a deadlock with a service cancelling several rows) the group goes row by row.
    """
    accepted: dict[int, int] = {}  # id → attempt number, once the mail server took the message
    try:
        with transaction.atomic():
            rows = {
                reminder.pk: reminder
                for reminder in _delivery_rows()
                .select_for_update(of=("self",))
                .filter(pk__in=reminder_ids)
                .order_by("pk")
            }
            results = []
            for reminder_id in reminder_ids:
                reminder = rows.get(reminder_id)
                if reminder is None:
                    results.append("skipped")
                    continue
                results.append(
                    _settle_locked(reminder, accepted, prepared.get(reminder_id, NOT_PREPARED), mark_sent=False)
                )
            if accepted:
                Reminder.objects.filter(pk__in=list(accepted)).update(
                    status=Status.SENT, sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1
                )
        return results
    except DatabaseError:
        # Rolled back. What the mail server took is recorded as sent on a new connection (or
        # the sweep would send it again); the rest of the group goes row by row, each row
        # re-checked under its own lock (a database that stays down raises from there).
        logger.warning("Send group %s failed in the database; going row by row", reminder_ids, exc_info=True)
        for reminder_id, attempts in accepted.items():
            _mark_sent_after_lost_commit(reminder_id, attempts=attempts)
        return [
            "sent" if pk in accepted else deliver_reminder(pk, message=prepared.get(pk, NOT_PREPARED))
            for pk in reminder_ids
        ]


def deliver_reminder(reminder_id: int, message=NOT_PREPARED) -> str:
    """Send one reminder if it is still due and wanted; return what happened.

    Safe to run twice: the row is locked for the whole send and its status is checked under
    the lock, so a second run finds it sent (or cancelled) and does nothing. A service that
    cancels the reminder meanwhile waits for the lock, so it lands either before the check
    (nothing is sent) or after the send (the email is already out).

    If the database connection is lost after the mail server took the message (a restart or a
    failover terminates it before the commit), the row is marked sent on a new connection, or
    a sweep would send the email again once the claim went stale.
    """
    accepted: dict[int, int] = {}  # id → the attempt number, once the mail server has taken the message
    try:
        return _deliver_locked(reminder_id, accepted, message)
    except DatabaseError:
        if not accepted:
            raise
        _mark_sent_after_lost_commit(reminder_id, attempts=accepted[reminder_id])
        return "sent"


# Waits before each try to record a send whose commit was lost: a restarted server is back in seconds.
LOST_COMMIT_RETRY_DELAYS = (0, 1, 2, 4)


def _mark_sent_after_lost_commit(reminder_id: int, attempts: int) -> None:
    """The message is out but its row was not committed as sent: record it on a new connection.

    A row cancelled meanwhile (the lock went with the connection) is marked sent too: the email
    did go out, and a sent row is never armed again. If the database stays unreachable, the row
    stays pending and is sent again after the claim timeout (see README, Reminders).
    """
    for delay in LOST_COMMIT_RETRY_DELAYS:
        time.sleep(delay)
        try:
            Reminder.objects.filter(pk=reminder_id, status__in=[Status.PENDING, Status.CANCELLED]).update(
                status=Status.SENT, sent_at=timezone.now(), attempts=attempts, last_error="", claimed_at=None
            )
            return
        except DatabaseError:
            connection.close()  # a broken connection is not reused; the next query opens a new one
    logger.error("Reminder %s was sent but could not be recorded as sent; it may be sent again", reminder_id)


def _deliver_locked(reminder_id: int, accepted: dict[int, int], prepared) -> str:
    """deliver_reminder's work under the row lock; a send the mail server took goes in `accepted`.

    `prepared` is the message rendered before the lock (prepare_messages), or NOT_PREPARED.
    It is sent only after the status and every "still wanted" check pass again under the lock.
    """
    with transaction.atomic():
        reminder = _delivery_rows().select_for_update(of=("self",)).filter(pk=reminder_id).first()
        if reminder is None:
            return "skipped"
        return _settle_locked(reminder, accepted, prepared, mark_sent=True)


def _settle_locked(reminder: Reminder, accepted, prepared, mark_sent: bool) -> str:
    """Check, send and record one reminder whose row lock the caller holds in its transaction.

    A send the mail server took goes in `accepted` (id → attempt number). With mark_sent=False the row is left for the caller to mark sent
    in its own UPDATE before its commit (_deliver_group); failures and cancellations are
    saved here either way.
    """
    from . import emails

    if reminder.status != Status.PENDING:
        return "skipped"
    now = timezone.now()
    if reminder.send_at > now:
        # Moved to a later time (a retry's back-off) since it was claimed: the sweep
        # takes it again when it is due.
        reminder.claimed_at = None
        reminder.save(update_fields=["claimed_at"])
        return "not-due"
    reason = _obsolete_reason(reminder, now)
    message = None
    if reason is None:
        try:
            message = prepared if _still_fits(prepared, reminder) else emails.build_reminder_email(reminder)
        except Exception as exc:  # a bug must not leave the row claimed forever
            logger.exception("Reminder %s could not be rendered", reminder.pk)
            _record_failure(reminder, exc, now, permanent=True)
            return reminder.status
        if message is None:  # e.g. a digest on a day with nothing to say
            reason = NOTHING_TO_SAY[reminder.kind]
    if reason:
        reminder.status = Status.CANCELLED
        reminder.last_error = reason
        reminder.save(update_fields=["status", "last_error"])
        result = "cancelled"
    else:
        reminder.attempts += 1
        try:
            emails.send_message(message)
            accepted[reminder.pk] = reminder.attempts
        except TRANSIENT_ERRORS as exc:
            _record_failure(reminder, exc, now, permanent=_is_permanent(exc))
            result = reminder.status
        except Exception as exc:
            # Not the mail server's answer (e.g. an address the backend cannot encode): a
            # retry would fail the same way. Let through, it would roll the attempt back and
            # leave the row claimed, re-sent every claim timeout with no error ever shown.
            logger.exception("Reminder %s could not be sent", reminder.pk)
            _record_failure(reminder, exc, now, permanent=True)
            result = reminder.status
        else:
            reminder.status = Status.SENT
            reminder.sent_at = timezone.now()
            reminder.last_error = ""
            if mark_sent:
                reminder.save(update_fields=["status", "sent_at", "attempts", "last_error"])
            result = "sent"
    if reminder.kind in PERIODIC and reminder.status != Status.PENDING:
        # The next day's digest (next week's review) is planned as soon as this one is settled.
        owner_id, kind = reminder.owner_id, reminder.kind
        transaction.on_commit(lambda: _plan_next_periodic(owner_id, kind))
    return result


def _still_fits(prepared, reminder: Reminder) -> bool:
    """A message rendered before the lock is sent only to the address the account has now."""
    if prepared is NOT_PREPARED:
        return False
    return prepared is None or list(prepared.to) == [reminder.owner.email]


def _is_permanent(exc: Exception) -> bool:
    """A 5xx refusal of this recipient or this message will not change on retry; 4xx answers and
    network errors may. So may a 5xx about the server's own set-up (log-in refused, sender not
    allowed, greeting refused): the operator fixes it and the reminder still goes out, instead
    of every reminder due meanwhile failing at its first attempt."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return isinstance(exc.smtp_code, int) and 500 <= exc.smtp_code < 600
    return False


def _record_failure(reminder: Reminder, exc: Exception, now: datetime, permanent: bool = False) -> None:
    """Back off exponentially; after REMINDER_MAX_ATTEMPTS the row is `failed` for the user to see."""
    reminder.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    reminder.claimed_at = None
    if permanent or reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        reminder.status = Status.FAILED
    else:
        delay = settings.REMINDER_RETRY_BASE_SECONDS * 2 ** (reminder.attempts - 1)
        reminder.send_at = now + timedelta(seconds=delay)
    reminder.save(update_fields=["status", "last_error", "claimed_at", "attempts", "send_at"])
    logger.warning("Reminder %s attempt %s failed: %s", reminder.pk, reminder.attempts, reminder.last_error)


def _plan_next_periodic(user_id: int, kind: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("profile").filter(pk=user_id).first()
    if user is not None:
        with transaction.atomic():
            plan_periodic(user, kind)


def profile_changed(user) -> None:
    """Settings changed: withdraw what is no longer wanted, plan what now is.

    A new hour or zone applies from the next day: today's pending digest keeps its time,
    unless the digest or reminders were switched off.
    """
    profile = user.profile
    if not profile.email_reminders:
        _cancel(Reminder.objects.filter(owner=user), "Email reminders are turned off.")
        return
    now = timezone.now()
    for kind, spec in PERIODIC.items():
        if not getattr(profile, spec.setting):
            _cancel(Reminder.objects.filter(owner=user, kind=kind), spec.off_reason)
            continue
        # This period's row keeps its time. One planned for another period is planned again under
        # the new zone and hour: left alone, a digest keyed to another zone's date could land on a
        # local day that already had one (e.g. after moving from Asia/Kolkata to America/Toronto).
        # A pending row for a period that is no longer current on the new clock (a big eastward
        # move puts "today" a day ahead) is re-planned too, or that new period would get none.
        _cancel(
            Reminder.objects.filter(owner=user, kind=kind).exclude(local_date=spec.current(user, now)),
            "The e-mail's time changed.",
        )
        plan_periodic(user, kind, now)
    _rearm_future(user)


def _rearm_future(user) -> None:
    """After reminders are switched back on, future emails for open work come back.

    In bulk, a fixed number of queries however much is open: what plan_follow_up_reminder and
    plan_chat_reminders do one item at a time (withdraw other times, re-arm a cancelled row
    for the same key, create the missing ones).
    """
    now = timezone.now()
    wanted: dict[str, Reminder] = {}
    follow_ups = FollowUp.objects.filter(owner=user, status=FollowUp.Status.OPEN, due_at__gt=now)
    for follow_up_id, due_at in follow_ups.values_list("id", "due_at"):
        key = f"follow_up_due:{follow_up_id}:{_stamp(due_at)}"
        wanted[key] = Reminder(
            owner_id=user.pk, kind=Kind.FOLLOW_UP_DUE, send_at=due_at, dedupe_key=key, follow_up_id=follow_up_id
        )
    chats = Conversation.objects.filter(owner=user, stage=Stage.SCHEDULED, scheduled_for__gt=now)
    for conversation_id, start in chats.values_list("id", "scheduled_for"):
        for key, (kind, send_at) in _chat_reminders_wanted(conversation_id, start, now).items():
            wanted[key] = Reminder(
                owner_id=user.pk, kind=kind, send_at=send_at, dedupe_key=key, conversation_id=conversation_id
            )
    _cancel(
        Reminder.objects.filter(owner=user, kind__in=[Kind.FOLLOW_UP_DUE, Kind.CHAT_PREP, Kind.CHAT_SOON])
        .filter(Q(follow_up__in=follow_ups) | Q(conversation__in=chats))
        .exclude(dedupe_key__in=wanted),
        "The reminder was re-planned.",
    )
    existing = dict(Reminder.objects.filter(owner=user, dedupe_key__in=wanted).values_list("dedupe_key", "status"))
    # A cancelled row for a wanted key comes back (a sent or pending one stays as it is). Its
    # send_at stands: the key pins the due time, and a chat reminder's lead time that has
    # already passed sends at the next sweep either way.
    rearmed = [key for key, status in existing.items() if status == Status.CANCELLED]
    Reminder.objects.filter(owner=user, dedupe_key__in=rearmed).update(
        status=Status.PENDING, claimed_at=None, attempts=0, last_error=""
    )
    Reminder.objects.bulk_create(
        [reminder for key, reminder in wanted.items() if key not in existing], ignore_conflicts=True, batch_size=500
    )


def reminder_emails_turn_off(*, user, kind: str) -> str:
    """The one-click "stop these emails" link: the digest's link turns off the digest, the weekly
    review's the review, any other reminder's link turns off reminder emails. Returns the
    profile setting that was switched.
    """
    setting = PERIODIC[kind].setting if kind in PERIODIC else "email_reminders"
    with transaction.atomic():
        profile = Profile.objects.select_for_update().select_related("user").get(user=user)
        profile_update(profile=profile, **{setting: False})
    user.profile = profile
    return setting
