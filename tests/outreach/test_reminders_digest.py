"""The daily digest: once per user per local day at the digest hour, across DST changes,
only on days with something to say, and honouring the user's settings."""

import datetime as dt
import zoneinfo
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from accounts.services import profile_update
from outreach.models import Reminder
from outreach.services import conversation_transition, follow_up_complete, follow_up_create
from tests.factories import ContactFactory, aware, conversation

UTC = zoneinfo.ZoneInfo("UTC")


def sweep():
    call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))


def digests():
    return [m for m in mail.outbox if m.extra_headers.get("X-Coffeechat-Reminder") == "daily_digest"]


def run_days(traveller, start, days, step=timedelta(minutes=20)):
    """Sweep every `step` from `start` for `days` days, as beat would (coarser, same effect)."""
    moment = start
    while moment < start + timedelta(days=days):
        traveller.move_to(moment)
        sweep()
        moment += step


def sent_digest_times(tz):
    return [
        r.sent_at.astimezone(tz)
        for r in Reminder.objects.filter(kind="daily_digest", status="sent").order_by("sent_at")
    ]


def set_up(user, tz_name, hour, start):
    with time_machine.travel(start - timedelta(days=1), tick=False):
        profile_update(profile=user.profile, timezone=tz_name, digest_hour=hour)
        contact = ContactFactory(owner=user)
        # Overdue from the first day on, so every day has something to say.
        follow_up_create(
            owner=user, contact=contact, kind="other", title="Owed for ages", due_at=start - timedelta(hours=12)
        )


# 2026: North America springs forward Mar 8 and falls back Nov 1; the UK on Mar 29 and Oct 25.
DST_CASES = [
    ("America/Toronto", dt.date(2026, 3, 6)),
    ("America/Toronto", dt.date(2026, 10, 30)),
    ("Europe/London", dt.date(2026, 3, 27)),
    ("Europe/London", dt.date(2026, 10, 23)),
    ("Asia/Kolkata", dt.date(2026, 3, 6)),
    ("Asia/Kolkata", dt.date(2026, 10, 30)),
]


@pytest.mark.slow
@pytest.mark.parametrize(("tz_name", "first_day"), DST_CASES, ids=[f"{t}-{d}" for t, d in DST_CASES])
def test_one_digest_per_local_day_at_the_digest_hour_across_a_dst_change(user, tz_name, first_day):
    tz = zoneinfo.ZoneInfo(tz_name)
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=tz)
    set_up(user, tz_name, 8, start)
    with time_machine.travel(start, tick=False) as traveller:
        run_days(traveller, start, 5)
    times = sent_digest_times(tz)
    assert [t.date() for t in times] == [first_day + timedelta(days=n) for n in range(5)]
    # Sweeps run every 20 minutes here, so each digest leaves within 20 minutes of 08:00 local.
    assert all(t.hour == 8 and t.minute < 20 for t in times), times
    assert len(digests()) == 5


@pytest.mark.parametrize(
    ("tz_name", "day", "hour", "expected_local"),
    [
        # 02:00 does not exist in Toronto on 8 March 2026: the digest goes at 03:00 EDT.
        ("America/Toronto", dt.date(2026, 3, 8), 2, dt.time(3, 0)),
        # 01:00 does not exist in London on 29 March 2026: the digest goes at 02:00 BST.
        ("Europe/London", dt.date(2026, 3, 29), 1, dt.time(2, 0)),
        # 01:00 happens twice in Toronto on 1 November 2026: the digest goes at the first.
        ("America/Toronto", dt.date(2026, 11, 1), 1, dt.time(1, 0)),
    ],
)
def test_a_digest_hour_in_a_dst_gap_or_overlap_still_gives_exactly_one_digest(user, tz_name, day, hour, expected_local):
    tz = zoneinfo.ZoneInfo(tz_name)
    start = dt.datetime.combine(day - timedelta(days=1), dt.time(12), tzinfo=tz)
    set_up(user, tz_name, hour, start)
    with time_machine.travel(start, tick=False) as traveller:
        run_days(traveller, start, 2, step=timedelta(minutes=10))
    by_day = Counter(t.date() for t in sent_digest_times(tz))
    assert by_day[day] == 1
    sent_that_day = [t for t in sent_digest_times(tz) if t.date() == day][0]
    assert sent_that_day.timetz().replace(tzinfo=None) >= expected_local
    assert sent_that_day - dt.datetime.combine(day, expected_local, tzinfo=tz).replace(fold=0) < timedelta(minutes=10)


def test_no_digest_on_a_day_with_nothing_due_overdue_or_scheduled(user):
    start = aware(2026, 5, 4, 0, 0)
    with time_machine.travel(start, tick=False) as traveller:
        run_days(traveller, start, 1, step=timedelta(hours=1))
    assert digests() == []
    skipped = Reminder.objects.get(kind="daily_digest", local_date=dt.date(2026, 5, 4))
    assert (skipped.status, skipped.last_error) == ("cancelled", "Nothing due, overdue or scheduled that day.")
    # ...and the next day's digest is already planned.
    assert Reminder.objects.filter(kind="daily_digest", status="pending", local_date=dt.date(2026, 5, 5)).exists()


def test_a_chat_today_is_enough_for_a_digest(user):
    start = aware(2026, 5, 4, 0, 0)
    with time_machine.travel(start, tick=False) as traveller:
        conv = conversation(user, ContactFactory(owner=user, first_name="Lin"))
        conversation_transition(conversation=conv, to_stage="requested")
        conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=aware(2026, 5, 4, 15, 0))
        for nudge in conv.follow_ups.all():
            assert nudge.status == "cancelled"
        run_days(traveller, start, 1, step=timedelta(hours=1))
    assert len(digests()) == 1
    assert "1 chat" in digests()[0].subject


def test_a_changed_digest_hour_takes_effect_from_the_next_day(user):
    start = aware(2026, 5, 4, 0, 0)
    set_up(user, "UTC", 8, start)
    with time_machine.travel(start, tick=False) as traveller:
        run_days(traveller, start, 7 / 24, step=timedelta(hours=1))  # up to 07:00, the digest is planned for 08:00
        profile_update(profile=user.profile, digest_hour=10)
        run_days(traveller, start + timedelta(hours=7), 3, step=timedelta(minutes=30))
    assert [t.strftime("%d %H") for t in sent_digest_times(UTC)] == ["04 08", "05 10", "06 10"]


def test_a_changed_time_zone_takes_effect_from_the_next_day_without_a_second_digest_today(user):
    start = aware(2026, 5, 4, 0, 0)
    set_up(user, "Asia/Kolkata", 8, start)
    with time_machine.travel(start, tick=False) as traveller:
        run_days(traveller, start, 5 / 24, step=timedelta(minutes=30))  # 05:00 UTC: Kolkata's 08:00 has gone out
        profile_update(profile=user.profile, timezone="America/Toronto")  # 01:00 in Toronto, same date
        run_days(traveller, start + timedelta(hours=5), 3, step=timedelta(minutes=30))
    toronto = zoneinfo.ZoneInfo("America/Toronto")
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    times = sent_digest_times(UTC)
    assert times[0].astimezone(kolkata).strftime("%d %H:%M") == "04 08:00"
    assert [t.astimezone(toronto).strftime("%d %H") for t in times[1:]] == ["05 08", "06 08"]


def test_daily_digest_off_means_no_digest_but_other_reminders_still_go(user):
    start = aware(2026, 5, 4, 0, 0)
    set_up(user, "UTC", 8, start)
    with time_machine.travel(start, tick=False) as traveller:
        profile_update(profile=user.profile, daily_digest=False)
        follow_up_create(
            owner=user,
            contact=ContactFactory(owner=user),
            kind="other",
            title="Today",
            due_at=start + timedelta(hours=9),
        )
        run_days(traveller, start, 1, step=timedelta(hours=1))
    assert digests() == []
    assert [m.subject for m in mail.outbox] == ["Follow-up due: Owed for ages", "Follow-up due: Today"]


def test_email_reminders_off_means_nothing_at_all_is_sent(user):
    start = aware(2026, 5, 4, 0, 0)
    set_up(user, "UTC", 8, start)
    with time_machine.travel(start, tick=False) as traveller:
        profile_update(profile=user.profile, email_reminders=False)
        follow_up_create(
            owner=user,
            contact=ContactFactory(owner=user),
            kind="other",
            title="Today",
            due_at=start + timedelta(hours=9),
        )
        run_days(traveller, start, 1, step=timedelta(hours=1))
    assert mail.outbox == []


def test_turning_the_digest_off_and_on_before_its_hour_keeps_that_days_digest(user):
    start = aware(2026, 5, 4, 0, 0)
    set_up(user, "UTC", 8, start)
    with time_machine.travel(start, tick=False) as traveller:
        sweep()
        profile_update(profile=user.profile, daily_digest=False)
        profile_update(profile=user.profile, daily_digest=True)
        run_days(traveller, start, 1, step=timedelta(hours=1))
    assert [t.strftime("%d %H") for t in sent_digest_times(UTC)] == ["04 08"]


def test_completing_everything_before_the_digest_hour_skips_that_digest(user):
    start = aware(2026, 5, 4, 0, 0)
    set_up(user, "UTC", 8, start)
    with time_machine.travel(start, tick=False) as traveller:
        sweep()
        for follow_up in user_follow_ups(user):
            follow_up_complete(follow_up=follow_up)
        run_days(traveller, start, 1, step=timedelta(hours=1))
    assert digests() == []


def user_follow_ups(user):
    from outreach.models import FollowUp

    return list(FollowUp.objects.filter(owner=user, status="open"))


def test_a_day_ahead_time_zone_move_keeps_the_new_days_digest(user):
    """Honolulu → Kiritimati (24 h ahead): "today" jumps a day; that new day still gets its digest."""
    with time_machine.travel(aware(2026, 11, 26, 16, 0), tick=False):  # 06:00 in Honolulu
        profile_update(profile=user.profile, timezone="Pacific/Honolulu", digest_hour=8)
        assert list(
            Reminder.objects.filter(kind="daily_digest", status="pending").values_list("local_date", flat=True)
        ) == [dt.date(2026, 11, 26)]
        profile_update(profile=user.profile, timezone="Pacific/Kiritimati")  # now 06:00 on 27 Nov there
        pending = Reminder.objects.filter(kind="daily_digest", status="pending")
        assert list(pending.values_list("local_date", "send_at")) == [
            (dt.date(2026, 11, 27), aware(2026, 11, 26, 18, 0))  # 08:00 on 27 Nov in Kiritimati
        ]
