"""The Monday weekly review (issue #14): once per user per local week at the digest hour, across
DST changes, opt-out in one click, and what it says about the week before."""

import re
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client

from accounts.services import profile_update
from contacts.models import Company, Contact
from outreach.models import Reminder
from outreach.services import conversation_transition, follow_up_complete, follow_up_create
from tests.factories import CompanyFactory, ContactFactory, UserFactory, aware, conversation


def sweep():
    call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))


def reviews():
    return [m for m in mail.outbox if m.extra_headers.get("X-Coffeechat-Reminder") == "weekly_review"]


def run(traveller, start, hours, step=timedelta(hours=1)):
    moment = start
    while moment < start + timedelta(hours=hours):
        traveller.move_to(moment)
        sweep()
        moment += step


def member(tz: str, joined, hour: int = 8):
    """A user who joined at `joined`, with one contact (a review needs something to review)."""
    with time_machine.travel(joined, tick=False):
        user = UserFactory(username="grace", email="grace@example.com")
        profile_update(profile=user.profile, timezone=tz, digest_hour=hour, daily_digest=False)
        ContactFactory(owner=user, first_name="Linus")
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tz, monday, expected_utc",
    [
        # Berlin springs forward on Sunday 29 Mar 2026: Monday 08:00 is CEST (UTC+2) → 06:00 UTC.
        ("Europe/Berlin", aware(2026, 3, 30), aware(2026, 3, 30, 6, 0)),
        # Toronto falls back on Sunday 1 Nov 2026: Monday 08:00 is EST (UTC-5) → 13:00 UTC.
        ("America/Toronto", aware(2026, 11, 2), aware(2026, 11, 2, 13, 0)),
    ],
)
def test_the_review_goes_out_monday_at_the_local_digest_hour_across_dst(tz, monday, expected_utc):
    user = member(tz, joined=monday - timedelta(days=10))
    with time_machine.travel(monday - timedelta(days=2), tick=False) as traveller:
        run(traveller, monday - timedelta(days=2), hours=24 * 3)
    (sent,) = Reminder.objects.filter(owner=user, kind="weekly_review", status="sent")
    assert sent.send_at == expected_utc
    assert len(reviews()) == 1


@pytest.mark.django_db
def test_once_per_week_however_often_the_sweep_runs():
    monday = aware(2026, 6, 1)
    user = member("Asia/Kolkata", joined=monday - timedelta(days=3))
    with time_machine.travel(monday, tick=False) as traveller:
        # Three weeks, swept every 30 minutes and twice each time (a doubled beat).
        moment = monday
        while moment < monday + timedelta(days=21):
            traveller.move_to(moment)
            sweep()
            sweep()
            moment += timedelta(minutes=30)
    sent = Reminder.objects.filter(owner=user, kind="weekly_review", status="sent").order_by("send_at")
    # 08:00 IST is 02:30 UTC, on the Mondays 1, 8 and 15 June.
    assert [r.send_at for r in sent] == [aware(2026, 6, d, 2, 30) for d in (1, 8, 15)]
    assert Counter(m.extra_headers["Message-ID"] for m in reviews()).most_common(1)[0][1] == 1
    assert len(reviews()) == 3


@pytest.mark.django_db
def test_the_first_review_comes_the_monday_after_joining():
    wednesday = aware(2026, 6, 3, 12, 0)
    user = member("UTC", joined=wednesday)
    with time_machine.travel(wednesday, tick=False) as traveller:
        # Up to Sunday noon: this week's Monday was before the account existed.
        run(traveller, wednesday, hours=24 * 4, step=timedelta(hours=2))
    assert reviews() == []
    pending = Reminder.objects.get(owner=user, kind="weekly_review", status="pending")
    assert pending.send_at == aware(2026, 6, 8, 8, 0)


@pytest.mark.django_db
def test_opt_out_in_settings_and_by_the_emails_one_click_link():
    monday = aware(2026, 6, 8)
    user = member("UTC", joined=monday - timedelta(days=14))
    with time_machine.travel(monday, tick=False) as traveller:
        run(traveller, monday, hours=10)
        (message,) = reviews()
        text = message.body
        off_url = re.search(r"Stop the weekly review \(one click\): (\S+)", text).group(1)
        assert message.extra_headers["List-Unsubscribe"] == f"<{off_url}>"
        path = off_url.split("testserver", 1)[-1] if "testserver" in off_url else "/" + off_url.split("/", 3)[3]
        response = Client().post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "no longer get the weekly review" in response.content.decode()
        user.profile.refresh_from_db()
        assert user.profile.weekly_review is False
        assert user.profile.email_reminders is True  # only the review stops
        run(traveller, monday + timedelta(days=7), hours=10)
    assert len(reviews()) == 1
    assert not Reminder.objects.filter(owner=user, kind="weekly_review", status="pending").exists()


@pytest.mark.django_db
def test_turning_it_off_withdraws_the_planned_review_and_on_plans_it_again():
    monday = aware(2026, 6, 8)
    user = member("UTC", joined=monday - timedelta(days=14))
    with time_machine.travel(monday - timedelta(days=2), tick=False):
        sweep()  # settles the review planned for 1 June, the week the account opened (too late now)
        sweep()  # plans the next one (in production the settled row's commit does it at once)
        assert Reminder.objects.get(owner=user, kind="weekly_review", status="pending").send_at == aware(
            2026, 6, 8, 8, 0
        )
        profile_update(profile=user.profile, weekly_review=False)
        assert not Reminder.objects.filter(owner=user, kind="weekly_review", status="pending").exists()
        profile_update(profile=user.profile, weekly_review=True)
        assert Reminder.objects.get(owner=user, kind="weekly_review", status="pending").send_at == aware(
            2026, 6, 8, 8, 0
        )


@pytest.mark.django_db
def test_an_account_with_no_contacts_gets_no_empty_review():
    monday = aware(2026, 6, 8)
    with time_machine.travel(monday - timedelta(days=14), tick=False):
        user = UserFactory(username="new", email="new@example.com")
        profile_update(profile=user.profile, daily_digest=False)
    with time_machine.travel(monday, tick=False) as traveller:
        run(traveller, monday, hours=10)
    assert reviews() == []
    skipped = Reminder.objects.get(owner=user, kind="weekly_review", send_at=aware(2026, 6, 8, 8, 0))
    assert (skipped.status, skipped.last_error) == ("cancelled", "No contacts to review yet.")


@pytest.mark.django_db
def test_the_review_reports_last_weeks_figures_targets_and_who_to_reach_next():
    # The review on Monday 15 June covers Monday 8 to Sunday 14 June (UTC user).
    monday = aware(2026, 6, 15)
    user = member("UTC", joined=aware(2026, 5, 1))
    profile_update(profile=user.profile, weekly_request_goal=3)
    acme = CompanyFactory(owner=user, name="Acme", target=True, motivation=3)
    CompanyFactory(owner=user, name="Globex", target=True, motivation=1)
    CompanyFactory(owner=user, name="Initech", target=True, motivation=2)
    covered = CompanyFactory(owner=user, name="Hooli", target=True)
    CompanyFactory(owner=user, name="Not a target")
    ContactFactory(owner=user, company=covered)
    archived_only = CompanyFactory(owner=user, name="Umbrella", target=True, motivation=0)
    ContactFactory(owner=user, company=archived_only, archived=True)

    before = aware(2026, 6, 5, 10, 0)  # the week before the reviewed one: not counted
    during = aware(2026, 6, 10, 10, 0)
    with time_machine.travel(before, tick=False):
        old = conversation(user, contact=ContactFactory(owner=user, company=acme))
        conversation_transition(conversation=old, to_stage="requested")
    with time_machine.travel(during, tick=False):
        asked = [conversation(user) for _ in range(2)]
        for ask in asked:
            conversation_transition(conversation=ask, to_stage="requested")
        conversation_transition(conversation=old, to_stage="scheduled", scheduled_for=during + timedelta(hours=2))
    with time_machine.travel(during + timedelta(hours=3), tick=False):
        conversation_transition(conversation=old, to_stage="held")
        chore = follow_up_create(
            owner=user, contact=old.contact, kind="other", title="Send deck", due_at=during + timedelta(days=1)
        )
        follow_up_complete(follow_up=chore)
    booster = ContactFactory(owner=user, first_name="Bea", last_name="Quick")
    Contact.objects.filter(pk=booster.pk).update(responsiveness="booster", last_contacted_at=aware(2026, 4, 1))

    with time_machine.travel(monday, tick=False) as traveller:
        run(traveller, monday, hours=10)
    (message,) = reviews()
    text = message.body
    assert message.subject == "Your week in Coffeechat: 2 of 3 asks sent, 1 reply"
    assert "Your week in Coffeechat, Mon 8 – Sun 14 Jun." in text
    assert "- Asks sent: 2 of your goal of 3." in text
    assert "- Replies: 1" in text  # the old ask, answered (scheduled) during the week
    assert "- Chats held: 1" in text
    assert "- Follow-ups closed: 1" in text
    # Targets with no (active) contact, by motivation: Acme has one now, Hooli has one.
    targets = text.split("TARGETS WITH NO CONTACT YET (3)\n", 1)[1].split("\n\n", 1)[0]
    assert targets.splitlines() == [
        "- Initech",
        "- Globex",
        "- Umbrella",
        f"Your targets: {settings.SITE_URL}/targets/",
    ]
    # Bea answers fast and was last in touch on 1 April: 75 days before Monday 15 June.
    assert re.search(
        r"- Bea Quick( \(.*\))?: A booster \(replies within 3 business days\); last in touch 75 days ago\.", text
    )
    html = message.alternatives[0][0]
    assert "Targets with no contact yet (3)" in html and "Worth reaching next" in html
    assert not Company.objects.filter(owner=user, name="Initech", contacts__isnull=False).exists()
