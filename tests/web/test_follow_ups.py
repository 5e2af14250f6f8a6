"""The Follow-ups page: status and due filters, pages, complete/snooze."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.services import follow_up_complete, follow_up_create
from tests.factories import ContactFactory


def test_open_follow_ups_are_listed_with_due_filters(web, user, contact, follow_up):
    follow_up_create(
        owner=user, contact=contact, kind="other", title="Far away", due_at=timezone.now() + timedelta(days=30)
    )
    titles = lambda **q: [f.title for f in web.get(reverse("follow_up_list"), q).context["page"].object_list]  # noqa: E731
    assert titles() == ["Send Priya the deck", "Far away"]
    assert titles(due="overdue") == ["Send Priya the deck"]
    assert titles(due="week") == ["Send Priya the deck"]
    assert titles(due="bogus") == ["Send Priya the deck", "Far away"]


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


@pytest.mark.parametrize("rows", [1, 40])
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
