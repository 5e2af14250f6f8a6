"""Issue #14, Day 7 of 3B7: under routine=3b7 a request's nudge falls due on the 7th business
day after it (local date, by the user's workweek, at the digest hour), and there is only one.
The expected instants below are worked out by hand from a calendar."""

import pytest
import time_machine

from accounts.services import profile_update
from outreach.models import FollowUp, Reminder, Stage
from outreach.services import conversation_start_request, conversation_transition, follow_up_complete
from tests.factories import ContactFactory, aware

pytestmark = pytest.mark.django_db


def _request(user, at):
    with time_machine.travel(at, tick=False):
        return conversation_start_request(owner=user, contact=ContactFactory(owner=user), at=at)


def _open_nudges(ask):
    return list(ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN))


def _nudge_due(ask):
    (nudge,) = _open_nudges(ask)
    return nudge.due_at


def test_a_thursday_request_is_nudged_on_the_monday_after_next_skipping_both_weekends(user):
    profile_update(profile=user.profile, routine="3b7")
    # Thu 5 Mar 2026 → Fri 6, Mon 9, Tue 10, Wed 11, Thu 12, Fri 13, Mon 16: the 7th business day.
    ask = _request(user, aware(2026, 3, 5, 10, 0))
    assert _nudge_due(ask) == aware(2026, 3, 16, 8, 0)


def test_the_nudge_keeps_the_digest_hour_across_the_end_of_dst_in_toronto(user):
    profile_update(profile=user.profile, routine="3b7", timezone="America/Toronto", digest_hour=8)
    # 22:30 on Tue 27 Oct 2026 in Toronto (EDT, UTC-4) is already Wed 28 Oct in UTC: the local
    # date counts. Wed 28, Thu 29, Fri 30, Mon 2 Nov, Tue 3, Wed 4, Thu 5 Nov; clocks went back on
    # Sun 1 Nov, so 08:00 EST is 13:00 UTC (it would have been 12:00 UTC before the change).
    ask = _request(user, aware(2026, 10, 28, 2, 30))
    assert _nudge_due(ask) == aware(2026, 11, 5, 13, 0)


def test_the_nudge_keeps_the_digest_hour_across_the_start_of_dst_in_berlin(user):
    profile_update(profile=user.profile, routine="3b7", timezone="Europe/Berlin", digest_hour=9)
    # Wed 25 Mar 2026 09:00 CET → Thu 26, Fri 27, Mon 30, Tue 31, Wed 1 Apr, Thu 2, Fri 3 Apr;
    # clocks went forward on Sun 29 Mar, so 09:00 CEST is 07:00 UTC.
    ask = _request(user, aware(2026, 3, 25, 8, 0))
    assert _nudge_due(ask) == aware(2026, 4, 3, 7, 0)


def test_a_sunday_to_thursday_workweek_counts_sunday_and_skips_friday_and_saturday(user):
    profile_update(profile=user.profile, routine="3b7", workweek="sun,mon,tue,wed,thu")
    # Wed 11 Mar 2026 → Thu 12, Sun 15, Mon 16, Tue 17, Wed 18, Thu 19, Sun 22 (Mon–Fri: Fri 20).
    ask = _request(user, aware(2026, 3, 11, 10, 0))
    assert _nudge_due(ask) == aware(2026, 3, 22, 8, 0)


def test_3b7_follows_up_once_then_suggests_no_response_whatever_max_nudges_says(user, api_client):
    profile_update(profile=user.profile, routine="3b7", max_nudges=3)
    ask = _request(user, aware(2026, 3, 5, 10, 0))
    (nudge,) = _open_nudges(ask)
    assert api_client.get(f"/api/v1/conversations/{ask.pk}/").json()["suggest_no_response"] is False
    with time_machine.travel(aware(2026, 3, 16, 9, 0), tick=False):
        follow_up_complete(follow_up=nudge)
        assert _open_nudges(ask) == []
        assert ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE).count() == 1
        assert api_client.get(f"/api/v1/conversations/{ask.pk}/").json()["suggest_no_response"] is True


def test_the_calendar_routine_is_unchanged_nudge_after_days_apart_up_to_max_nudges(user):
    profile_update(profile=user.profile, nudge_after_days=7, max_nudges=2)
    ask = _request(user, aware(2026, 3, 5, 10, 0))
    (first,) = _open_nudges(ask)
    assert first.due_at == aware(2026, 3, 12, 8, 0)  # 7 calendar days, a Thursday
    with time_machine.travel(aware(2026, 3, 12, 9, 0), tick=False):
        follow_up_complete(follow_up=first)
    (second,) = _open_nudges(ask)
    assert second.due_at == aware(2026, 3, 19, 8, 0)


def test_asking_again_under_3b7_starts_a_new_round_with_its_own_single_nudge(user):
    profile_update(profile=user.profile, routine="3b7")
    ask = _request(user, aware(2026, 3, 5, 10, 0))
    with time_machine.travel(aware(2026, 3, 20, 9, 0), tick=False):
        follow_up_complete(follow_up=_open_nudges(ask)[0])
        conversation_transition(conversation=ask, to_stage=Stage.NO_RESPONSE)
        # Fri 20 Mar → Mon 23 … Tue 31 Mar is the 7th business day.
        conversation_transition(conversation=ask, to_stage=Stage.REQUESTED)
    assert _nudge_due(ask) == aware(2026, 3, 31, 8, 0)


def test_switching_the_routine_moves_the_open_nudge_and_its_reminder_and_back(user, api_client):
    with time_machine.travel(aware(2026, 3, 5, 10, 0), tick=False):
        ask = conversation_start_request(owner=user, contact=ContactFactory(owner=user))
        assert _nudge_due(ask) == aware(2026, 3, 12, 8, 0)
        assert api_client.patch("/api/v1/me/", {"routine": "3b7"}, format="json").status_code == 200
        assert _nudge_due(ask) == aware(2026, 3, 16, 8, 0)
        pending = Reminder.objects.filter(owner=user, kind="follow_up_due", status="pending")
        assert list(pending.values_list("send_at", flat=True)) == [aware(2026, 3, 16, 8, 0)]
        # A Mon/Wed/Fri week moves it again: Fri 6, Mon 9, Wed 11, Fri 13, Mon 16, Wed 18, Fri 20.
        api_client.patch("/api/v1/me/", {"workweek": ["fri", "mon", "wed"]}, format="json")
        assert _nudge_due(ask) == aware(2026, 3, 20, 8, 0)
        api_client.patch("/api/v1/me/", {"routine": "calendar"}, format="json")
        assert _nudge_due(ask) == aware(2026, 3, 12, 8, 0)
        assert list(pending.values_list("send_at", flat=True)) == [aware(2026, 3, 12, 8, 0)]


def test_switching_to_3b7_cancels_a_second_nudge_already_open(user):
    profile_update(profile=user.profile, max_nudges=2)
    ask = _request(user, aware(2026, 3, 5, 10, 0))
    with time_machine.travel(aware(2026, 3, 12, 9, 0), tick=False):
        follow_up_complete(follow_up=_open_nudges(ask)[0])
        assert len(_open_nudges(ask)) == 1
        profile_update(profile=user.profile, routine="3b7")
    assert _open_nudges(ask) == []
    assert not Reminder.objects.filter(owner=user, kind="follow_up_due", status="pending").exists()


def test_the_routine_replan_is_bulk(user, django_assert_max_num_queries):
    contact = ContactFactory(owner=user)
    with time_machine.travel(aware(2026, 3, 5, 10, 0), tick=False):
        for _ in range(30):
            conversation_start_request(owner=user, contact=contact, allow_duplicate=True)
        # The same number of queries for 30 open nudges as the switch costs for a handful.
        with django_assert_max_num_queries(60):
            profile_update(profile=user.profile, routine="3b7")
    due = set(FollowUp.objects.filter(owner=user, kind="nudge", status="open").values_list("due_at", flat=True))
    assert due == {aware(2026, 3, 16, 8, 0)}
