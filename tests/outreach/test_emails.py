"""What each reminder email says, and the one-click links in it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from icalendar import Calendar

from accounts.services import profile_update
from crm.services import note_create
from outreach.emails import LINK_SALT, sign_link
from outreach.models import FollowUp, Reminder
from outreach.services import conversation_transition, follow_up_create
from tests.factories import CompanyFactory, ContactFactory, aware, conversation

NOW = aware(2026, 6, 1, 12, 0)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def toronto_user(user):
    user.first_name = "Ada"
    user.save()
    profile_update(profile=user.profile, timezone="America/Toronto", daily_digest=False, weekly_review=False)
    return user


@pytest.fixture
def contact(toronto_user):
    company = CompanyFactory(owner=toronto_user, name="Shopify")
    return ContactFactory(
        owner=toronto_user,
        first_name="Grace",
        last_name="Hopper <script>alert(1)</script>",
        company=company,
        title="Group PM",
        how_we_met="PM community Slack, #career-switchers",
    )


def sweep():
    call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))


def only_email():
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def html_of(message):
    return message.alternatives[0][0]


def links(text):
    return re.findall(r"http://127\.0\.0\.1:8000(/email/act/[^/\s\"]+/)", text)


# --- follow_up_due ----------------------------------------------------------------------------


@pytest.fixture
def due_email(clock, toronto_user, contact):
    follow_up = follow_up_create(
        owner=toronto_user,
        contact=contact,
        kind="send_material",
        title="Send Grace the case study",
        due_at=NOW + timedelta(hours=1),
    )
    clock.move_to(NOW + timedelta(hours=1))
    sweep()
    return only_email(), follow_up


def test_the_follow_up_email_says_what_to_whom_and_since_when(due_email, toronto_user):
    message, follow_up = due_email
    assert message.to == ["ada@example.com"]
    assert message.subject == "Follow-up due: Send Grace the case study"
    assert "Send material" in message.body
    assert "Grace Hopper <script>alert(1)</script> (Shopify)" in message.body
    assert "Due since: Mon 1 Jun 2026, 09:00 EDT" in message.body
    assert message.extra_headers["Message-ID"] == follow_up.reminders.get().message_id
    assert message.extra_headers["Message-ID"] == f"<reminder.follow.up.due.{follow_up.pk}.20260601T130000Z@127.0.0.1>"


def test_the_html_part_escapes_what_the_user_typed(due_email):
    html = html_of(due_email[0])
    assert "<script>" not in html
    assert "Grace Hopper &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_follow_up_email_has_complete_snooze_and_off_links_in_both_parts(due_email):
    message, _ = due_email
    assert len(links(message.body)) == 4
    assert links(message.body) == links(html_of(message))


def test_the_complete_link_asks_first_then_completes_once(client, due_email):
    message, follow_up = due_email
    complete = links(message.body)[0]
    page = client.get(complete)
    assert page.status_code == 200
    assert "Mark “Send Grace the case study” as done?" in page.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).status == "open"  # a prefetching scanner changes nothing
    assert "is marked as done" in client.post(complete).content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).status == "done"
    again = client.post(complete)
    assert (again.status_code, "Already done" in again.content.decode()) == (200, True)


def test_the_snooze_links_move_the_follow_up_by_a_day_or_a_week_once(client, clock, due_email):
    message, follow_up = due_email
    snooze_day, snooze_week = links(message.body)[1:3]
    client.post(snooze_week)
    follow_up.refresh_from_db()
    assert follow_up.due_at == NOW + timedelta(hours=1, days=7)
    assert "Already moved" in client.post(snooze_day).content.decode()
    assert "Already moved" in client.post(snooze_week).content.decode()
    follow_up.refresh_from_db()
    assert follow_up.due_at == NOW + timedelta(hours=1, days=7)
    assert follow_up.reminders.get(status="pending").send_at == follow_up.due_at


def test_the_off_link_turns_reminder_emails_off(client, due_email, toronto_user):
    off = links(due_email[0].body)[3]
    assert "Stop all reminder emails?" in client.get(off).content.decode()
    toronto_user.profile.refresh_from_db()
    assert toronto_user.profile.email_reminders is True
    client.post(off)
    toronto_user.profile.refresh_from_db()
    assert toronto_user.profile.email_reminders is False


def test_a_mail_client_can_unsubscribe_in_one_click_rfc_8058(client, due_email, toronto_user):
    message, _ = due_email
    url = message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    toronto_user.profile.refresh_from_db()
    assert toronto_user.profile.email_reminders is False


def test_a_forged_link_is_not_found(client, due_email):
    complete = links(due_email[0].body)[0]
    forged = complete[:-3] + ("A" if complete[-3] != "A" else "B") + complete[-2:]
    assert client.post(forged).status_code == 404
    assert client.get("/email/act/not-a-token/").status_code == 404


def test_a_link_signed_for_another_user_cannot_touch_this_users_follow_up(client, due_email, other_user):
    _, follow_up = due_email
    token = sign_link(user=other_user, action="complete", follow_up=follow_up)
    assert client.post(f"/email/act/{token}/").status_code == 404
    assert FollowUp.objects.get(pk=follow_up.pk).status == "open"


def test_a_token_signed_with_another_salt_is_refused(client, due_email, toronto_user):
    _, follow_up = due_email
    token = signing.dumps({"u": toronto_user.pk, "a": "complete", "f": follow_up.pk}, salt="something-else")
    assert client.post(f"/email/act/{token}/").status_code == 404
    assert signing.loads(sign_link(user=toronto_user, action="off_digest"), salt=LINK_SALT)["a"] == "off_digest"


def test_an_old_follow_up_link_expires_but_the_off_link_does_not(client, clock, due_email, toronto_user):
    message, follow_up = due_email
    complete, off = links(message.body)[0], links(message.body)[3]
    clock.move_to(NOW + timedelta(days=61))
    assert client.post(complete).status_code == 410
    assert client.post(off).status_code == 200


# --- chat_prep and chat_soon ------------------------------------------------------------------


@pytest.fixture
def chat(toronto_user, contact):
    earlier = conversation(toronto_user, contact, kind="informational_interview")
    note_create(
        owner=toronto_user, contact=contact, body="Advised: **lead with the data**", kind="advice", conversation=earlier
    )
    note_create(owner=toronto_user, contact=contact, body="Team struggles with onboarding churn", kind="challenge")
    conv = conversation(
        toronto_user, contact, location="https://meet.example.com/abc", agenda="How did you move from eng to PM?"
    )
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(days=2))
    return conv


def test_the_prep_brief_has_who_company_how_you_met_agenda_and_earlier_notes(clock, chat):
    clock.move_to(NOW + timedelta(days=1))
    sweep()
    message = only_email()
    assert message.subject == (
        "Prep: coffee chat with Grace Hopper <script>alert(1)</script> (Shopify), Wed 3 Jun 2026, 08:00 EDT"
    )
    for text in (
        "Group PM at Shopify",
        "How you met: PM community Slack, #career-switchers",
        "How did you move from eng to PM?",
        "Advised: lead with the data",  # Markdown as readable text, not its markup
        "Team struggles with onboarding churn",
        "Where: https://meet.example.com/abc",
        "Wed 3 Jun 2026, 08:00 EDT – Wed 3 Jun 2026, 08:30 EDT",
    ):
        assert text in message.body
    assert "**" not in message.body
    assert '<a href="https://meet.example.com/abc">' in html_of(message)
    assert "Advised: <strong>lead with the data</strong>" in html_of(message)  # rendered, as on the notes page
    assert "&lt;script&gt;" in html_of(message) and "<script>" not in html_of(message)


def test_prep_brief_notes_are_sanitised_markdown_in_html_and_readable_text_in_plain(clock, toronto_user, contact):
    note_create(
        owner=toronto_user,
        contact=contact,
        kind="advice",
        body="Read [Inspired](https://example.com/inspired)\n\n- talk to *users*\n- ship\n\n"
        '<script>alert(9)</script><img src=x onerror="alert(2)"> [bad](javascript:alert(3))',
    )
    conv = conversation(toronto_user, contact)
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(days=2))
    clock.move_to(NOW + timedelta(days=1))
    sweep()
    message = only_email()
    html = html_of(message)
    assert '<a href="https://example.com/inspired" rel="noopener noreferrer nofollow">Inspired</a>' in html
    assert "<li>talk to <em>users</em></li>" in html
    for unsafe in ("<script", "onerror", "javascript:", "<img"):
        assert unsafe not in html
    assert "Read Inspired (https://example.com/inspired)" in message.body
    assert "  - talk to users\n  - ship" in message.body
    assert "alert(9)" not in message.body and "*users*" not in message.body


def test_the_prep_brief_carries_a_calendar_invite(clock, chat):
    clock.move_to(NOW + timedelta(days=1))
    sweep()
    ((filename, content, mimetype),) = only_email().attachments
    assert (filename, mimetype) == ("chat.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == NOW + timedelta(days=2)
    assert event.decoded("dtstart") + event.decoded("duration") == NOW + timedelta(days=2, minutes=30)
    assert str(event["location"]) == "https://meet.example.com/abc"
    assert str(event["uid"]) == f"conversation-{chat.pk}@127.0.0.1"


def the_chat_in(ics: bytes):
    (event,) = [e for e in Calendar.from_ical(ics).walk("VEVENT") if str(e["uid"]).startswith("conversation-")]
    return str(event["uid"]), int(event["sequence"]), event.decoded("dtstart")


def the_chat_in_the_feed(user):
    response = Client().get(f"/calendar/{user.profile.calendar_token}.ics")
    assert response.status_code == 200
    return the_chat_in(response.content)


def test_the_emailed_invitation_is_the_feeds_event_and_a_reschedule_raises_its_sequence_in_both(
    clock, chat, toronto_user
):
    clock.move_to(NOW + timedelta(days=1))
    sweep()
    ((_, first_invite, _),) = only_email().attachments
    first = the_chat_in(first_invite)
    assert first == the_chat_in_the_feed(toronto_user)  # same UID, SEQUENCE and start
    mail.outbox.clear()

    moved_to = NOW + timedelta(days=3)
    conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=moved_to)
    clock.move_to(NOW + timedelta(days=2))
    sweep()  # the prep brief for the new time
    ((_, second_invite, _),) = only_email().attachments
    second = the_chat_in(second_invite)
    assert second == the_chat_in_the_feed(toronto_user)
    assert second[0] == first[0]
    assert second[1] > first[1]
    assert second[2] == moved_to


def test_the_heads_up_says_when_where_and_the_agenda(clock, chat):
    clock.move_to(NOW + timedelta(days=1))
    sweep()
    mail.outbox.clear()
    clock.move_to(NOW + timedelta(days=2) - timedelta(hours=1))
    sweep()
    message = only_email()
    assert message.subject == "In 60 minutes: coffee chat with Grace Hopper <script>alert(1)</script> (Shopify)"
    assert "When:  Wed 3 Jun 2026, 08:00 EDT" in message.body
    assert "How did you move from eng to PM?" in message.body
    assert Reminder.objects.get(conversation=chat, kind="chat_soon").status == "sent"


# --- daily_digest -----------------------------------------------------------------------------


def test_the_digest_lists_todays_chats_overdue_and_due_follow_ups_and_the_weekly_goal(
    clock, toronto_user, contact, chat
):
    profile_update(profile=toronto_user.profile, daily_digest=True, digest_hour=7, weekly_request_goal=3)
    follow_up_create(
        owner=toronto_user, contact=contact, kind="other", title="Overdue thing", due_at=NOW - timedelta(days=3)
    )
    follow_up_create(
        owner=toronto_user, contact=contact, kind="other", title="Today thing", due_at=NOW + timedelta(days=2, hours=5)
    )
    follow_up_create(
        owner=toronto_user, contact=contact, kind="other", title="Next week", due_at=NOW + timedelta(days=9)
    )
    clock.move_to(NOW + timedelta(days=1))
    sweep()  # plans Wednesday's digest
    mail.outbox.clear()
    clock.move_to(aware(2026, 6, 3, 7, 0, tz="America/Toronto"))
    sweep()
    (message,) = [m for m in mail.outbox if m.extra_headers["X-Coffeechat-Reminder"] == "daily_digest"]
    assert message.subject == "Your Coffeechat day, Wed 3 Jun: 1 chat, 1 overdue, 1 due today"
    body = message.body
    assert "Wed 3 Jun 2026, 08:00 EDT: Coffee chat with Grace Hopper" in body
    assert body.index("OVERDUE") < body.index("Overdue thing") < body.index("DUE TODAY") < body.index("Today thing")
    assert "Next week" not in body
    assert "Requests sent: 1 of your goal of 3." in body
    assert len(links(body)) == 5  # done + snooze for two follow-ups, and the off link
    assert links(body)[-1] == links(html_of(message))[-1]


def test_the_digest_off_link_turns_only_the_digest_off(client, clock, toronto_user, contact):
    profile_update(profile=toronto_user.profile, daily_digest=True)
    follow_up_create(owner=toronto_user, contact=contact, kind="other", title="Overdue", due_at=NOW - timedelta(days=1))
    clock.move_to(aware(2026, 6, 2, 8, 0, tz="America/Toronto"))
    sweep()  # Monday's digest, never sent, is dropped: its day is over
    clock.shift(60)
    sweep()
    (digest,) = [m for m in mail.outbox if m.extra_headers["X-Coffeechat-Reminder"] == "daily_digest"]
    assert "Stop the daily digest email?" in client.get(links(digest.body)[-1]).content.decode()
    client.post(links(digest.body)[-1])
    toronto_user.profile.refresh_from_db()
    assert (toronto_user.profile.daily_digest, toronto_user.profile.email_reminders) == (False, True)
    assert not Reminder.objects.filter(owner=toronto_user, kind="daily_digest", status="pending").exists()


def test_links_in_reminders_open_dashboard_pages_not_the_api(toronto_user, contact):
    chat = conversation(toronto_user, contact)
    conversation_transition(conversation=chat, to_stage="requested")
    conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=NOW + timedelta(minutes=30))
    sweep()
    message = only_email()
    links = set(re.findall(r'href="([^"]+)"', html_of(message)))
    assert f"http://127.0.0.1:8000/contacts/{contact.pk}/" in links
    assert f"http://127.0.0.1:8000/conversations/{chat.pk}/" in links
    assert not any("/api/" in link for link in links)
