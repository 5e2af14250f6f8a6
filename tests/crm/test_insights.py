"""Issue #14, the Insights page: figures against a hand-built account on a clock far from UTC
(Auckland, UTC+13 in January), a bounded number of queries, and friendly empty states."""

from datetime import date
from itertools import count

import pytest
import time_machine

from accounts.services import profile_update
from contacts.services import contact_create
from crm.insights import insights
from outreach.services import conversation_create, conversation_transition, touch_create
from tests.api.conftest import seed_account
from tests.factories import aware

TZ = "Pacific/Auckland"
# Wednesday 14 January 2026, 10:00 in Auckland = Tuesday 13 January, 21:00 UTC.
NOW = aware(2026, 1, 14, 10, 0, tz=TZ)
_names = count()


def local(*args):
    return aware(*args, tz=TZ)


def request(user, when, *, then=()):
    with time_machine.travel(when, tick=False):
        contact = contact_create(owner=user, first_name=f"P{next(_names)}", source="referral")
        conv = conversation_create(owner=user, contact=contact, kind="coffee_chat", channel="email")
        conversation_transition(conversation=conv, to_stage="requested", at=when)
    for stage, at, extra in then:
        with time_machine.travel(at, tick=False):
            conversation_transition(conversation=conv, to_stage=stage, at=at, **extra)
    return conv


@pytest.fixture
def account(user, other_user):
    profile_update(profile=user.profile, timezone=TZ, weekly_request_goal=2)
    seed_account(other_user)  # another user's busy account must not count
    request(user, local(2025, 12, 23, 9, 0))  # week of 22 Dec: 1 (goal missed)
    request(user, local(2025, 12, 30, 10, 0))  # week of 29 Dec: 2 (met)
    request(user, local(2026, 1, 2, 10, 0))
    d = request(  # week of 5 Jan: 2 (met); D is scheduled, held and thanked that week
        user,
        local(2026, 1, 6, 10, 0),
        then=[
            ("scheduled", local(2026, 1, 7, 10, 0), {"scheduled_for": local(2026, 1, 8, 9, 30)}),
            ("held", local(2026, 1, 8, 10, 0), {}),
            ("thanked", local(2026, 1, 9, 10, 0), {}),
        ],
    )
    request(user, local(2026, 1, 11, 23, 30))  # Sunday 23:30 here, Sunday 10:30 UTC
    request(user, local(2026, 1, 12, 0, 30))  # Monday 00:30 here = Sunday 11:30 UTC: this week, not last
    with time_machine.travel(NOW, tick=False):
        touch_create(owner=user, contacts=[d.contact], at=local(2026, 1, 13, 23, 59))  # = 13 Jan 10:59 UTC
    return user


def _days(figures) -> dict:
    return {day["day"]: (day["requests"], day["chats"], day["touches"]) for week in figures.heatmap for day in week}


def test_heatmap_buckets_days_on_the_users_clock(account):
    figures = insights(user=account, days=90, now=NOW)
    days = _days(figures)
    assert len(figures.heatmap) == 12 and all(len(week) == 7 for week in figures.heatmap)
    assert figures.heatmap[0][0]["day"] == date(2025, 10, 27)  # Monday, 11 weeks (77 days) before 12 Jan
    assert figures.heatmap[-1][-1]["day"] == date(2026, 1, 18)
    assert {day: n for day, n in days.items() if n != (0, 0, 0)} == {
        date(2025, 12, 23): (1, 0, 0),
        date(2025, 12, 30): (1, 0, 0),
        date(2026, 1, 2): (1, 0, 0),
        date(2026, 1, 6): (1, 0, 0),
        date(2026, 1, 8): (0, 1, 0),
        date(2026, 1, 11): (1, 0, 0),
        date(2026, 1, 12): (1, 0, 0),
        date(2026, 1, 13): (0, 0, 1),
    }
    future = [day["day"] for week in figures.heatmap for day in week if day["future"]]
    assert future == [date(2026, 1, d) for d in (15, 16, 17, 18)]


def test_goal_history_and_streak(account):
    figures = insights(user=account, days=90, now=NOW)
    weeks = {week["start"]: (week["requests"], week["met"]) for week in figures.goal_weeks}
    assert len(weeks) == 12
    assert weeks[date(2025, 12, 22)] == (1, False)
    assert weeks[date(2025, 12, 29)] == (2, True)
    assert weeks[date(2026, 1, 5)] == (2, True)
    assert weeks[date(2026, 1, 12)] == (1, False)  # this week, not met yet: it does not break the streak
    assert figures.goal == 2 and figures.streak == 2
    request(account, local(2026, 1, 13, 9, 0))
    assert insights(user=account, days=90, now=NOW).streak == 3
    profile_update(profile=account.profile, weekly_request_goal=3)
    assert insights(user=account, days=90, now=NOW).streak == 0


def test_funnel_per_local_week_and_rates_per_channel_and_source(account):
    figures = insights(user=account, days=90, now=NOW)
    assert figures.funnel_unit == "week"
    # 90 days back from 13 Jan 21:00 UTC is 15 Oct 21:00 UTC = 16 Oct here: the week of 13 Oct.
    assert figures.funnel[0]["start"] == date(2025, 10, 13)
    assert figures.funnel[-1]["start"] == date(2026, 1, 12)
    by_week = {row["start"]: [row[s] for s in ("requested", "scheduled", "held", "thanked")] for row in figures.funnel}
    assert by_week[date(2025, 12, 22)] == [1, 0, 0, 0]
    assert by_week[date(2025, 12, 29)] == [2, 0, 0, 0]
    assert by_week[date(2026, 1, 5)] == [2, 1, 1, 1]
    assert by_week[date(2026, 1, 12)] == [1, 0, 0, 0]
    assert sum(sum(v) for v in by_week.values()) == 9
    assert [(r["key"], r["used"], r["replies"], r["reply_rate"]) for r in figures.channels] == [
        ("email", 6, 1, round(1 / 6, 4))
    ]
    assert [(r["key"], r["used"], r["accepted"]) for r in figures.sources] == [("referral", 6, 1)]
    assert figures.templates == []  # none of these asks used a template
    monthly = insights(user=account, days=180, now=NOW)
    assert monthly.funnel_unit == "month"
    assert {row["start"]: row["requested"] for row in monthly.funnel}[date(2026, 1, 1)] == 4


def test_the_page_shows_charts_with_tables(client, account):
    client.force_login(account)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/insights/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="img"') == 5  # channel, source, funnel, heatmap, goal (no template was used)
    assert "2 weeks in a row at your goal of 2 requests" in page
    assert '<th scope="row">Email</th><td>6</td><td>1</td><td>17%</td>' in page
    assert "Mon 12 Jan: 1 requests, 0 chats held, 0 touches" in page
    assert "No asks sent in the last 90 days yet" in page  # the template chart's empty state
    assert "Proof" not in page  # nothing of the other user's seeded rows


def test_an_empty_account_gets_friendly_empty_states(client, user):
    client.force_login(user)
    page = client.get("/insights/").content.decode()
    assert 'role="img"' in page  # the goal chart (12 empty weeks against the default goal)
    assert "No asks sent in the last 90 days yet" in page
    assert "Nothing has moved along the pipeline" in page
    assert "No requests, chats or touches in the last 12 weeks yet" in page
    assert "No streak yet" in page


def test_the_page_runs_as_many_queries_for_30_asks_as_for_3(client, user, django_assert_max_num_queries):
    client.force_login(user)

    def queries():
        with django_assert_max_num_queries(20) as captured:
            assert client.get("/insights/").status_code == 200
        return len(captured)

    seed_account(user, n=3, marker="Few")
    few = queries()
    seed_account(user, n=27, marker="Many")
    assert queries() == few
