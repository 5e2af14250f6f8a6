"""The whole pipeline table: every (from, to) pair, legal moves with their effects, illegal ones refused."""

import itertools
from datetime import timedelta

import pytest
import time_machine

from outreach.models import Conversation, FollowUp, Reminder, Stage, StageChange
from outreach.pipeline import TRANSITIONS
from outreach.services import IllegalTransition, conversation_transition
from tests.factories import ContactFactory, aware, conversation, digest_day

NOW = aware(2026, 3, 2, 15, 0)
CHAT_AT = NOW + timedelta(days=3)
ALL_STAGES = list(Stage)

# The legal path that brings a new conversation to each stage.
PATH_TO = {
    Stage.PLANNED: [],
    Stage.REQUESTED: [Stage.REQUESTED],
    Stage.NO_RESPONSE: [Stage.REQUESTED, Stage.NO_RESPONSE],
    Stage.DECLINED: [Stage.REQUESTED, Stage.DECLINED],
    Stage.SCHEDULED: [Stage.REQUESTED, Stage.SCHEDULED],
    Stage.HELD: [Stage.REQUESTED, Stage.SCHEDULED, Stage.HELD],
    Stage.THANKED: [Stage.REQUESTED, Stage.SCHEDULED, Stage.HELD, Stage.THANKED],
    Stage.CANCELLED: [Stage.CANCELLED],
}
SPEC_TABLE = {
    ("planned", "requested"), ("planned", "cancelled"),
    ("requested", "scheduled"), ("requested", "declined"), ("requested", "no_response"), ("requested", "cancelled"),
    ("no_response", "requested"),
    ("scheduled", "scheduled"), ("scheduled", "held"), ("scheduled", "cancelled"),
    ("held", "thanked"),
}  # fmt: skip


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def move(conv, stage, **kwargs):
    if stage == Stage.SCHEDULED and "scheduled_for" not in kwargs:
        kwargs["scheduled_for"] = CHAT_AT
    if stage == Stage.HELD and "at" not in kwargs and "held_at" not in kwargs:
        kwargs["held_at"] = NOW  # before CHAT_AT: marking it held early says when it happened
    return conversation_transition(conversation=conv, to_stage=stage, **kwargs)


def conversation_at(user, stage, **contact_fields):
    conv = conversation(user, ContactFactory(owner=user, **contact_fields))
    for step in PATH_TO[stage]:
        move(conv, step)
    assert conv.stage == stage
    return conv


def snapshot(conv):
    conv.refresh_from_db()
    return {
        "conversation": {f.attname: getattr(conv, f.attname) for f in Conversation._meta.concrete_fields},
        "history": list(StageChange.objects.filter(conversation=conv).values_list("stage", "at")),
        "follow_ups": list(FollowUp.objects.order_by("id").values_list("id", "kind", "status", "due_at")),
        "reminders": list(Reminder.objects.order_by("id").values_list("id", "kind", "status", "send_at")),
        "last_contacted_at": type(conv.contact).objects.get(pk=conv.contact_id).last_contacted_at,
    }


def test_the_table_is_exactly_the_spec():
    pairs = {(a, b) for a, moves in TRANSITIONS.items() for b in moves}
    assert pairs == SPEC_TABLE


ILLEGAL = [(a, b) for a, b in itertools.product(ALL_STAGES, ALL_STAGES) if (a, b) not in SPEC_TABLE]


@pytest.mark.parametrize(("from_stage", "to_stage"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_move_is_refused_and_changes_nothing(user, from_stage, to_stage):
    conv = conversation_at(user, from_stage)
    before = snapshot(conv)
    with pytest.raises(IllegalTransition) as refused:
        move(conv, to_stage)
    message = str(refused.value)
    assert f"'{from_stage}'" in message
    for allowed in TRANSITIONS[from_stage]:
        assert allowed in message
    if not TRANSITIONS[from_stage]:
        assert "final" in message
    assert snapshot(conv) == before


def _open(conv, kind):
    return list(conv.follow_ups.filter(kind=kind, status="open"))


def _reminders(conv_or_follow_up, status="pending"):
    return sorted(conv_or_follow_up.reminders.filter(status=status).values_list("kind", "send_at"))


def test_planned_to_requested_sets_requested_at_and_opens_a_nudge(user):
    conv = conversation_at(user, Stage.PLANNED)
    move(conv, Stage.REQUESTED)
    assert conv.stage == "requested"
    assert conv.requested_at == NOW
    [nudge] = _open(conv, "nudge")
    assert nudge.due_at == digest_day(NOW, 7)  # that day at the digest hour, not the minute of the click
    assert _reminders(nudge) == [("follow_up_due", digest_day(NOW, 7))]
    assert list(conv.stage_changes.values_list("from_stage", "stage")) == [("", "planned"), ("planned", "requested")]


def test_nudge_delay_follows_the_profile(user):
    user.profile.nudge_after_days = 3
    user.profile.save()
    conv = conversation_at(user, Stage.REQUESTED)
    [nudge] = _open(conv, "nudge")
    assert nudge.due_at == digest_day(NOW, 3)


def test_no_response_to_requested_asks_again_with_a_fresh_nudge(user):
    conv = conversation_at(user, Stage.NO_RESPONSE)
    assert _open(conv, "nudge") == []
    later = NOW + timedelta(days=20)
    move(conv, Stage.REQUESTED, at=later)
    assert conv.requested_at == later
    [nudge] = _open(conv, "nudge")
    assert nudge.due_at == digest_day(later, 7)
    assert conv.follow_ups.filter(kind="nudge", status="cancelled").count() == 1


def test_requested_to_scheduled_cancels_nudges_and_plans_chat_reminders(user):
    conv = conversation_at(user, Stage.REQUESTED)
    [nudge] = _open(conv, "nudge")
    move(conv, Stage.SCHEDULED, scheduled_for=CHAT_AT)
    assert conv.scheduled_for == CHAT_AT
    nudge.refresh_from_db()
    assert nudge.status == "cancelled"
    assert _reminders(nudge) == []
    assert _reminders(conv) == [
        ("chat_prep", CHAT_AT - timedelta(hours=24)),
        ("chat_soon", CHAT_AT - timedelta(hours=1)),
    ]


def test_scheduling_needs_a_time(user):
    from django.core.exceptions import ValidationError

    conv = conversation_at(user, Stage.REQUESTED)
    before = snapshot(conv)
    with pytest.raises(ValidationError):
        conversation_transition(conversation=conv, to_stage=Stage.SCHEDULED)
    assert snapshot(conv) == before


def test_rescheduling_replans_the_chat_reminders(user):
    conv = conversation_at(user, Stage.SCHEDULED)
    new_time = CHAT_AT + timedelta(days=2, hours=3)
    move(conv, Stage.SCHEDULED, scheduled_for=new_time)
    assert conv.scheduled_for == new_time
    assert _reminders(conv) == [
        ("chat_prep", new_time - timedelta(hours=24)),
        ("chat_soon", new_time - timedelta(hours=1)),
    ]
    assert _reminders(conv, "cancelled") == [
        ("chat_prep", CHAT_AT - timedelta(hours=24)),
        ("chat_soon", CHAT_AT - timedelta(hours=1)),
    ]


def test_scheduled_to_held_opens_thank_you_and_touches_the_contact(user):
    conv = conversation_at(user, Stage.SCHEDULED)
    held = CHAT_AT + timedelta(minutes=40)
    with time_machine.travel(held, tick=False):  # marked held once it happened
        move(conv, Stage.HELD, at=held)
    assert conv.held_at == held
    [thank_you] = _open(conv, "thank_you")
    assert thank_you.due_at == held + timedelta(hours=24)
    conv.contact.refresh_from_db()
    assert conv.contact.last_contacted_at == held
    assert _reminders(conv) == []


def test_held_to_thanked_completes_thank_you_and_opens_reconnect(user):
    conv = conversation_at(user, Stage.HELD, reconnect_every_days=30)
    [thank_you] = _open(conv, "thank_you")
    thanked_at = NOW + timedelta(days=1)
    move(conv, Stage.THANKED, at=thanked_at)
    thank_you.refresh_from_db()
    assert (thank_you.status, thank_you.completed_at) == ("done", thanked_at)
    assert _reminders(thank_you) == []
    [reconnect] = conv.contact.follow_ups.filter(kind="reconnect", status="open")
    assert reconnect.due_at == digest_day(thanked_at, 30)
    conv.contact.refresh_from_db()
    assert conv.contact.last_contacted_at == thanked_at


def test_held_to_thanked_without_cadence_opens_no_reconnect(user):
    conv = conversation_at(user, Stage.HELD)
    move(conv, Stage.THANKED)
    assert not conv.contact.follow_ups.filter(kind="reconnect").exists()


CLOSING = [(a, b) for a, b in sorted(SPEC_TABLE) if b in ("declined", "no_response", "cancelled")]


@pytest.mark.parametrize(("from_stage", "to_stage"), CLOSING, ids=[f"{a}->{b}" for a, b in CLOSING])
def test_closing_moves_cancel_open_follow_ups_and_pending_reminders(user, from_stage, to_stage):
    conv = conversation_at(user, from_stage)
    extra = FollowUp.objects.create(
        owner=user,
        contact=conv.contact,
        conversation=conv,
        kind="send_material",
        title="Send deck",
        due_at=NOW + timedelta(days=1),
    )
    move(conv, to_stage)
    assert conv.stage == to_stage
    assert not conv.follow_ups.filter(status="open").exists()
    extra.refresh_from_db()
    assert extra.status == "cancelled"
    assert not Reminder.objects.filter(conversation=conv, status="pending").exists()
    assert not Reminder.objects.filter(follow_up__conversation=conv, status="pending").exists()


def test_every_legal_pair_succeeds(user):
    for from_stage, to_stage in sorted(SPEC_TABLE):
        conv = conversation_at(user, from_stage)
        # A reschedule to the very same time changes nothing (#10): move it an hour later.
        later = {"scheduled_for": CHAT_AT + timedelta(hours=1)} if from_stage == to_stage == Stage.SCHEDULED else {}
        move(conv, to_stage, **later)
        assert conv.stage == to_stage
        last = conv.stage_changes.last()
        assert (last.from_stage, last.stage) == (from_stage, to_stage)


def test_stage_cannot_be_written_by_saving_the_model(user):
    """`stage` is not editable: the serializer, forms and admin never offer it."""
    assert Conversation._meta.get_field("stage").editable is False
