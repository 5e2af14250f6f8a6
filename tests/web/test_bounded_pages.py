"""Pages never render an unbounded list (#12): Today, the board and the playbook show the first
few rows with a total and a link to the rest, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import profile_update
from crm import playbook, selectors
from crm.services import note_create
from outreach.services import conversation_create, follow_up_create
from tests.factories import ContactFactory

FEW, MANY = 3, 30


def overdue_follow_ups(user, count):
    contact = ContactFactory(owner=user)
    now = timezone.now()
    for n in range(count):
        follow_up_create(
            owner=user, contact=contact, kind="other", title=f"Owed {n}", due_at=now - timedelta(hours=n + 1)
        )


def test_today_lists_the_oldest_overdue_follow_ups_and_links_to_the_rest(monkeypatch, web, user):
    monkeypatch.setattr(selectors, "TODAY_FOLLOW_UPS_SHOWN", 2)
    monkeypatch.setattr(selectors.follow_ups_due, "__kwdefaults__", {"now": None, "limit": 2, "totals": None})
    overdue_follow_ups(user, 5)
    html = web.get(reverse("today")).content.decode()
    assert "5 overdue" in html
    assert "Owed 4" in html and "Owed 3" in html  # the longest overdue first
    assert "Owed 2" not in html
    assert f'href="{reverse("follow_up_list")}?due=overdue">and 3 more overdue →' in html


def test_the_board_shows_the_first_cards_of_a_column_with_its_total_and_pages_the_rest(monkeypatch, web, user):
    monkeypatch.setattr(selectors, "OPEN_STAGE_CARDS", 2)
    for n in range(3):
        conversation_create(owner=user, contact=ContactFactory(owner=user, first_name=f"Card{n}"), kind="coffee_chat")
    html = web.get(reverse("pipeline")).content.decode()
    planned = html.split('id="stage-planned"')[1].split("</section>")[0]
    assert '<span class="count">3</span>' in planned
    assert planned.count('class="card board-card"') == 2
    assert "?stage=planned&amp;page=2" in planned and "and 1 more →" in planned
    rest = web.get(reverse("pipeline"), {"stage": "planned", "page": 2}).content.decode()
    assert rest.count('class="card board-card"') == 1
    assert "and 1 more" not in rest


def test_a_board_page_past_the_end_shows_the_last_page(monkeypatch, web, user):
    monkeypatch.setattr(selectors, "OPEN_STAGE_CARDS", 2)
    for n in range(3):
        conversation_create(owner=user, contact=ContactFactory(owner=user), kind="coffee_chat")
    rest = web.get(reverse("pipeline"), {"stage": "planned", "page": "99"}).content.decode()
    assert rest.count('class="card board-card"') == 1


def test_a_playbook_step_counts_every_row_but_lists_only_the_first_few(monkeypatch, web, user):
    monkeypatch.setattr(playbook, "EVIDENCE_SHOWN", 2)
    profile_update(profile=user.profile, pathway="internal_move")
    contact = ContactFactory(owner=user)
    for n in range(4):
        note_create(owner=user, contact=contact, kind="advice", body=f"Advice {n}")
    steps = {p.step.key: p for p in web.get(reverse("playbook")).context["steps"]}
    with_notes = [p for p in steps.values() if "advice" in p.step.note_kinds]
    assert with_notes and all(p.count == 4 and len(p.evidence) == 2 for p in with_notes)


def _world(user, n):
    contact = ContactFactory(owner=user)
    now = timezone.now()
    for i in range(n):
        conversation_create(owner=user, contact=ContactFactory(owner=user), kind="coffee_chat")
        follow_up_create(owner=user, contact=contact, kind="other", title=f"F{i}", due_at=now - timedelta(hours=i + 1))
        note_create(owner=user, contact=contact, kind="advice", body=f"Advice {i}")


@pytest.mark.parametrize("name", ["today", "pipeline", "playbook", "follow_up_list", "contact_list", "targets"])
def test_a_page_runs_no_more_queries_for_30_rows_than_for_3(web, user, name, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (FEW, MANY - FEW):
        _world(user, n)
        with CaptureQueriesContext(connection) as queries:
            assert web.get(reverse(name)).status_code == 200
        counts.append(len(queries))
    assert counts[1] <= counts[0] <= 25  # issue #12: Today ≤ 25 queries


def test_a_contacts_timeline_shows_the_latest_entries_and_says_older_ones_are_left_out(monkeypatch, web, user):
    monkeypatch.setattr(selectors.contact_timeline, "__kwdefaults__", {"limit": 3})
    contact = ContactFactory(owner=user)
    for n in range(5):
        note_create(owner=user, contact=contact, kind="advice", body=f"Advice number {n}")
    html = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert [f"Advice number {n}" in html for n in range(5)] == [False, False, True, True, True]
    assert "The latest 3 entries are shown." in html


def test_a_short_timeline_says_nothing_is_left_out(web, user):
    contact = ContactFactory(owner=user)
    note_create(owner=user, contact=contact, kind="advice", body="Only advice")
    html = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert "Only advice" in html and "entries are shown" not in html


def test_the_prep_page_shows_the_newest_notes_and_the_roles_heard_there(web, user):
    from crm.models import Opportunity

    contact = ContactFactory(owner=user, first_name="Priya")
    chat = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    other = conversation_create(owner=user, contact=contact, kind="informational_interview", allow_duplicate=True)
    for n in range(selectors.PREP_SHOWN + 2):
        note_create(owner=user, contact=contact, kind="advice", body=f"Advice number {n:02d}")
    Opportunity.objects.create(owner=user, title="APM, Payments", conversation=chat)
    Opportunity.objects.create(owner=user, title="Heard elsewhere", conversation=other)
    html = web.get(reverse("conversation_detail", args=[chat.pk])).content.decode()
    assert "Advice number 11" in html and "Advice number 02" in html
    assert "Advice number 01" not in html and "Advice number 00" not in html
    assert "and 2 older notes on Priya" in html
    assert "Roles heard of here" in html and "APM, Payments" in html
    assert "Heard elsewhere" not in html
