"""/api/v1/touches/: a touch outside any ask (a DM, a call, an event with several people) keeps
each contact's last contact and reconnect follow-up current, and can be edited and deleted (#10)."""

from datetime import timedelta

import pytest
import time_machine

from contacts.models import Contact
from contacts.services import contact_create
from crm.services import note_create
from outreach.models import FollowUp, Reminder, Touch
from outreach.services import (
    TOUCH_MAX_CONTACTS,
    conversation_create,
    conversation_transition,
    follow_up_complete,
    follow_up_create,
    touch_create,
)
from tests.factories import aware

NOW = aware(2026, 5, 4, 12, 0)
URL = "/api/v1/touches/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def person(owner, first_name="Priya", **fields):
    return contact_create(owner=owner, first_name=first_name, last_name="Shah", **fields)


def open_reconnect(contact):
    return FollowUp.objects.get(contact=contact, kind="reconnect", status="open")


@pytest.fixture
def with_reconnect(user):
    """A contact with a 30-day cadence, last in touch 20 days ago, and an open reconnect follow-up."""
    contact = person(user, reconnect_every_days=30)
    first = follow_up_create(
        owner=user, contact=contact, kind="reconnect", title="Reconnect", due_at=NOW - timedelta(days=20)
    )
    follow_up_complete(follow_up=first, at=NOW - timedelta(days=20))
    contact.refresh_from_db()
    assert open_reconnect(contact).due_at.date() == (NOW + timedelta(days=10)).date()
    return contact


def test_a_touch_with_several_people_is_created_and_each_is_in_touch(api_client, user):
    ana, ben = person(user, "Ana"), person(user, "Ben")
    at = NOW - timedelta(hours=3)
    response = api_client.post(
        URL,
        {"contacts": [ana.pk, ben.pk], "channel": "event", "at": at.isoformat(), "summary": "PM meetup"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "contacts", "channel", "at", "summary", "created_at"}
    assert sorted(body["contacts"]) == sorted([ana.pk, ben.pk])
    assert (body["channel"], body["summary"]) == ("event", "PM meetup")
    touch = Touch.objects.get(pk=body["id"])
    assert touch.owner == user and touch.at == at
    for contact in (ana, ben):
        contact.refresh_from_db()
        assert contact.last_contacted_at == at


def test_a_touch_without_at_or_channel_happened_now_on_another_channel(api_client, user):
    ana = person(user)
    response = api_client.post(URL, {"contacts": [ana.pk]}, format="json")
    assert response.status_code == 201, response.content
    touch = Touch.objects.get(pk=response.json()["id"])
    assert (touch.at, touch.channel) == (NOW, "other")


def test_a_touch_moves_the_open_reconnect_follow_up_and_its_email(api_client, with_reconnect):
    response = api_client.post(URL, {"contacts": [with_reconnect.pk], "channel": "linkedin"}, format="json")
    assert response.status_code == 201
    follow_up = open_reconnect(with_reconnect)
    assert follow_up.due_at.date() == (NOW + timedelta(days=30)).date()
    pending = Reminder.objects.filter(follow_up=follow_up, status="pending").values_list("send_at", flat=True)
    assert [send_at.date() for send_at in pending] == [(NOW + timedelta(days=30)).date()]
    with_reconnect.refresh_from_db()
    assert with_reconnect.last_contacted_at == NOW


def test_an_older_touch_moves_nothing_back(api_client, with_reconnect):
    before = open_reconnect(with_reconnect).due_at
    response = api_client.post(
        URL, {"contacts": [with_reconnect.pk], "at": (NOW - timedelta(days=60)).isoformat()}, format="json"
    )
    assert response.status_code == 201
    with_reconnect.refresh_from_db()
    assert with_reconnect.last_contacted_at == NOW - timedelta(days=20)
    assert open_reconnect(with_reconnect).due_at == before


def test_another_users_contact_is_not_found_and_nothing_is_written(api_client, user, other_user):
    mine, theirs = person(user), person(other_user, "Mallory")
    response = api_client.post(URL, {"contacts": [mine.pk, theirs.pk], "channel": "call"}, format="json")
    assert response.status_code == 400
    assert "not found" in str(response.json()["contacts"]).lower()
    assert not Touch.objects.exists()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.last_contacted_at is None and theirs.last_contacted_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contacts": None}, "contacts"),
        ({"contacts": []}, "contacts"),
        ({"contacts": ["abc"]}, "contacts"),
        ({"contacts": [10**30]}, "contacts"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"at": "2026-05-05T12:00:00+00:00"}, "at"),  # tomorrow: a touch is logged once it happened
        ({"at": "yesterday"}, "at"),
        ({"at": "0001-01-01T00:00:00Z"}, "at"),
        ({"summary": "x" * 20_001}, "summary"),
    ],
)
def test_bad_input_is_a_400_on_its_field_and_writes_nothing(api_client, user, body, field):
    contact = person(user)
    payload = {"contacts": [contact.pk], **body}
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Touch.objects.exists()
    contact.refresh_from_db()
    assert contact.last_contacted_at is None


def test_a_touch_without_contacts_is_refused(api_client, user):
    response = api_client.post(URL, {"channel": "call"}, format="json")
    assert response.status_code == 400
    assert "contacts" in response.json()
    assert not Touch.objects.exists()


def test_a_touch_names_at_most_a_hundred_people(api_client, user):
    contacts = Contact.objects.bulk_create(
        [Contact(owner=user, first_name=f"P{i}") for i in range(TOUCH_MAX_CONTACTS + 1)]
    )
    response = api_client.post(URL, {"contacts": [c.pk for c in contacts]}, format="json")
    assert response.status_code == 400
    assert "at most 100" in response.json()["contacts"][0]
    assert not Touch.objects.exists()


def test_a_time_without_offset_is_on_the_users_clock(api_client, user):
    user.profile.timezone = "Europe/Berlin"
    user.profile.save()
    contact = person(user)
    response = api_client.post(URL, {"contacts": [contact.pk], "at": "2026-05-04T09:30:00"}, format="json")
    assert response.status_code == 201
    assert Touch.objects.get().at == aware(2026, 5, 4, 7, 30)


def test_the_list_filters_by_contact_and_channel_and_paginates(api_client, user, other_user):
    ana, ben = person(user, "Ana"), person(user, "Ben")
    event = touch_create(owner=user, contacts=[ana, ben], at=NOW - timedelta(days=2), channel="event", summary="Meetup")
    dm = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=1), channel="linkedin", summary="DM")
    touch_create(owner=other_user, contacts=[person(other_user)], at=NOW, channel="linkedin")

    everything = api_client.get(URL).json()
    assert set(everything) == {"count", "next", "previous", "results"}
    assert [row["id"] for row in everything["results"]] == [dm.pk, event.pk]  # newest first
    assert [row["id"] for row in api_client.get(URL, {"contact": ben.pk}).json()["results"]] == [event.pk]
    assert [row["id"] for row in api_client.get(URL, {"channel": "linkedin"}).json()["results"]] == [dm.pk]
    assert [row["id"] for row in api_client.get(URL, {"search": "Ben"}).json()["results"]] == [event.pk]
    assert api_client.get(URL, {"ordering": "at"}).json()["results"][0]["id"] == event.pk
    page = api_client.get(URL, {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]
    assert api_client.get(URL, {"channel": "smoke"}).status_code == 400


def test_the_list_costs_the_same_queries_for_many_touches(api_client, user, django_assert_max_num_queries):
    contacts = [person(user, f"P{i}") for i in range(5)]
    for i in range(30):
        touch_create(owner=user, contacts=contacts[: 1 + i % 5], at=NOW - timedelta(hours=i), channel="call")
    with django_assert_max_num_queries(8):
        response = api_client.get(URL, {"page_size": 200})
    assert response.json()["count"] == 30


def test_retrieve_answers_the_touch(api_client, user):
    touch = touch_create(owner=user, contacts=[person(user)], at=NOW, channel="slack", summary="Thread")
    body = api_client.get(f"{URL}{touch.pk}/").json()
    assert (body["id"], body["channel"], body["summary"]) == (touch.pk, "slack", "Thread")


# --- editing -------------------------------------------------------------------------------


def test_moving_a_touch_later_moves_the_last_contact_and_the_reconnect(api_client, user, with_reconnect):
    touch = touch_create(owner=user, contacts=[with_reconnect], at=NOW - timedelta(days=5), channel="call")
    response = api_client.patch(f"{URL}{touch.pk}/", {"at": (NOW - timedelta(days=1)).isoformat()}, format="json")
    assert response.status_code == 200, response.content
    with_reconnect.refresh_from_db()
    assert with_reconnect.last_contacted_at == NOW - timedelta(days=1)
    assert open_reconnect(with_reconnect).due_at.date() == (NOW + timedelta(days=29)).date()


def test_moving_a_touch_earlier_gives_back_the_date_before_it(api_client, user, with_reconnect):
    touch = touch_create(owner=user, contacts=[with_reconnect], at=NOW - timedelta(days=1), channel="call")
    response = api_client.patch(f"{URL}{touch.pk}/", {"at": (NOW - timedelta(days=25)).isoformat()}, format="json")
    assert response.status_code == 200
    with_reconnect.refresh_from_db()
    # The completed reconnect 20 days ago is now the latest touch on record.
    assert with_reconnect.last_contacted_at == NOW - timedelta(days=20)
    assert open_reconnect(with_reconnect).due_at.date() == (NOW + timedelta(days=10)).date()


def test_adding_and_dropping_people_touches_the_new_and_recomputes_the_dropped(api_client, user):
    ana, ben = person(user, "Ana"), person(user, "Ben")
    touch = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=1), channel="event")
    response = api_client.patch(f"{URL}{touch.pk}/", {"contacts": [ben.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["contacts"] == [ben.pk]
    ana.refresh_from_db()
    ben.refresh_from_db()
    assert ana.last_contacted_at is None
    assert ben.last_contacted_at == NOW - timedelta(days=1)


def test_an_edit_naming_another_users_contact_changes_nothing(api_client, user, other_user):
    ana = person(user)
    touch = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=1), channel="event", summary="Before")
    theirs = person(other_user, "Mallory")
    response = api_client.patch(f"{URL}{touch.pk}/", {"contacts": [theirs.pk], "summary": "After"}, format="json")
    assert response.status_code == 400
    assert "not found" in str(response.json()["contacts"]).lower()
    touch.refresh_from_db()
    assert touch.summary == "Before"
    assert list(touch.contacts.all()) == [ana]
    theirs.refresh_from_db()
    assert theirs.last_contacted_at is None


def test_an_edit_of_the_summary_alone_leaves_dates_alone(api_client, user):
    ana = person(user)
    touch = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=1), channel="event")
    ana.refresh_from_db()
    updated_at = ana.updated_at
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = api_client.put(
            f"{URL}{touch.pk}/",
            {"contacts": [ana.pk], "channel": "call", "at": touch.at.isoformat(), "summary": "Called"},
            format="json",
        )
    assert response.status_code == 200
    ana.refresh_from_db()
    assert ana.updated_at == updated_at
    assert (response.json()["channel"], response.json()["summary"]) == ("call", "Called")


def test_an_edit_into_the_future_is_refused(api_client, user):
    touch = touch_create(owner=user, contacts=[person(user)], at=NOW - timedelta(days=1), channel="event")
    response = api_client.patch(f"{URL}{touch.pk}/", {"at": (NOW + timedelta(days=1)).isoformat()}, format="json")
    assert response.status_code == 400
    assert "at" in response.json()
    touch.refresh_from_db()
    assert touch.at == NOW - timedelta(days=1)


# --- deleting -------------------------------------------------------------------------------


def test_deleting_the_latest_touch_gives_back_the_one_before(api_client, user, with_reconnect):
    older = touch_create(owner=user, contacts=[with_reconnect], at=NOW - timedelta(days=3), channel="call")
    latest = touch_create(owner=user, contacts=[with_reconnect], at=NOW - timedelta(days=1), channel="call")
    assert api_client.delete(f"{URL}{latest.pk}/").status_code == 204
    assert not Touch.objects.filter(pk=latest.pk).exists()
    with_reconnect.refresh_from_db()
    assert with_reconnect.last_contacted_at == older.at
    assert open_reconnect(with_reconnect).due_at.date() == (older.at + timedelta(days=30)).date()


def test_deleting_the_only_touch_leaves_a_contact_never_in_touch(api_client, user):
    ana = person(user)
    touch = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=1), channel="call")
    assert api_client.delete(f"{URL}{touch.pk}/").status_code == 204
    ana.refresh_from_db()
    assert ana.last_contacted_at is None


def test_deleting_a_touch_falls_back_to_a_held_chat_or_a_note_on_a_conversation(api_client, user):
    ana = person(user)
    chat = conversation_create(owner=user, contact=ana, kind="coffee_chat")
    conversation_transition(conversation=chat, to_stage="requested", at=NOW - timedelta(days=12))
    conversation_transition(
        conversation=chat, to_stage="scheduled", at=NOW - timedelta(days=11), scheduled_for=NOW - timedelta(days=10)
    )
    conversation_transition(conversation=chat, to_stage="held", at=NOW - timedelta(days=10))
    with time_machine.travel(NOW - timedelta(days=4), tick=False):
        note_create(owner=user, contact=ana, conversation=chat, body="What she said")
    touch = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=1), channel="call")
    assert api_client.delete(f"{URL}{touch.pk}/").status_code == 204
    ana.refresh_from_db()
    assert ana.last_contacted_at == NOW - timedelta(days=4)


def test_deleting_an_older_touch_keeps_a_later_date(api_client, user, with_reconnect):
    touch = touch_create(owner=user, contacts=[with_reconnect], at=NOW - timedelta(days=40), channel="call")
    assert api_client.delete(f"{URL}{touch.pk}/").status_code == 204
    with_reconnect.refresh_from_db()
    assert with_reconnect.last_contacted_at == NOW - timedelta(days=20)


def test_deleting_a_touch_never_lowers_a_later_imported_date(api_client, user):
    """An import may set a last contact later than any event on record: not this touch's."""
    ana = person(user)
    touch = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=5), channel="call")
    Contact.objects.filter(pk=ana.pk).update(last_contacted_at=NOW - timedelta(days=2))
    assert api_client.delete(f"{URL}{touch.pk}/").status_code == 204
    ana.refresh_from_db()
    assert ana.last_contacted_at == NOW - timedelta(days=2)


def test_deleting_a_touch_leaves_a_reconnect_the_user_added_without_a_cadence(api_client, user):
    ana = person(user)
    touch = touch_create(owner=user, contacts=[ana], at=NOW - timedelta(days=1), channel="call")
    mine = follow_up_create(owner=user, contact=ana, kind="reconnect", title="Say hi", due_at=NOW + timedelta(days=9))
    assert api_client.delete(f"{URL}{touch.pk}/").status_code == 204
    mine.refresh_from_db()
    assert (mine.status, mine.due_at) == ("open", NOW + timedelta(days=9))
