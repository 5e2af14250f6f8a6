"""A settings save re-plans reminders only when a setting that decides their times changed,
and then in bulk: a fixed number of queries however much work is open."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import profile_update
from outreach.models import Conversation, FollowUp, Reminder, Stage
from outreach.services import conversation_transition, follow_up_create
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 3, 2, 12, 0)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _open_work(user, follow_ups: int, chats: int = 2):
    """`follow_ups` open follow-ups due in the future and `chats` scheduled chats."""
    contact = ContactFactory(owner=user)
    FollowUp.objects.bulk_create(
        FollowUp(owner=user, contact=contact, kind="other", title=f"Item {i}", due_at=NOW + timedelta(hours=3 + i))
        for i in range(follow_ups)
    )
    for day in range(1, chats + 1):
        chat = conversation(user, contact=contact)
        conversation_transition(conversation=chat, to_stage=Stage.REQUESTED)
        conversation_transition(conversation=chat, to_stage=Stage.SCHEDULED, scheduled_for=NOW + timedelta(days=day))


def _pending(user, kind):
    return Reminder.objects.filter(owner=user, kind=kind, status=Reminder.Status.PENDING)


def test_a_save_that_moves_no_reminder_time_leaves_reminders_alone(user, django_assert_max_num_queries):
    follow_up_create(
        owner=user, contact=ContactFactory(owner=user), kind="other", title="Send deck", due_at=NOW + timedelta(days=2)
    )
    before = list(Reminder.objects.filter(owner=user).values("id", "status", "send_at"))
    with CaptureQueriesContext(connection) as queries:
        profile_update(profile=user.profile, pathway="internal_move", weekly_request_goal=5, first_name="Ada")
    assert not [q["sql"] for q in queries.captured_queries if "outreach_reminder" in q["sql"]]
    assert list(Reminder.objects.filter(owner=user).values("id", "status", "send_at")) == before


def test_saving_the_same_values_again_changes_nothing(user):
    profile_update(profile=user.profile, timezone="Europe/Berlin", digest_hour=7)
    with CaptureQueriesContext(connection) as queries:
        profile_update(profile=user.profile, timezone="Europe/Berlin", digest_hour=7)
    assert not [q["sql"] for q in queries.captured_queries if "outreach_reminder" in q["sql"]]


def test_switching_reminders_back_on_rearms_a_thousand_items_in_a_fixed_number_of_queries(
    user, django_assert_max_num_queries
):
    _open_work(user, follow_ups=1000)
    profile_update(profile=user.profile, email_reminders=False)
    assert not Reminder.objects.filter(owner=user, status=Reminder.Status.PENDING).exists()

    # About 40 queries whatever the number of items (the profile's own validation, one query per
    # check constraint, planning the digest and the weekly review, and re-dating open nudges are most of them), plus one
    # INSERT per bulk batch (SQLite's variable limit makes ~14 batches of 1,000). One item at a
    # time, this was over 4,000.
    with django_assert_max_num_queries(62):
        profile_update(profile=user.profile, email_reminders=True)

    due = _pending(user, Reminder.Kind.FOLLOW_UP_DUE)
    assert due.count() == 1000
    # One reminder per follow-up, at its due time, under the key the per-item planner uses.
    first = FollowUp.objects.filter(owner=user).order_by("due_at").first()
    assert due.get(follow_up=first).send_at == first.due_at
    assert _pending(user, Reminder.Kind.CHAT_PREP).count() == 2
    assert _pending(user, Reminder.Kind.CHAT_SOON).count() == 2
    assert _pending(user, Reminder.Kind.DAILY_DIGEST).count() == 1


def test_rearming_twice_creates_no_duplicates(user):
    _open_work(user, follow_ups=5, chats=1)
    profile_update(profile=user.profile, email_reminders=False)
    profile_update(profile=user.profile, email_reminders=True)
    profile_update(profile=user.profile, email_reminders=False)
    profile_update(profile=user.profile, email_reminders=True)
    assert _pending(user, Reminder.Kind.FOLLOW_UP_DUE).count() == 5
    open_items = Reminder.objects.filter(owner=user, kind=Reminder.Kind.FOLLOW_UP_DUE, follow_up__status="open")
    assert open_items.count() == 5
    assert Reminder.objects.filter(owner=user, kind=Reminder.Kind.CHAT_PREP).count() == 1


def test_a_chat_rescheduled_while_reminders_were_off_is_reminded_at_its_new_time(user):
    _open_work(user, follow_ups=0, chats=1)
    chat = Conversation.objects.get(owner=user)
    profile_update(profile=user.profile, email_reminders=False)
    new_start = NOW + timedelta(days=5)
    conversation_transition(conversation=chat, to_stage=Stage.SCHEDULED, scheduled_for=new_start)
    profile_update(profile=user.profile, email_reminders=True)
    soon = _pending(user, Reminder.Kind.CHAT_SOON).get()
    assert soon.send_at == new_start - timedelta(hours=1)
    assert _pending(user, Reminder.Kind.CHAT_PREP).get().send_at == new_start - timedelta(hours=24)


def test_a_new_time_zone_replans_the_digest_but_no_follow_up(user):
    contact = ContactFactory(owner=user)
    for hours in (3, 4, 5):
        follow_up_create(owner=user, contact=contact, kind="other", title="Item", due_at=NOW + timedelta(hours=hours))
    due_before = list(_pending(user, Reminder.Kind.FOLLOW_UP_DUE).values_list("id", "send_at"))
    profile_update(profile=user.profile, timezone="Asia/Tokyo")
    assert list(_pending(user, Reminder.Kind.FOLLOW_UP_DUE).values_list("id", "send_at")) == due_before
    digest = _pending(user, Reminder.Kind.DAILY_DIGEST).get()
    assert digest.send_at.astimezone(timezone.get_fixed_timezone(9 * 60)).hour == 8
