"""/calendar/<token>.ics and a single chat's invitation, read back by two independent parsers."""

import zoneinfo
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import icalendar
import pytest
import vobject
from django.test import Client
from django.utils import timezone

from accounts.services import calendar_token_rotate, profile_update
from contacts.services import company_create, contact_create
from outreach.services import conversation_create, conversation_transition, follow_up_create

TORONTO = zoneinfo.ZoneInfo("America/Toronto")


@pytest.fixture
def chat(user):
    profile_update(profile=user.profile, timezone="America/Toronto")
    company = company_create(owner=user, name="Cohere")
    priya = contact_create(owner=user, first_name="Priya", last_name="Raman", company=company, title="Director")
    conversation = conversation_create(
        owner=user,
        contact=priya,
        kind="coffee_chat",
        location="https://meet.example/x",
        agenda="1. How did you move into product?\n2. What does a good PM do first?",
        duration_minutes=45,
    )
    conversation_transition(conversation=conversation, to_stage="requested")
    start = (timezone.now() + timedelta(days=3)).astimezone(TORONTO).replace(hour=9, minute=30, second=0, microsecond=0)
    conversation_transition(conversation=conversation, to_stage="scheduled", scheduled_for=start)
    return conversation


def feed(user, client=None):
    response = (client or Client()).get(f"/calendar/{user.profile.calendar_token}.ics")
    return response


def events(body: bytes):
    return [c for c in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def test_the_feed_lists_the_scheduled_chat_with_every_detail(user, chat):
    response = feed(user)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = [e for e in events(response.content) if str(e["uid"]).startswith("conversation-")]
    assert str(event["uid"]) == f"conversation-{chat.pk}@127.0.0.1"
    assert str(event["summary"]) == "Coffee chat with Priya Raman (Cohere)"
    start = event.decoded("dtstart")
    assert start.utcoffset() == timedelta(0)  # written in UTC
    assert start.astimezone(TORONTO).time().isoformat() == "09:30:00"  # 09:30 in the user's zone
    assert start == chat.scheduled_for
    assert event.decoded("duration") == timedelta(minutes=45)
    assert str(event["location"]) == "https://meet.example/x"
    assert "How did you move into product?" in str(event["description"])
    assert str(event["url"]).endswith(f"/conversations/{chat.pk}/")
    assert str(event["status"]) == "CONFIRMED"


def test_the_feed_parses_with_a_second_independent_parser(user, chat):
    body = feed(user).content.decode()
    calendar = vobject.readOne(body)
    chats = [e for e in calendar.vevent_list if e.uid.value.startswith("conversation-")]
    assert len(chats) == 1
    assert chats[0].summary.value == "Coffee chat with Priya Raman (Cohere)"
    assert chats[0].dtstart.value.astimezone(dt_timezone.utc) == chat.scheduled_for
    assert chats[0].dtstart.value.astimezone(TORONTO).hour == 9
    assert "What does a good PM do first?" in chats[0].description.value


def test_open_follow_ups_are_all_day_events_on_the_users_local_date(user, chat):
    # 01:30 UTC on the 10th is still the 9th in Toronto.
    due = datetime(2030, 1, 10, 1, 30, tzinfo=dt_timezone.utc)
    follow_up_create(owner=user, contact=chat.contact, kind="send_material", title="Send the deck", due_at=due)
    follow_ups = [e for e in events(feed(user).content) if str(e["summary"]) == "Follow-up: Send the deck"]
    assert len(follow_ups) == 1
    assert follow_ups[0].decoded("dtstart") == date(2030, 1, 9)
    assert follow_ups[0].decoded("dtend") == date(2030, 1, 10)


def test_a_rescheduled_chat_keeps_its_uid_and_moves(user, chat):
    before = events(feed(user).content)
    new_start = chat.scheduled_for + timedelta(days=1, hours=2)
    conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=new_start)
    after = [e for e in events(feed(user).content) if str(e["uid"]).startswith("conversation-")]
    old = [e for e in before if str(e["uid"]).startswith("conversation-")]
    assert [str(e["uid"]) for e in after] == [str(e["uid"]) for e in old]
    assert after[0].decoded("dtstart") == new_start
    assert int(after[0]["sequence"]) > int(old[0]["sequence"])


def test_a_cancelled_chat_is_marked_cancelled(user, chat):
    conversation_transition(conversation=chat, to_stage="cancelled")
    (event,) = [e for e in events(feed(user).content) if str(e["uid"]).startswith("conversation-")]
    assert str(event["status"]) == "CANCELLED"


def test_chats_without_a_date_are_not_in_the_feed(user, chat):
    conversation_create(owner=user, contact=chat.contact, kind="informational_interview")
    assert len([e for e in events(feed(user).content) if str(e["uid"]).startswith("conversation-")]) == 1


def test_a_rotated_token_is_404_and_the_new_one_works(user, chat):
    old = user.profile.calendar_token
    calendar_token_rotate(profile=user.profile)
    assert Client().get(f"/calendar/{old}.ics").status_code == 404
    assert Client().get(f"/calendar/{user.profile.calendar_token}.ics").status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 200])
def test_an_unknown_token_is_404(db, token):
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_another_users_token_shows_nothing_of_this_user(user, other_user, chat):
    body = feed(other_user).content.decode()
    assert "Priya" not in body and "Cohere" not in body
    assert events(body.encode()) == []


def test_a_chat_invitation_downloads_for_its_owner(user, chat):
    client = Client()
    client.force_login(user)
    response = client.get(f"/calendar/chat/{chat.pk}.ics")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    (event,) = events(response.content)
    assert str(event["uid"]) == f"conversation-{chat.pk}@127.0.0.1"  # same UID as the feed
    assert vobject.readOne(response.content.decode()).vevent.summary.value == "Coffee chat with Priya Raman (Cohere)"


def test_another_users_chat_invitation_is_404(other_user, chat):
    client = Client()
    client.force_login(other_user)
    assert client.get(f"/calendar/chat/{chat.pk}.ics").status_code == 404


def test_a_chat_invitation_needs_a_login(chat):
    response = Client().get(f"/calendar/chat/{chat.pk}.ics")
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unscheduled_chat_has_no_invitation(user, chat):
    planned = conversation_create(owner=user, contact=chat.contact, kind="coffee_chat", allow_duplicate=True)
    client = Client()
    client.force_login(user)
    assert client.get(f"/calendar/chat/{planned.pk}.ics").status_code == 404
