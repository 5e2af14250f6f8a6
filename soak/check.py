"""What the soak checks once the load has stopped: the database against what the clients were
told, and the SMTP sink against the reminder rows. Runs inside the orchestrator after
django.setup(); every function reads only the rows of one phase (its accounts, its run token).
"""

import time
from collections import Counter, defaultdict
from datetime import datetime
from datetime import timezone as dt_timezone

from django.db import connection
from django.db.models import Q

from contacts.models import Contact
from crm.models import Note
from outreach.models import Conversation, FollowUp, Reminder, StageChange

# Where each kind of write keeps the client's token (a name nobody else uses).
TOKEN_FIELDS = {
    "contact": (Contact, "last_name"),
    "conversation": (Conversation, "agenda"),
    "follow_up": (FollowUp, "title"),
    "note": (Note, "body"),
}
Status = Reminder.Status


def fresh_connection() -> None:
    """The fault phase terminates every connection to the database, this process's included."""
    connection.close()


def check_writes(ledgers: list[dict], run: str) -> dict:
    """Per kind: acknowledged (201), lost (a 201 whose row is missing), duplicated (one token,
    several rows), unanswered (an attempt that got no 201 but was written: an answer lost on
    the way back, which is not an error of the server) and phantom (a row no client attempted)."""
    fresh_connection()
    report = {}
    for kind, (model, field) in TOKEN_FIELDS.items():
        rows = defaultdict(set)
        for token, pk, owner in model.objects.filter(**{f"{field}__startswith": f"{run}-"}).values_list(
            field, "pk", "owner__username"
        ):
            rows[token].add((pk, owner))
        attempted = {token for ledger in ledgers for token in ledger["attempted"][kind]}
        acknowledged = {
            token: (pk, ledger["account"]) for ledger in ledgers for token, pk in ledger["acknowledged"][kind].items()
        }
        report[kind] = {
            "attempted": len(attempted),
            "acknowledged": len(acknowledged),
            "lost": sorted(t for t, row in acknowledged.items() if row not in rows.get(t, ())),
            "duplicated": sorted(t for t, found in rows.items() if len(found) > 1),
            "unanswered": sorted(t for t in rows if t in attempted and t not in acknowledged),
            "phantom": sorted(t for t in rows if t not in attempted),
        }
    return report


def check_imports(ledgers: list[dict]) -> dict:
    """Both clients of an account import the same file: each row is one person in that account,
    present once any of the account's imports succeeded."""
    fresh_connection()
    accounts = {ledger["account"] for ledger in ledgers}
    succeeded = {ledger["account"]: ledger["imported"] for ledger in ledgers if ledger["imported"]}
    counts = Counter(
        Contact.objects.filter(owner__username__in=accounts, last_name="Imported").values_list(
            "owner__username", "first_name"
        )
    )
    return {
        "accounts_imported": len(succeeded),
        "duplicated": sorted(f"{account}: {name} ×{n}" for (account, name), n in counts.items() if n > 1),
        "lost": sorted(f"{a}: {name}" for a, names in succeeded.items() for name in names if not counts[(a, name)]),
    }


def check_states(ledgers: list[dict], run: str) -> dict:
    """Each conversation's stage is the one its client's last successful move answered, each
    follow-up's status the one its client last saw; and a conversation's stage is the stage its
    own history ends with."""
    fresh_connection()
    stages = {int(pk): stage for ledger in ledgers for pk, stage in ledger["stages"].items()}
    statuses = {int(pk): status for ledger in ledgers for pk, status in ledger["follow_ups"].items()}
    in_db = dict(Conversation.objects.filter(pk__in=stages).values_list("pk", "stage"))
    stage_mismatches = [
        {"conversation": pk, "client": stage, "database": in_db.get(pk)}
        for pk, stage in stages.items()
        if stage is not None and in_db.get(pk) != stage
    ]
    in_db = dict(FollowUp.objects.filter(pk__in=statuses).values_list("pk", "status"))
    status_mismatches = [
        {"follow_up": pk, "client": status, "database": in_db.get(pk)}
        for pk, status in statuses.items()
        if status is not None and in_db.get(pk) != status
    ]
    last_change: dict[int, str] = {}
    changes = StageChange.objects.filter(conversation__agenda__startswith=f"{run}-").order_by("pk")
    for conversation_id, stage in changes.values_list("conversation_id", "stage"):
        last_change[conversation_id] = stage
    conversations = Conversation.objects.filter(agenda__startswith=f"{run}-").values_list("pk", "stage")
    history_mismatches = [pk for pk, stage in conversations if last_change.get(pk, "planned") != stage]
    return {
        "conversations": len(stages),
        "stage_unknown": sum(1 for stage in stages.values() if stage is None),
        "stage_mismatches": stage_mismatches,
        "follow_ups": len(statuses),
        "status_unknown": sum(1 for status in statuses.values() if status is None),
        "status_mismatches": status_mismatches,
        "history_mismatches": history_mismatches,
    }


def unsettled(usernames: list[str]):
    """Reminder rows the workers still owe: pending and due, retrying, or claimed."""
    now = datetime.now(dt_timezone.utc)
    return Reminder.objects.filter(owner__username__in=usernames, status=Status.PENDING).filter(
        Q(send_at__lte=now) | Q(attempts__gt=0) | Q(claimed_at__isnull=False)
    )


def settle(usernames: list[str], timeout: float) -> float:
    """Wait until the workers owe nothing more (or `timeout`); returns the seconds waited."""
    fresh_connection()
    started = time.monotonic()
    while time.monotonic() - started < timeout and unsettled(usernames).exists():
        time.sleep(0.5)
    return time.monotonic() - started


def check_reminders(usernames: list[str], sink) -> dict:
    """Every `sent` row arrived exactly once; nothing arrived twice or for a row that is not
    `sent`; nothing is still owed after the settle, nothing `failed`. The rows are read before
    the sink: a message is accepted before its row commits as sent, so a row read as sent has
    its message at the sink already."""
    fresh_connection()
    rows = list(Reminder.objects.filter(owner__username__in=usernames))
    owed = {row.pk for row in unsettled(usernames)}
    sink_ids, first_arrivals = sink.message_ids(), sink.first_arrivals()
    by_message_id = {row.message_id: row for row in rows}
    sent = {row.message_id: row for row in rows if row.status == Status.SENT}
    mine = {mid: count for mid, count in sink_ids.items() if mid in by_message_id}
    return {
        "rows": dict(Counter(row.status for row in rows)),
        "kinds_sent": dict(Counter(row.kind for row in sent.values())),
        "sent": len(sent),
        "arrived": sum(mine.values()),
        "arrived_once": sum(1 for mid in sent if sink_ids[mid] == 1),
        "sent_not_arrived": [row.dedupe_key for mid, row in sent.items() if sink_ids[mid] == 0],
        "duplicated": {
            by_message_id[mid].dedupe_key: {"copies": count, "first_arrival": first_arrivals[mid]}
            for mid, count in mine.items()
            if count > 1
        },
        "arrived_not_sent": [by_message_id[mid].dedupe_key for mid in mine if mid not in sent],
        "still_owed": [row.dedupe_key for row in rows if row.pk in owed],
        "failed": [f"{row.dedupe_key}: {row.last_error}" for row in rows if row.status == Status.FAILED],
        "message_ids": sorted(by_message_id),
    }
