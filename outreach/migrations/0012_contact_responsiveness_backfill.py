# Issue #14: label existing contacts booster / obligate / curmudgeon from their asks.
"""A data migration, in plain ORM on the historical models (no app code), so it keeps working
as the services change. The rule is outreach.services.responsiveness_label's as of issue #14:
the contact's most recent ask that was answered or given up decides; declined → curmudgeon;
a reply within 3 business days of the request (local dates on the user's clock, by their
workweek, Mon–Fri when they have no profile) → booster, later → obligate; moved to
no_response after a done nudge → curmudgeon; a chat logged after the fact says nothing."""

import zoneinfo
from datetime import timedelta

from django.db import migrations

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BOOSTER_BUSINESS_DAYS = 3


def _business_days_between(start, end, days) -> int:
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        count += current.isoweekday() in days
    return count


def _label(row, given_up_at, nudged, tz, days):
    stage, requested_at, replied_at = row["stage"], row["requested_at"], row["replied_at"]
    if stage == "declined":
        return (replied_at or given_up_at or requested_at), "curmudgeon"
    if replied_at is not None and (requested_at is None or replied_at >= requested_at):
        if requested_at is None or replied_at == requested_at:
            return None
        waited = _business_days_between(requested_at.astimezone(tz).date(), replied_at.astimezone(tz).date(), days)
        return replied_at, "booster" if waited <= BOOSTER_BUSINESS_DAYS else "obligate"
    if stage == "no_response" and nudged and given_up_at is not None:
        return given_up_at, "curmudgeon"
    return None


def backfill(apps, schema_editor):
    Conversation = apps.get_model("outreach", "Conversation")
    StageChange = apps.get_model("outreach", "StageChange")
    FollowUp = apps.get_model("outreach", "FollowUp")
    Contact = apps.get_model("contacts", "Contact")
    Profile = apps.get_model("accounts", "Profile")
    clocks = {
        user_id: (zoneinfo.ZoneInfo(tz), frozenset(WEEKDAYS.index(d) + 1 for d in week.split(",") if d in WEEKDAYS))
        for user_id, tz, week in Profile.objects.values_list("user_id", "timezone", "workweek")
    }
    default_clock = (zoneinfo.ZoneInfo("UTC"), frozenset({1, 2, 3, 4, 5}))
    given_up = {}
    for conversation_id, at in StageChange.objects.filter(stage="no_response").values_list("conversation_id", "at"):
        given_up[conversation_id] = max(at, given_up.get(conversation_id, at))
    nudged = set(
        FollowUp.objects.filter(kind="nudge", status="done", conversation__isnull=False).values_list(
            "conversation_id", flat=True
        )
    )
    best = {}
    rows = Conversation.objects.exclude(replied_at__isnull=True, stage__in=("requested", "planned")).values(
        "id", "owner_id", "contact_id", "stage", "requested_at", "replied_at"
    )
    for row in rows.iterator(chunk_size=2000):
        tz, days = clocks.get(row["owner_id"], default_clock)
        label = _label(row, given_up.get(row["id"]), row["id"] in nudged, tz, days or default_clock[1])
        if label is not None and (row["contact_id"] not in best or label[0] > best[row["contact_id"]][0]):
            best[row["contact_id"]] = label
    by_label = {}
    for contact_id, (_, value) in best.items():
        by_label.setdefault(value, []).append(contact_id)
    for value, ids in by_label.items():
        for start in range(0, len(ids), 500):
            Contact.objects.filter(pk__in=ids[start : start + 500]).update(responsiveness=value)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_career_settings"),
        ("contacts", "0007_career_targets_and_responsiveness"),
        ("outreach", "0011_weekly_review"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
