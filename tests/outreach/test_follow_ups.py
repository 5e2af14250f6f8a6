"""Follow-ups: due dates in the user's time zone, nudges, staying in touch."""

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.errors import ApplicationError
from contacts.models import Contact
from outreach.models import FollowUp, Reminder
from outreach.services import (
    conversation_transition,
    follow_up_cancel,
    follow_up_complete,
    follow_up_create,
    follow_up_snooze,
)
from tests.factories import ContactFactory, aware, conversation, digest_day

NOW = aware(2026, 2, 2, 12, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def toronto_user(user):
    user.profile.timezone = "America/Toronto"
    user.profile.digest_hour = 8
    user.profile.save()
    return user


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (dt.date(2026, 3, 7), aware(2026, 3, 7, 13, 0)),  # EST, UTC-5
        (dt.date(2026, 3, 8), aware(2026, 3, 8, 12, 0)),  # DST starts at 02:00: EDT, UTC-4
        (dt.date(2026, 11, 1), aware(2026, 11, 1, 13, 0)),  # DST ends at 02:00: EST, UTC-5
        (dt.date(2026, 10, 31), aware(2026, 10, 31, 12, 0)),  # EDT
    ],
)
def test_a_date_only_follow_up_lands_at_the_digest_hour_local_time(toronto_user, day, expected_utc):
    follow_up = follow_up_create(
        owner=toronto_user, contact=ContactFactory(owner=toronto_user), kind="other", title="Send deck", due_at=day
    )
    follow_up.refresh_from_db()
    assert follow_up.due_at == expected_utc
    local = follow_up.due_at.astimezone(toronto_user.profile.tzinfo)
    assert (local.date(), local.hour, local.minute) == (day, 8, 0)


def test_a_digest_hour_inside_the_dst_gap_still_gives_one_instant(toronto_user):
    toronto_user.profile.digest_hour = 2  # 02:00 does not exist on 2026-03-08 in Toronto
    toronto_user.profile.save()
    follow_up = follow_up_create(
        owner=toronto_user,
        contact=ContactFactory(owner=toronto_user),
        kind="other",
        title="x",
        due_at=dt.date(2026, 3, 8),
    )
    local = follow_up.due_at.astimezone(toronto_user.profile.tzinfo)
    assert (local.date(), local.hour) == (dt.date(2026, 3, 8), 3)


def test_a_naive_datetime_is_read_in_the_users_time_zone(toronto_user):
    follow_up = follow_up_create(
        owner=toronto_user,
        contact=ContactFactory(owner=toronto_user),
        kind="other",
        title="x",
        due_at=dt.datetime(2026, 7, 1, 9, 30),
    )
    assert follow_up.due_at == aware(2026, 7, 1, 13, 30)


def test_creating_a_follow_up_plans_its_reminder(user):
    follow_up = follow_up_create(
        owner=user, contact=ContactFactory(owner=user), kind="apply", title="Apply", due_at=NOW + timedelta(days=2)
    )
    [reminder] = Reminder.objects.filter(follow_up=follow_up)
    assert (reminder.kind, reminder.status, reminder.send_at) == ("follow_up_due", "pending", NOW + timedelta(days=2))


def test_a_follow_up_for_another_users_contact_is_refused(user, other_user):
    with pytest.raises(ValidationError):
        follow_up_create(owner=user, contact=ContactFactory(owner=other_user), kind="other", title="x", due_at=NOW)
    assert not FollowUp.objects.exists()


def test_completing_nudges_opens_the_next_until_max_nudges(user):
    # What the user is then told (suggest_no_response) is tested through the API in tests/api/test_endpoints.py.
    conv = conversation(user)
    conversation_transition(conversation=conv, to_stage="requested")
    first = conv.follow_ups.get(kind="nudge", status="open")
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        follow_up_complete(follow_up=first)
    second = conv.follow_ups.get(kind="nudge", status="open")
    # A week after the first was done, at the digest hour (08:00 UTC for this user).
    assert second.due_at == digest_day(NOW, 14)
    with time_machine.travel(NOW + timedelta(days=14), tick=False):
        follow_up_complete(follow_up=second)
    assert not conv.follow_ups.filter(kind="nudge", status="open").exists()
    assert conv.follow_ups.filter(kind="nudge").count() == 2
    conv.contact.refresh_from_db()
    assert conv.contact.last_contacted_at == NOW + timedelta(days=14)


def test_max_nudges_zero_means_no_nudge(user):
    user.profile.max_nudges = 0
    user.profile.save()
    conv = conversation(user)
    conversation_transition(conversation=conv, to_stage="requested")
    assert not conv.follow_ups.filter(kind="nudge").exists()


def test_asking_again_starts_a_new_round_of_nudges(user):
    user.profile.max_nudges = 1
    user.profile.save()
    conv = conversation(user)
    conversation_transition(conversation=conv, to_stage="requested")
    follow_up_complete(follow_up=conv.follow_ups.get(kind="nudge", status="open"))
    assert not conv.follow_ups.filter(kind="nudge", status="open").exists()
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        conversation_transition(conversation=conv, to_stage="no_response")
        conversation_transition(conversation=conv, to_stage="requested")
    assert conv.follow_ups.filter(kind="nudge", status="open").count() == 1


def test_completing_the_thank_you_thanks_the_conversation(user):
    conv = conversation(user)
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(days=1))
    with time_machine.travel(NOW + timedelta(days=1, hours=1), tick=False):  # held once it happened
        conversation_transition(conversation=conv, to_stage="held")
    thank_you = conv.follow_ups.get(kind="thank_you")
    follow_up_complete(follow_up=thank_you)
    conv.refresh_from_db()
    thank_you.refresh_from_db()
    assert conv.stage == "thanked"
    assert thank_you.status == "done"


def test_any_touch_moves_the_open_reconnect_follow_up(user):
    contact = ContactFactory(owner=user, reconnect_every_days=30)
    reconnect = follow_up_create(owner=user, contact=contact, kind="reconnect", title="Reconnect", due_at=NOW)
    follow_up_complete(follow_up=reconnect)
    [next_reconnect] = contact.follow_ups.filter(kind="reconnect", status="open")
    assert next_reconnect.due_at == digest_day(NOW, 30)
    # A conversation note ten days later is a touch: the reconnect moves with it.
    from crm.services import note_create

    conv = conversation(user, contact)
    with time_machine.travel(NOW + timedelta(days=10), tick=False):
        note_create(owner=user, contact=contact, conversation=conv, body="Talked at the meetup")
    next_reconnect.refresh_from_db()
    assert next_reconnect.due_at == digest_day(NOW, 40)
    assert Reminder.objects.get(follow_up=next_reconnect, status="pending").send_at == next_reconnect.due_at
    contact.refresh_from_db()
    assert contact.last_contacted_at == NOW + timedelta(days=10)
    assert contact.reconnect_due_at == digest_day(NOW, 40)


def test_a_general_note_without_conversation_is_not_a_touch(user):
    from crm.services import note_create

    contact = ContactFactory(owner=user)
    note_create(owner=user, contact=contact, body="Likes hiking")
    assert Contact.objects.get(pk=contact.pk).last_contacted_at is None


def test_snooze_moves_the_follow_up_and_its_reminder(user):
    follow_up = follow_up_create(
        owner=user, contact=ContactFactory(owner=user), kind="other", title="x", due_at=NOW + timedelta(hours=1)
    )
    follow_up_snooze(follow_up=follow_up, due_at=NOW + timedelta(days=3))
    follow_up.refresh_from_db()
    assert follow_up.due_at == NOW + timedelta(days=3)
    assert list(follow_up.reminders.values_list("status", "send_at").order_by("send_at")) == [
        ("cancelled", NOW + timedelta(hours=1)),
        ("pending", NOW + timedelta(days=3)),
    ]


def test_snoozing_into_the_past_is_refused(user):
    follow_up = follow_up_create(
        owner=user, contact=ContactFactory(owner=user), kind="other", title="x", due_at=NOW + timedelta(hours=1)
    )
    with pytest.raises(ValidationError):
        follow_up_snooze(follow_up=follow_up, due_at=NOW - timedelta(days=1))
    follow_up.refresh_from_db()
    assert follow_up.due_at == NOW + timedelta(hours=1)


def test_a_closed_follow_up_cannot_be_completed_again(user):
    follow_up = follow_up_create(owner=user, contact=ContactFactory(owner=user), kind="other", title="x", due_at=NOW)
    follow_up_cancel(follow_up=follow_up)
    with pytest.raises(ApplicationError):
        follow_up_complete(follow_up=follow_up)
    follow_up.refresh_from_db()
    assert follow_up.status == "cancelled"
    assert not follow_up.reminders.filter(status="pending").exists()
