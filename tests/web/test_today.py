"""Today: chats, follow-ups with inline complete/snooze, goal, reconnect, pipeline, funnel, failures."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.services import profile_update
from contacts.models import ContactEvent
from outreach.models import Reminder
from outreach.services import conversation_create, conversation_transition, follow_up_create
from tests.factories import ContactFactory, aware

NOW = aware(2026, 3, 10, 14, 0)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _schedule(user, contact, when):
    c = conversation_create(owner=user, contact=contact, kind="coffee_chat", at=NOW - timedelta(days=3))
    conversation_transition(conversation=c, to_stage="requested", at=NOW - timedelta(days=3))
    return conversation_transition(conversation=c, to_stage="scheduled", at=NOW - timedelta(days=1), scheduled_for=when)


def test_today_lists_todays_chats_with_a_link_to_the_prep_brief(frozen, web, user, contact):
    chat = _schedule(user, contact, NOW + timedelta(hours=3))
    _schedule(user, ContactFactory(owner=user, first_name="Tomorrow"), NOW + timedelta(days=1))
    html = web.get(reverse("today")).content.decode()
    assert "Priya Raman" in html
    assert reverse("conversation_detail", args=[chat.pk]) in html
    assert "17:00" in html
    # Tomorrow's chat is listed too, under its own day (issue #10: this week's chats).
    chats = html.split("Chats this week")[1].split("</section>")[0]
    assert chats.index("<h3>Today</h3>") < chats.index("Priya Raman") < chats.index("Tomorrow")


def test_today_shows_chat_times_on_the_users_clock(frozen, web, user, contact):
    profile_update(profile=user.profile, timezone="America/Toronto")
    _schedule(user, contact, NOW + timedelta(hours=3))
    assert "13:00" in web.get(reverse("today")).content.decode()  # 17:00 UTC is 13:00 in Toronto (EDT)


def test_today_splits_overdue_and_due_later_today(frozen, web, user, contact):
    follow_up_create(owner=user, contact=contact, kind="other", title="Late one", due_at=NOW - timedelta(days=2))
    follow_up_create(owner=user, contact=contact, kind="other", title="Later today", due_at=NOW + timedelta(hours=2))
    follow_up_create(owner=user, contact=contact, kind="other", title="Next week", due_at=NOW + timedelta(days=7))
    html = web.get(reverse("today")).content.decode()
    overdue = html.split('id="overdue-list"')[1].split("</ul>")[0]
    today = html.split('id="today-list"')[1].split("</ul>")[0]
    assert "Late one" in overdue and "Later today" in today
    assert "Next week" not in html


def test_completing_a_follow_up_inline_returns_the_updated_row(frozen, web, follow_up):
    response = web.post(reverse("follow_up_complete", args=[follow_up.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith("<li") and f'id="follow-up-{follow_up.pk}"' in html
    assert "Done: Send Priya the deck." in html
    follow_up.refresh_from_db()
    assert follow_up.status == "done"


def test_completing_twice_says_so_instead_of_failing(frozen, web, follow_up):
    web.post(reverse("follow_up_complete", args=[follow_up.pk]), HTTP_HX_REQUEST="true")
    response = web.post(reverse("follow_up_complete", args=[follow_up.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "already done" in response.content.decode()


def test_snoozing_inline_moves_the_due_date_to_the_digest_hour_of_that_day(frozen, web, user, follow_up):
    response = web.post(
        reverse("follow_up_snooze", args=[follow_up.pk]), {"due_on": "2026-03-13"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.due_at == aware(2026, 3, 13, 8)


def test_snoozing_into_the_past_is_refused_with_a_message(frozen, web, follow_up):
    response = web.post(
        reverse("follow_up_snooze", args=[follow_up.pk]), {"due_on": "2026-03-01"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Snooze to a time in the future." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.due_at == aware(2020, 1, 1, 9)


def test_snoozing_without_htmx_redirects_back_with_a_message(frozen, web, follow_up):
    response = web.post(
        reverse("follow_up_snooze", args=[follow_up.pk]), {"due_on": "2026-03-13", "next": "/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Snoozed until Fri 13 Mar." in response.content.decode()


def test_weekly_goal_pipeline_and_funnel_come_from_the_dashboard_metrics(frozen, web, user, requested):
    profile_update(profile=user.profile, weekly_request_goal=4)
    response = web.get(reverse("today"))
    html = response.content.decode()
    assert "<strong>1</strong> of 4 sent" in html
    assert 'max="100" value="25" aria-label="Weekly request goal"' in html
    assert 'data-bar-width="100"' in html
    assert response.context["funnel"][0] == {"step": "requested", "count": 1, "pct": 100}
    assert response.context["pipeline_counts"]["requested"] == 1
    assert "Response rate: <strong>0%</strong>" in html


def test_reconnect_due_contacts_are_listed(frozen, web, user):
    from outreach.services import record_touch

    old_friend = ContactFactory(owner=user, first_name="Oldfriend", reconnect_every_days=30)
    record_touch(contact=old_friend, at=NOW - timedelta(days=45))
    html = web.get(reverse("today")).content.decode()
    assert "Oldfriend" in html.split("Time to reconnect")[1].split("</section>")[0]


def test_failed_reminders_are_shown_with_their_reason(frozen, web, user, follow_up):
    Reminder.objects.create(
        owner=user,
        follow_up=follow_up,
        kind="follow_up_due",
        send_at=follow_up.due_at,
        dedupe_key="t:failed",
        status=Reminder.Status.FAILED,
        last_error="SMTP 550: mailbox unavailable",
        attempts=5,
    )
    html = web.get(reverse("today")).content.decode()
    assert "Reminders that could not be sent" in html
    assert "SMTP 550: mailbox unavailable" in html


def test_job_changes_invite_a_congratulation_and_can_be_dismissed(frozen, web, user, contact):
    event = ContactEvent.objects.create(
        owner=user,
        contact=contact,
        kind="job_change",
        summary="Moved",
        previous_company="Shopify",
        new_company="Cohere",
        new_title="Group PM",
    )
    html = web.get(reverse("today")).content.decode()
    assert "moved to <strong>Cohere</strong> as Group PM" in html and "congratulate Priya" in html
    response = web.post(reverse("job_change_seen", args=[event.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.acknowledged
    assert "congratulate Priya" not in web.get(reverse("today")).content.decode()


def _populate(user, n):
    for i in range(n):
        contact = ContactFactory(owner=user, reconnect_every_days=1)
        _schedule(user, contact, NOW + timedelta(hours=1, minutes=i))
        follow_up_create(owner=user, contact=contact, kind="other", title=f"F{i}", due_at=NOW - timedelta(hours=i + 1))
        ContactEvent.objects.create(owner=user, contact=contact, kind="job_change", summary="moved", new_company="X")
    Reminder.objects.filter(owner=user).update(status=Reminder.Status.FAILED, last_error="boom")


@pytest.mark.parametrize("rows", [1, 15])
def test_today_runs_a_fixed_number_of_queries(frozen, web, user, rows, django_assert_max_num_queries):
    _populate(user, rows)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        # Issue #12's budget, with every section of the page showing something.
        with django_assert_max_num_queries(25):
            response = web.get(reverse("today"))
    assert response.status_code == 200
