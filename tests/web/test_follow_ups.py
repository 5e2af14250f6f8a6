"""The Follow-ups page: status and due filters, pages, complete/snooze."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.services import profile_update
from outreach.services import follow_up_complete, follow_up_create
from tests.factories import ContactFactory, aware

TZ = "America/Toronto"  # UTC-5 in early March 2026
# Sunday 1 March, 23:30 in Toronto: already Monday (a new ISO week) in UTC.
SUNDAY_NIGHT = aware(2026, 3, 1, 23, 30, tz=TZ)
# Monday 2 March, 00:30 in Toronto: a new local day and a new local week.
MONDAY_SMALL_HOURS = aware(2026, 3, 2, 0, 30, tz=TZ)


def test_open_follow_ups_are_listed_with_due_filters(web, api_client, user, contact):
    # The page's Overdue / Due today / This week tabs list what the API's ?due= lists (one
    # definition: outreach.selectors.follow_up_due_q), on the user's clock either side of local midnight.
    profile_update(profile=user.profile, timezone=TZ)
    with time_machine.travel(aware(2026, 2, 20, 12, 0), tick=False):
        for title, due in [
            ("last friday", aware(2026, 2, 27, 10, 0, tz=TZ)),
            ("sunday 22:00", aware(2026, 3, 1, 22, 0, tz=TZ)),
            ("sunday 23:45", aware(2026, 3, 1, 23, 45, tz=TZ)),
            ("monday 00:15", aware(2026, 3, 2, 0, 15, tz=TZ)),
            ("monday 09:00", aware(2026, 3, 2, 9, 0, tz=TZ)),
            ("next sunday", aware(2026, 3, 8, 12, 0, tz=TZ)),
            ("next tuesday", aware(2026, 3, 10, 9, 0, tz=TZ)),
        ]:
            follow_up_create(owner=user, contact=contact, kind="other", title=title, due_at=due)
        done = follow_up_create(
            owner=user, contact=contact, kind="other", title="done sunday", due_at=aware(2026, 3, 1, 23, 50, tz=TZ)
        )
        follow_up_complete(follow_up=done)

    def page(due):
        rows = web.get(reverse("follow_up_list"), {"status": "open", "due": due}).context["page"].object_list
        return [f.title for f in rows]

    def api(due):
        return [
            row["title"]
            for row in api_client.get("/api/v1/follow-ups/", {"status": "open", "due": due}).json()["results"]
        ]

    expected = {
        SUNDAY_NIGHT: {
            "overdue": ["last friday", "sunday 22:00"],
            "today": ["sunday 23:45"],
            "week": ["sunday 23:45"],
        },
        MONDAY_SMALL_HOURS: {
            "overdue": ["last friday", "sunday 22:00", "sunday 23:45", "monday 00:15"],
            "today": ["monday 09:00"],
            "week": ["monday 09:00", "next sunday"],
        },
    }
    for now, tabs in expected.items():
        with time_machine.travel(now, tick=False):
            assert {due: page(due) for due in tabs} == {due: api(due) for due in tabs} == tabs, now


def test_an_unknown_due_filter_lists_every_open_follow_up(web, user, contact, follow_up):
    follow_up_create(
        owner=user, contact=contact, kind="other", title="Far away", due_at=timezone.now() + timedelta(days=30)
    )
    titles = [f.title for f in web.get(reverse("follow_up_list"), {"due": "bogus"}).context["page"].object_list]
    assert titles == ["Send Priya the deck", "Far away"]


def test_done_follow_ups_have_their_own_tab(web, user, follow_up):
    follow_up_complete(follow_up=follow_up)
    assert [f.title for f in web.get(reverse("follow_up_list"), {"status": "done"}).context["page"].object_list] == [
        "Send Priya the deck"
    ]
    assert list(web.get(reverse("follow_up_list")).context["page"].object_list) == []


def test_completing_from_the_list_without_htmx_redirects_back(web, follow_up):
    response = web.post(reverse("follow_up_complete", args=[follow_up.pk]), {"next": reverse("follow_up_list")})
    assert response.status_code == 302 and response.url == reverse("follow_up_list")
    follow_up.refresh_from_db()
    assert follow_up.status == "done"


def test_snoozing_with_no_date_is_refused(web, follow_up):
    response = web.post(
        reverse("follow_up_snooze", args=[follow_up.pk]), {"due_on": "not a date"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Pick a date" in response.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(web, user, rows, django_assert_max_num_queries):
    for i in range(rows):
        follow_up_create(
            owner=user,
            contact=ContactFactory(owner=user),
            kind="other",
            title=f"F{i}",
            due_at=timezone.now() + timedelta(hours=i),
        )
    with django_assert_max_num_queries(6):
        assert web.get(reverse("follow_up_list")).status_code == 200
