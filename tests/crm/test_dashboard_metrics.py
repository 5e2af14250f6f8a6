"""/api/v1/dashboard/ against figures worked out by hand for one seeded account, on a
user clock far from UTC (Auckland, UTC+13 in January) so the ISO week starts on a Sunday in UTC."""

from datetime import timedelta

import pytest
import time_machine

from accounts.services import profile_update
from contacts.models import ContactEvent
from contacts.services import contact_create
from outreach.models import Reminder
from outreach.services import (
    conversation_create,
    conversation_transition,
    follow_up_complete,
    follow_up_create,
    template_create,
)
from tests.api.conftest import seed_account
from tests.factories import aware

TZ = "Pacific/Auckland"
# Monday 5 January 2026, 09:00 in Auckland = Sunday 4 January, 20:00 UTC.
NOW = aware(2026, 1, 4, 20, 0)
# The ISO week on the user's clock starts Monday 00:00 Auckland = Sunday 11:00 UTC.
WEEK_START_UTC = aware(2026, 1, 4, 11, 0)


def at(*args):
    return aware(*args)


def move(conv, stage, when, **kwargs):
    with time_machine.travel(when, tick=False):
        conversation_transition(conversation=conv, to_stage=stage, at=when, **kwargs)


@pytest.fixture
def account(user, other_user):
    profile_update(profile=user.profile, timezone=TZ, weekly_request_goal=5)
    seed_account(other_user)  # another user's busy account must not count
    with time_machine.travel(at(2025, 12, 1, 9, 0), tick=False):
        ana = contact_create(owner=user, first_name="Ana", source="linkedin", reconnect_every_days=90)
        ben = contact_create(owner=user, first_name="Ben", source="slack_community")
        cy = contact_create(owner=user, first_name="Cy", source="referral")
        dee = contact_create(owner=user, first_name="Dee", source="linkedin")
        # Reconnect dates: Eve's is past (due); Fay's is past too but she is archived.
        contact_create(owner=user, first_name="Eve", source="event", reconnect_every_days=10)
        contact_create(owner=user, first_name="Fay", source="event", reconnect_every_days=10, archived=True)
        t1 = template_create(owner=user, name="T1", kind="coffee_chat", body="Hi {first_name}")
        t2 = template_create(owner=user, name="T2", kind="coffee_chat", body="Hello {first_name}")

    # conv1: asked Monday 01:00 local (this week), then scheduled.
    conv1 = conversation_create(owner=user, contact=ana, kind="coffee_chat", template=t1)
    move(conv1, "requested", at(2026, 1, 4, 12, 0))
    move(conv1, "scheduled", at(2026, 1, 4, 13, 0), scheduled_for=at(2026, 1, 7, 1, 0))
    # conv2: asked Sunday 23:00 local (last week, though the same UTC day), then declined.
    conv2 = conversation_create(owner=user, contact=ben, kind="coffee_chat", template=t1)
    move(conv2, "requested", at(2026, 1, 4, 10, 0))
    move(conv2, "declined", at(2026, 1, 4, 10, 30))
    # conv3: the whole way to thanked in December.
    conv3 = conversation_create(owner=user, contact=cy, kind="informational_interview", template=t2)
    move(conv3, "requested", at(2025, 12, 20, 9, 0))
    move(conv3, "scheduled", at(2025, 12, 21, 9, 0), scheduled_for=at(2025, 12, 22, 9, 0))
    move(conv3, "held", at(2025, 12, 22, 9, 30))
    move(conv3, "thanked", at(2025, 12, 23, 9, 0))
    # conv4: asked a week ago, no answer: its nudge fell due this morning (overdue).
    conv4 = conversation_create(owner=user, contact=ana, kind="coffee_chat", allow_duplicate=True)
    move(conv4, "requested", at(2025, 12, 28, 9, 0))
    # conv5: asked and scheduled before the 90-day window, held inside it; thank-you overdue.
    conv5 = conversation_create(owner=user, contact=dee, kind="coffee_chat", template=t2)
    move(conv5, "requested", at(2025, 9, 1, 9, 0))
    move(conv5, "scheduled", at(2025, 9, 2, 9, 0), scheduled_for=at(2025, 10, 10, 9, 0))
    move(conv5, "held", at(2025, 10, 10, 10, 0))
    # conv6: only planned.
    conversation_create(owner=user, contact=ben, kind="referral_request")

    with time_machine.travel(NOW, tick=False):
        # Due later today on the user's clock (Monday 11:00 local), tomorrow, and one done.
        follow_up_create(owner=user, contact=ben, kind="send_material", title="Deck", due_at=at(2026, 1, 4, 22, 0))
        follow_up_create(owner=user, contact=ben, kind="other", title="Tue", due_at=at(2026, 1, 5, 12, 0))
        done = follow_up_create(owner=user, contact=cy, kind="other", title="Old", due_at=at(2026, 1, 1, 9, 0))
        follow_up_complete(follow_up=done)
    # One reminder email failed delivery; one job change seen, one already acknowledged.
    Reminder.objects.filter(owner=user, status=Reminder.Status.PENDING).order_by("id").filter(
        pk=Reminder.objects.filter(owner=user, status=Reminder.Status.PENDING).order_by("id").values("pk")[:1]
    ).update(status=Reminder.Status.FAILED, attempts=5, last_error="SMTP down")
    ContactEvent.objects.create(owner=user, contact=dee, kind="job_change", summary="Dee moved")
    ContactEvent.objects.create(owner=user, contact=cy, kind="job_change", summary="Cy moved", acknowledged=True)
    return {"t1": t1, "t2": t2}


def dashboard(client, **params):
    with time_machine.travel(NOW, tick=False):
        response = client.get("/api/v1/dashboard/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_pipeline_counts_every_stage(account, api_client):
    assert dashboard(api_client)["pipeline"] == {
        "planned": 1,
        "requested": 1,
        "scheduled": 1,
        "held": 1,
        "thanked": 1,
        "declined": 1,
        "no_response": 0,
        "cancelled": 0,
    }


def test_funnel_counts_conversations_that_reached_each_stage_in_the_window(account, api_client):
    # conv5 was requested and scheduled before the 90 days, but held inside them.
    assert dashboard(api_client)["funnel"] == {"requested": 4, "scheduled": 2, "held": 2, "thanked": 1}


def test_a_shorter_window_drops_older_moves(account, api_client):
    # 10 days back from 4 Jan 20:00 UTC: conv1, conv2 and conv4 were requested, only conv1 scheduled.
    metrics = dashboard(api_client, days=10)
    assert metrics["funnel"] == {"requested": 3, "scheduled": 1, "held": 0, "thanked": 0}
    assert metrics["response_rate"] == pytest.approx(2 / 3, abs=1e-4)


def test_response_rate_is_scheduled_or_declined_over_requested(account, api_client):
    # Requested in the window: conv1 (scheduled), conv2 (declined), conv3 (scheduled), conv4 (silent).
    assert dashboard(api_client)["response_rate"] == 0.75


def test_per_template_usage(account, api_client):
    rows = {row["name"]: row for row in dashboard(api_client)["templates"]}
    assert rows["T1"] == {
        "id": account["t1"].pk,
        "name": "T1",
        "used": 2,
        "responses": 2,
        "response_rate": 1.0,
        # Issue #14: replies (conv1 scheduled, conv2 declined) and acceptance (conv1 only).
        "replies": 2,
        "reply_rate": 1.0,
        "accepted": 1,
        "acceptance_rate": 0.5,
    }
    assert rows["T2"] == {
        "id": account["t2"].pk,
        "name": "T2",
        "used": 1,
        "responses": 1,
        "response_rate": 1.0,
        "replies": 1,
        "reply_rate": 1.0,
        "accepted": 1,
        "acceptance_rate": 1.0,
    }
    starters = [row for name, row in rows.items() if name not in ("T1", "T2")]
    assert starters and all(row["used"] == 0 and row["response_rate"] is None for row in starters)


def test_per_source_usage(account, api_client):
    rows = {
        row["source"]: (row["used"], row["responses"], row["response_rate"]) for row in dashboard(api_client)["sources"]
    }
    assert rows == {
        "linkedin": (2, 1, 0.5),
        "slack_community": (1, 1, 1.0),
        "referral": (1, 1, 1.0),
        "internal": (0, 0, None),
        "event": (0, 0, None),
        "cold_email": (0, 0, None),
        "other": (0, 0, None),
    }


def test_follow_ups_overdue_and_due_later_today_on_the_users_clock(account, api_client):
    # Overdue: conv4's nudge (due 4 Jan 09:00 UTC) and conv5's thank-you. Today: the deck,
    # due 22:00 UTC = Monday 11:00 in Auckland; "Tue" is 01:00 Tuesday there.
    assert dashboard(api_client)["follow_ups"] == {"overdue": 2, "today": 1}


def test_week_counts_requests_from_monday_midnight_local(account, api_client):
    # conv2's request (Sunday 23:00 local) belongs to last week although it is the same UTC day.
    assert dashboard(api_client)["week"] == {"start": "2026-01-05", "requests_sent": 1, "goal": 5}


def test_just_before_local_midnight_the_week_is_the_previous_one(account, api_client):
    with time_machine.travel(WEEK_START_UTC - timedelta(minutes=1), tick=False):
        week = api_client.get("/api/v1/dashboard/").json()["week"]
    # Sunday 23:59 local: the week started Monday 29 December; conv2 (Sunday 23:00) counts, conv4 (28 Dec 22:00 local, Sunday) does not.
    assert week == {"start": "2025-12-29", "requests_sent": 1, "goal": 5}


def test_reconnect_failed_reminders_and_job_changes(account, api_client):
    metrics = dashboard(api_client)
    assert metrics["reconnect_due"] == 1  # Eve; Fay is archived, Ana's 90 days have not passed
    assert metrics["failed_reminders"] == 1
    assert metrics["job_changes"] == 1


def test_days_must_be_a_positive_number(account, api_client):
    response = api_client.get("/api/v1/dashboard/", {"days": "0"})
    assert response.status_code == 400
    assert "days" in response.json()
