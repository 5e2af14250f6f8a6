"""Every change a calendar shows raises the chat's SEQUENCE, in the feed and in the e-mailed
or downloaded invitation alike (one builder, one UID), so a calendar that took the chat
applies the update. A change it does not show, or a save that changes nothing, leaves it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from outreach.calendar import chat_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(api_client, user):
    from tests.factories import conversation

    conv = conversation(user)
    url = f"/api/v1/conversations/{conv.pk}/transition/"
    api_client.post(url, {"stage": "requested"}, format="json")
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    assert (
        api_client.post(url, {"stage": "scheduled", "scheduled_for": start.isoformat()}, format="json").status_code
        == 200
    )
    conv.refresh_from_db()
    return conv


def _feed_event(user, chat):
    body = Client().get(f"/calendar/{user.profile.calendar_token}.ics").content
    [event] = [
        e for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]).startswith(f"conversation-{chat.pk}@")
    ]
    return event


def _invitation_event(chat):
    chat.refresh_from_db()
    [event] = Calendar.from_ical(chat_invitation(chat)).walk("VEVENT")
    return event


def _sequence(user, chat) -> int:
    feed, invitation = _feed_event(user, chat), _invitation_event(chat)
    assert feed["UID"] == invitation["UID"]
    assert int(feed["SEQUENCE"]) == int(invitation["SEQUENCE"])
    return int(feed["SEQUENCE"])


EDITS = [
    ("duration", {"duration_minutes": 45}, "DURATION", "PT45M"),
    ("location", {"location": "https://meet.example.com/abc"}, "LOCATION", "https://meet.example.com/abc"),
    ("agenda", {"agenda": "Ask about discovery interviews"}, "DESCRIPTION", "Ask about discovery interviews"),
]


@pytest.mark.parametrize("name, change, prop, shown", EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_the_calendar_shows_raises_the_sequence(api_client, user, chat, name, change, prop, shown):
    before = _sequence(user, chat)
    assert api_client.patch(f"/api/v1/conversations/{chat.pk}/", change, format="json").status_code == 200
    assert _sequence(user, chat) == before + 1
    assert shown in _feed_event(user, chat)[prop].to_ical().decode().replace("\\n", "\n").replace("\r\n ", "")


def test_reschedule_and_cancel_raise_it_too(api_client, user, chat):
    url = f"/api/v1/conversations/{chat.pk}/transition/"
    assert _sequence(user, chat) == 0
    later = (chat.scheduled_for + timedelta(days=1)).isoformat()
    api_client.post(url, {"stage": "scheduled", "scheduled_for": later}, format="json")
    assert _sequence(user, chat) == 1
    api_client.post(url, {"stage": "cancelled"}, format="json")
    assert _sequence(user, chat) == 2
    assert str(_feed_event(user, chat)["STATUS"]) == "CANCELLED"


def test_a_change_the_calendar_does_not_show_or_a_repeated_save_leaves_it(api_client, user, chat):
    url = f"/api/v1/conversations/{chat.pk}/"
    api_client.patch(url, {"location": "Zoom"}, format="json")
    before = _sequence(user, chat)
    api_client.patch(url, {"location": "Zoom"}, format="json")  # the same value again
    api_client.patch(url, {"outcome": "Great advice on discovery"}, format="json")  # not on the calendar
    assert _sequence(user, chat) == before


@pytest.mark.django_db(transaction=True)
def test_the_migration_starts_existing_chats_at_the_sequence_the_feed_already_published():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("outreach", "0001_initial")])
    apps = executor.loader.project_state([("outreach", "0001_initial")]).apps
    User, Contact = apps.get_model("auth", "User"), apps.get_model("contacts", "Contact")
    Conversation, StageChange = apps.get_model("outreach", "Conversation"), apps.get_model("outreach", "StageChange")
    owner = User.objects.create(username="legacy")
    contact = Contact.objects.create(owner=owner, first_name="Priya")
    now = timezone.now()

    def chat(stages):
        conv = Conversation.objects.create(
            owner=owner, contact=contact, kind="coffee_chat", stage=stages[-1], scheduled_for=now
        )
        for stage in stages:
            StageChange.objects.create(owner=owner, conversation=conv, stage=stage, at=now)
        return conv.pk

    once = chat(["planned", "requested", "scheduled"])
    twice_then_cancelled = chat(["planned", "requested", "scheduled", "scheduled", "cancelled"])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from outreach.models import Conversation as Current

    assert Current.objects.get(pk=once).calendar_sequence == 0
    assert Current.objects.get(pk=twice_then_cancelled).calendar_sequence == 2
