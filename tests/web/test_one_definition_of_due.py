""" "Overdue", "due today" and "reconnect due" mean the same on the API, the dashboard figures,
the Today page, the Follow-ups page's tabs and the Contacts page (one definition each, in the
selectors; tests/web/test_follow_ups.py checks the tabs either side of local midnight)."""

from datetime import timedelta

import time_machine
from django.urls import reverse

from accounts.services import profile_update
from contacts.services import contact_create
from outreach.services import follow_up_create
from tests.factories import aware

TZ = "America/Toronto"
# Wednesday 4 March 2026, 15:00 in Toronto (UTC-5) = 20:00 UTC.
NOW = aware(2026, 3, 4, 20, 0)


def test_overdue_and_due_today_agree_across_the_api_the_dashboard_and_the_pages(web, api_client, user, contact):
    profile_update(profile=user.profile, timezone=TZ)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        for title, due in [
            ("yesterday", aware(2026, 3, 3, 10, 0, tz=TZ)),
            ("this morning", aware(2026, 3, 4, 9, 0, tz=TZ)),
            ("this evening", aware(2026, 3, 4, 22, 0, tz=TZ)),
            ("just before midnight", aware(2026, 3, 4, 23, 59, tz=TZ)),
            ("tomorrow", aware(2026, 3, 5, 0, 30, tz=TZ)),
            ("sunday", aware(2026, 3, 8, 18, 0, tz=TZ)),
            ("next monday", aware(2026, 3, 9, 8, 0, tz=TZ)),
        ]:
            follow_up_create(owner=user, contact=contact, kind="other", title=title, due_at=due)

    with time_machine.travel(NOW, tick=False):

        def api(due):
            rows = api_client.get("/api/v1/follow-ups/", {"due": due, "status": "open"}).json()["results"]
            return [row["title"] for row in rows]

        def follow_ups_tab(due):
            rows = web.get(reverse("follow_up_list"), {"status": "open", "due": due}).context["page"].object_list
            return [f.title for f in rows]

        today_page = web.get(reverse("today")).context
        counts = api_client.get("/api/v1/dashboard/").json()["follow_ups"]

        assert api("overdue") == ["yesterday", "this morning"]
        assert api("today") == ["this evening", "just before midnight"]
        assert api("week") == ["this evening", "just before midnight", "tomorrow", "sunday"]
        assert [f.title for f in today_page["overdue"]] == api("overdue")
        assert [f.title for f in today_page["due_today"]] == api("today")
        assert counts == {"overdue": 2, "today": 2}
        assert [follow_ups_tab(due) for due in ("overdue", "today", "week")] == [
            api(due) for due in ("overdue", "today", "week")
        ]


def test_an_archived_contact_is_never_reconnect_due_on_the_contacts_page(web, api_client, user):
    # The API, the dashboard count and Today leave archived contacts out of "reconnect due";
    # the Contacts page's Archived + Reconnect due filters listed them.
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        contact_create(owner=user, first_name="Fay", reconnect_every_days=10, archived=True)
    with time_machine.travel(NOW, tick=False):
        page = web.get(reverse("contact_list"), {"archived": "1", "reconnect_due": "1"}).context["page"]
        api = api_client.get("/api/v1/contacts/", {"archived": "true", "reconnect_due": "true"}).json()
        assert [c.first_name for c in page.object_list] == []
        assert api["count"] == 0
        assert api_client.get("/api/v1/dashboard/").json()["reconnect_due"] == 0
