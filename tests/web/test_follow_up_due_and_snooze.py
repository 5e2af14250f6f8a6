"""Follow-ups the pipeline plans days ahead fall due at the user's digest hour on that day, on
their clock (issue #10): the nudge after `nudge_after_days`, the reconnect after the cadence.
The thank-you stays 24 h after the chat. Snoozing never brings a follow-up forward unless that
date was chosen."""

import datetime as dt
import zoneinfo
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from outreach.models import FollowUp
from outreach.services import conversation_transition, follow_up_complete, follow_up_create, follow_up_snooze
from tests.factories import ContactFactory, aware, conversation

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _set(user, tz: str, hour: int, **fields):
    profile = user.profile
    profile.timezone, profile.digest_hour = tz, hour
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return user


def _local(moment, tz):
    return moment.astimezone(tz).replace(tzinfo=None)


def test_the_nudge_falls_due_at_the_digest_hour_of_the_day_it_is_planned_for(user):
    _set(user, "Europe/Berlin", 9, nudge_after_days=7)
    # Asked at 16:42 Berlin time on Tue 3 Mar 2026.
    with time_machine.travel(aware(2026, 3, 3, 15, 42), tick=False):
        conv = conversation(user)
        conversation_transition(conversation=conv, to_stage="requested")
    nudge = conv.follow_ups.get(kind="nudge")
    assert _local(nudge.due_at, BERLIN) == dt.datetime(2026, 3, 10, 9, 0)  # not 16:42


def test_a_nudge_planned_across_the_end_of_dst_keeps_the_local_digest_hour(user):
    # Berlin leaves summer time on Sun 25 Oct 2026; New York on Sun 1 Nov 2026.
    _set(user, "Europe/Berlin", 8, nudge_after_days=7)
    with time_machine.travel(aware(2026, 10, 18, 20, 0), tick=False):  # 22:00 CEST, Sun 18 Oct
        conv = conversation(user)
        conversation_transition(conversation=conv, to_stage="requested")
    nudge = conv.follow_ups.get(kind="nudge")
    assert nudge.due_at == aware(2026, 10, 25, 7, 0)  # 08:00 CET (UTC+1) on the DST day
    assert _local(nudge.due_at, BERLIN) == dt.datetime(2026, 10, 25, 8, 0)


def test_a_nudge_due_on_the_new_york_dst_day_is_at_the_digest_hour(user):
    _set(user, "America/New_York", 8, nudge_after_days=3)
    with time_machine.travel(aware(2026, 10, 29, 23, 30), tick=False):  # 19:30 EDT Thu 29 Oct
        conv = conversation(user)
        conversation_transition(conversation=conv, to_stage="requested")
    nudge = conv.follow_ups.get(kind="nudge")
    assert nudge.due_at == aware(2026, 11, 1, 13, 0)  # 08:00 EST (UTC-5) on Sun 1 Nov


def test_the_day_counts_on_the_users_clock_not_in_utc(user):
    # 23:30 in New York is already the next day in UTC: the nudge still counts from the local day.
    _set(user, "America/New_York", 8, nudge_after_days=7)
    with time_machine.travel(aware(2026, 3, 4, 4, 30), tick=False):  # 23:30 EST, Tue 3 Mar
        conv = conversation(user)
        conversation_transition(conversation=conv, to_stage="requested")
    nudge = conv.follow_ups.get(kind="nudge")
    assert _local(nudge.due_at, NEW_YORK) == dt.datetime(2026, 3, 10, 8, 0)


def test_the_next_nudge_after_completing_one_is_at_the_digest_hour_too(user):
    _set(user, "Europe/Berlin", 9, nudge_after_days=5, max_nudges=2)
    with time_machine.travel(aware(2026, 3, 3, 10, 0), tick=False):
        conv = conversation(user)
        conversation_transition(conversation=conv, to_stage="requested")
    with time_machine.travel(aware(2026, 3, 8, 17, 13), tick=False):
        follow_up_complete(follow_up=conv.follow_ups.get(kind="nudge"))
    second = conv.follow_ups.get(kind="nudge", status="open")
    assert _local(second.due_at, BERLIN) == dt.datetime(2026, 3, 13, 9, 0)


def test_the_reconnect_falls_due_at_the_digest_hour_after_the_cadence(user):
    _set(user, "Europe/Berlin", 8)
    contact = ContactFactory(owner=user, reconnect_every_days=30)
    with time_machine.travel(aware(2026, 9, 30, 16, 0), tick=False):  # 18:00 CEST
        conv = conversation(user, contact)
        conversation_transition(conversation=conv, to_stage="requested")
        conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=aware(2026, 9, 30, 16, 5))
    with time_machine.travel(aware(2026, 9, 30, 17, 0), tick=False):
        conversation_transition(conversation=conv, to_stage="held")
        conversation_transition(conversation=conv, to_stage="thanked")
    reconnect = contact.follow_ups.get(kind="reconnect", status="open")
    # 30 days after Wed 30 Sep is Fri 30 Oct, after the DST change: 08:00 CET = 07:00 UTC.
    assert reconnect.due_at == aware(2026, 10, 30, 7, 0)
    contact.refresh_from_db()
    assert contact.reconnect_due_at == reconnect.due_at


def test_the_thank_you_stays_24_hours_after_the_chat(user):
    _set(user, "Europe/Berlin", 8)
    with time_machine.travel(aware(2026, 10, 24, 14, 37), tick=False):
        conv = conversation(user)
        conversation_transition(conversation=conv, to_stage="requested")
        conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=aware(2026, 10, 24, 14, 38))
    with time_machine.travel(aware(2026, 10, 24, 15, 0), tick=False):
        conversation_transition(conversation=conv, to_stage="held")
    thank_you = conv.follow_ups.get(kind="thank_you")
    assert thank_you.due_at == aware(2026, 10, 25, 15, 0)


@pytest.fixture
def due_in_five_days(user):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        yield follow_up_create(
            owner=user, contact=ContactFactory(owner=user), kind="other", title="Send deck", due_at=dt.date(2026, 3, 7)
        )


def test_a_preset_snooze_never_brings_a_follow_up_forward(due_in_five_days):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        with pytest.raises(ValidationError) as caught:
            follow_up_snooze(follow_up=due_in_five_days, due_at=dt.date(2026, 3, 3), earlier_ok=False)
    assert "earlier" in str(caught.value)
    due_in_five_days.refresh_from_db()
    assert due_in_five_days.due_at == aware(2026, 3, 7, 8, 0)


def test_a_chosen_date_may_bring_a_follow_up_forward(due_in_five_days):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        follow_up_snooze(follow_up=due_in_five_days, due_at=dt.date(2026, 3, 3))
    due_in_five_days.refresh_from_db()
    assert due_in_five_days.due_at == aware(2026, 3, 3, 8, 0)


def test_the_page_offers_only_presets_after_the_due_day_and_a_date_picker(web, due_in_five_days):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):  # Mon 2 Mar
        html = web.get("/follow-ups/").content.decode()
    row = html.split(f'id="follow-up-{due_in_five_days.pk}"')[1].split("</li>")[0]
    assert "Tomorrow" not in row and "In 3 days" not in row  # both before Sat 7 Mar
    assert 'value="2026-03-09"' in row  # next Monday is later: offered
    assert 'type="date"' in row and 'name="on"' in row


def test_a_preset_posted_from_an_old_page_is_refused_and_changes_nothing(web, due_in_five_days):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        response = web.post(
            f"/follow-ups/{due_in_five_days.pk}/snooze/", {"due_on": "2026-03-03"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 400
    assert "earlier" in response.content.decode()
    due_in_five_days.refresh_from_db()
    assert due_in_five_days.due_at == aware(2026, 3, 7, 8, 0)


def test_a_picked_date_on_the_page_wins_over_the_preset(web, due_in_five_days):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        response = web.post(f"/follow-ups/{due_in_five_days.pk}/snooze/", {"due_on": "2026-03-09", "on": "2026-03-04"})
    assert response.status_code == 302
    due_in_five_days.refresh_from_db()
    assert due_in_five_days.due_at == aware(2026, 3, 4, 8, 0)


def test_a_snooze_with_no_date_is_refused(web, due_in_five_days):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        response = web.post(f"/follow-ups/{due_in_five_days.pk}/snooze/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    due_in_five_days.refresh_from_db()
    assert due_in_five_days.due_at == aware(2026, 3, 7, 8, 0)


def test_another_users_follow_up_cannot_be_snoozed(other_web, due_in_five_days):
    response = other_web.post(f"/follow-ups/{due_in_five_days.pk}/snooze/", {"on": "2026-03-20"})
    assert response.status_code == 404


def test_an_overdue_follow_up_is_marked_overdue_in_the_list(web, user):
    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        late = follow_up_create(
            owner=user, contact=ContactFactory(owner=user), kind="other", title="Late", due_at=dt.date(2026, 3, 1)
        )
        soon = follow_up_create(
            owner=user, contact=ContactFactory(owner=user), kind="other", title="Soon", due_at=dt.date(2026, 3, 5)
        )
        html = web.get("/follow-ups/").content.decode()
    assert "badge overdue" in html.split(f'id="follow-up-{late.pk}"')[1].split("</li>")[0]
    assert "badge overdue" not in html.split(f'id="follow-up-{soon.pk}"')[1].split("</li>")[0]


def test_the_email_snooze_counts_from_the_due_time_when_that_is_later(user):
    from django.test import Client
    from django.urls import reverse

    from outreach.emails import ACTION_SNOOZE_DAY, sign_link

    with time_machine.travel(aware(2026, 3, 2, 12, 0), tick=False):
        follow_up = follow_up_create(
            owner=user, contact=ContactFactory(owner=user), kind="other", title="x", due_at=aware(2026, 3, 5, 8, 0)
        )
        token = sign_link(user=user, action=ACTION_SNOOZE_DAY, follow_up=follow_up)
        response = Client().post(reverse("email-action", args=[token]))
    assert response.status_code == 200, response.content
    follow_up.refresh_from_db()
    assert follow_up.due_at == aware(2026, 3, 6, 8, 0)
    assert FollowUp.objects.get(pk=follow_up.pk).status == "open"
    assert timedelta(days=1) == follow_up.due_at - aware(2026, 3, 5, 8, 0)
