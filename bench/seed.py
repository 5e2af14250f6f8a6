"""Seed the benchmark database in bulk (INSERT … SELECT generate_series: no per-row Python).

Sizes (issue #12): at scale s, 100,000·s contacts and 250,000·s reminder rows, of which one
heavy user always has 10,000 contacts, 5,000 conversations and 20,000 follow-ups (~6,000
overdue), and exactly 1,000 reminders are due. The rest belongs to filler users.
"""

from django.contrib.auth import get_user_model
from django.db import connection

from accounts.models import Profile

HEAVY = "heavy"
PASSWORD = "bench-password"
FILLER_USERS = 200
HEAVY_CONTACTS = 10_000
HEAVY_CONVERSATIONS = 5_000
HEAVY_FOLLOW_UPS = 20_000
HEAVY_OVERDUE = 6_000
DUE_REMINDERS = 1_000
CONTACTS_AT_1X = 100_000
REMINDERS_AT_1X = 250_000

# Stages of the heavy user's conversations, by share of 100 (scheduled ones get a future time).
STAGE_MIX = "CASE WHEN g % 100 < 20 THEN 'planned' WHEN g % 100 < 50 THEN 'requested' WHEN g % 100 < 56 THEN 'scheduled' WHEN g % 100 < 80 THEN 'held' WHEN g % 100 < 88 THEN 'declined' ELSE 'no_response' END"  # noqa: E501
KINDS = "(ARRAY['coffee_chat','informational_interview','case_study_feedback','referral_request'])[1 + g % 4]"
SOURCES = "(ARRAY['linkedin','internal','referral','event','other'])[1 + g % 5]"


def _users(filler: int):
    User = get_user_model()
    heavy = User.objects.create_user(HEAVY, "heavy@example.com", PASSWORD, first_name="Hea")
    users = User.objects.bulk_create(
        [User(username=f"filler{n}", email=f"filler{n}@example.com", password="!") for n in range(filler)]
    )
    existing = set(Profile.objects.values_list("user_id", flat=True))
    Profile.objects.bulk_create([Profile(user=u) for u in users if u.pk not in existing])
    Profile.objects.filter(user=heavy).update(daily_digest=False, pathway="build_experience")
    return heavy, users


def seed(scale: int) -> dict:
    """Fill an empty, migrated database; returns the ids the measurements need."""
    heavy, fillers = _users(FILLER_USERS)
    first_filler, last_filler = fillers[0].pk, fillers[-1].pk
    n_fill = last_filler - first_filler + 1
    filler_contacts = CONTACTS_AT_1X * scale - HEAVY_CONTACTS
    reminders = REMINDERS_AT_1X * scale
    h = heavy.pk
    sql = [
        # Companies: 500 for the heavy user.
        f"""INSERT INTO contacts_company (owner_id, name, name_key, website, industry, notes, created_at, target,
                motivation, posting)
            SELECT {h}, 'Company ' || g, 'company ' || g, '', '', '', now(), false, 0, 0
            FROM generate_series(1, 500) g""",
        # The heavy user's contacts, then everyone else's.
        f"""INSERT INTO contacts_contact (owner_id, first_name, last_name, email, linkedin_url, title, relationship,
                source, how_we_met, archived, created_at, updated_at, company_id)
            SELECT {h}, 'First' || (g % 997), 'Last' || g, 'c' || g || '@example.com', '', 'Engineer', 'other',
                {SOURCES}, '', false, now() - (g || ' minutes')::interval, now(),
                (SELECT min(id) FROM contacts_company WHERE owner_id = {h}) + g % 500
            FROM generate_series(1, {HEAVY_CONTACTS}) g""",
        f"""INSERT INTO contacts_contact (owner_id, first_name, last_name, email, linkedin_url, title, relationship,
                source, how_we_met, archived, created_at, updated_at)
            SELECT {first_filler} + g % {n_fill}, 'First' || (g % 997), 'Filler' || g, '', '', '', 'other',
                {SOURCES}, '', false, now(), now()
            FROM generate_series(1, {filler_contacts}) g""",
        # The heavy user's conversations: one per contact for the first 5,000 contacts.
        f"""INSERT INTO outreach_conversation (owner_id, contact_id, kind, channel, stage, duration_minutes, location,
                agenda, outcome, created_at, updated_at, calendar_sequence, message_body, message_subject,
                requested_at, scheduled_for)
            SELECT {h}, c.id, {KINDS.replace("g %", "c.g %")}, 'linkedin', {STAGE_MIX.replace("g %", "c.g %")}, 30,
                '', '', '', now() - (c.g || ' hours')::interval, now() - (c.g || ' minutes')::interval, 0, '', '',
                now() - (c.g || ' hours')::interval,
                CASE WHEN c.g % 100 BETWEEN 50 AND 55 THEN now() + (c.g || ' minutes')::interval END
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS g FROM contacts_contact WHERE owner_id = {h}
                  ORDER BY id LIMIT {HEAVY_CONVERSATIONS}) c""",
        f"""INSERT INTO outreach_stagechange (owner_id, conversation_id, from_stage, stage, at, recorded_at)
            SELECT {h}, id, 'planned', 'requested', created_at, now() FROM outreach_conversation
            WHERE owner_id = {h} AND stage <> 'planned'""",
        f"""INSERT INTO outreach_stagechange (owner_id, conversation_id, from_stage, stage, at, recorded_at)
            SELECT {h}, id, 'requested', stage, updated_at, now() FROM outreach_conversation
            WHERE owner_id = {h} AND stage NOT IN ('planned', 'requested')""",
        # 20,000 follow-ups: 6,000 overdue, 10,000 ahead, 4,000 done.
        f"""INSERT INTO outreach_followup (owner_id, contact_id, kind, title, due_at, status, completed_at, created_at)
            SELECT {h}, (SELECT min(id) FROM contacts_contact WHERE owner_id = {h}) + g % {HEAVY_CONTACTS}, 'other',
                'Follow up ' || g,
                CASE WHEN g <= {HEAVY_OVERDUE} THEN now() - (g || ' minutes')::interval
                     ELSE now() + (g || ' minutes')::interval END,
                CASE WHEN g > 16000 THEN 'done' ELSE 'open' END,
                CASE WHEN g > 16000 THEN now() END, now()
            FROM generate_series(1, {HEAVY_FOLLOW_UPS}) g""",
        # Reminder rows: a pending digest per filler user (so planning finds nobody to plan),
        # 1,000 due, 5 % pending ahead, the rest sent.
        f"""INSERT INTO outreach_reminder (owner_id, kind, send_at, status, attempts, last_error, dedupe_key,
                created_at, local_date)
            SELECT u, 'daily_digest', now() + interval '6 hours', 'pending', 0, '', 'bench-digest:' || u, now(),
                current_date
            FROM generate_series({first_filler}, {last_filler}) u""",
        f"""INSERT INTO outreach_reminder (owner_id, kind, send_at, status, attempts, last_error, dedupe_key,
                created_at, sent_at)
            SELECT CASE WHEN g % 10 = 0 THEN {h} ELSE {first_filler} + g % {n_fill} END,
                'follow_up_due',
                CASE WHEN g <= {DUE_REMINDERS} THEN now() - (g || ' seconds')::interval
                     WHEN g % 20 = 0 THEN now() + (g || ' seconds')::interval
                     ELSE now() - (g || ' seconds')::interval END,
                CASE WHEN g <= {DUE_REMINDERS} OR g % 20 = 0 THEN 'pending' ELSE 'sent' END,
                1, '', 'bench:' || g, now(),
                CASE WHEN g <= {DUE_REMINDERS} OR g % 20 = 0 THEN NULL ELSE now() END
            FROM generate_series(1, {reminders - n_fill}) g""",
    ]
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)
        cursor.execute("ANALYZE")
    return {"heavy": heavy, "filler_ids": (first_filler, last_filler)}


def reset_due_claims() -> None:
    """Put the 1,000 due rows back as pending and unclaimed (between sweep runs).

    Then VACUUM: claiming and resetting the same 1,000 rows dozens of times a minute leaves
    chains of dead versions that each later claim walks (27 buffers per row by primary key in
    a 2026-12-04 run), which real sweeps, each claiming other rows, never see.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE outreach_reminder SET claimed_at = NULL, status = 'pending' WHERE dedupe_key IN "
            f"(SELECT 'bench:' || g FROM generate_series(1, {DUE_REMINDERS}) g)"
        )
        if connection.in_atomic_block is False:
            cursor.execute("VACUUM outreach_reminder")


def seed_deliveries(count: int) -> tuple:
    """A user with `count` follow-ups due a minute ago, each with its armed reminder (the
    dedupe key delivery checks); returns the user."""
    User = get_user_model()
    user = User.objects.create_user("mailer", "mailer@example.com", None)
    Profile.objects.filter(user=user).update(daily_digest=False)
    contact_sql = f"""INSERT INTO contacts_contact (owner_id, first_name, last_name, email, linkedin_url, title,
        relationship, source, how_we_met, archived, created_at, updated_at)
        VALUES ({user.pk}, 'Mail', 'Target', '', '', '', 'other', 'other', '', false, now(), now()) RETURNING id"""
    with connection.cursor() as cursor:
        cursor.execute(contact_sql)
        (contact_id,) = cursor.fetchone()
        cursor.execute(
            f"""INSERT INTO outreach_followup (owner_id, contact_id, kind, title, due_at, status, created_at)
                SELECT {user.pk}, {contact_id}, 'other', 'Send the deck ' || g,
                    date_trunc('second', now()) - interval '1 minute', 'open', now()
                FROM generate_series(1, {count}) g"""
        )
        cursor.execute(
            f"""INSERT INTO outreach_reminder (owner_id, kind, send_at, status, attempts, last_error, dedupe_key,
                    created_at, follow_up_id)
                SELECT {user.pk}, 'follow_up_due', due_at, 'pending', 0, '',
                    'follow_up_due:' || id || ':' || to_char(due_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"'),
                    now(), id
                FROM outreach_followup WHERE owner_id = {user.pk}"""
        )
        cursor.execute("ANALYZE outreach_reminder")
    return user
