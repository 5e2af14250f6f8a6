"""The Opportunities board (issue #14) through the pages: columns per status, cards with their
links, move buttons for the legal moves only, bounded columns, create/edit/delete with the
user's own rows only, and "Track as opportunity" from an opportunity note."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.services import profile_update
from crm.models import Opportunity
from crm.services import note_create, opportunity_create
from outreach.models import FollowUp
from tests.factories import ContactFactory, conversation

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
BOARD = reverse("opportunity_board")


def _card(html: str, pk: int) -> str:
    return html.split(f'id="opportunity-{pk}"')[1].split("</li>")[0]


@pytest.fixture
def priya(user):
    return ContactFactory(owner=user, first_name="Priya", last_name="Raman", company__name="Acme")


def test_the_board_has_a_column_per_status_in_order(web):
    html = web.get(BOARD).content.decode()
    assert re.findall(r'id="status-([a-z]+)"', html) == [
        "heard",
        "applying",
        "applied",
        "interviewing",
        "offer",
        "rejected",
        "withdrawn",
    ]
    assert 'href="/opportunities/"' in html  # the nav link


def test_a_card_shows_title_company_referrer_and_its_conversation(web, user, priya):
    chat = conversation(user, priya, kind="informational_interview")
    opp = opportunity_create(owner=user, title="Senior APM", company=priya.company, referrer=priya, conversation=chat)
    card = _card(web.get(BOARD).content.decode(), opp.pk)
    assert "Senior APM" in card and "Acme" in card
    assert f'href="{reverse("contact_detail", args=[priya.pk])}"' in card and "Priya Raman" in card
    assert f'href="{reverse("conversation_detail", args=[chat.pk])}"' in card


@pytest.mark.parametrize(
    ("status", "legal"),
    [
        ("heard", ["applying", "applied", "rejected", "withdrawn"]),
        ("applied", ["interviewing", "rejected", "withdrawn"]),
        ("interviewing", ["offer", "rejected", "withdrawn"]),
        ("offer", []),
        ("rejected", []),
    ],
)
def test_a_card_offers_its_legal_moves_only(web, user, status, legal):
    opp = opportunity_create(owner=user, title="Role", status=status)
    card = _card(web.get(BOARD).content.decode(), opp.pk)
    assert re.findall(r'data-move="([a-z]+)"', card) == legal


def test_columns_are_bounded_with_a_link_to_the_rest(web, user):
    for i in range(15):
        opportunity_create(owner=user, title=f"Heard role {i:02d}")
    for i in range(8):
        opportunity_create(owner=user, title=f"Rejected role {i}", status="rejected")
    html = web.get(BOARD).content.decode()
    heard = html.split('id="status-heard"')[1].split("</section>")[0]
    assert heard.count('class="card board-card"') == 8
    assert "and 7 more →" in heard and "?status=heard&amp;page=2" in heard
    rejected = html.split('id="status-rejected"')[1].split("</section>")[0]
    assert rejected.count('class="card board-card"') == 5 and "and 3 more →" in rejected
    page2 = web.get(BOARD, {"status": "heard", "page": 2}).content.decode()
    assert page2.count('class="card board-card"') == 7 and "more →" not in page2.split('id="status-heard"')[1]
    assert re.findall(r'id="status-([a-z]+)"', page2) == ["heard"]


def test_a_move_without_javascript_redirects_to_the_board(web, user):
    opp = opportunity_create(owner=user, title="Role")
    response = web.post(reverse("opportunity_move", args=[opp.pk]), {"status": "applied"})
    assert response.status_code == 302 and response["Location"] == BOARD
    opp.refresh_from_db()
    assert opp.status == "applied"


def test_a_move_with_htmx_answers_the_board_in_place(web, user):
    opp = opportunity_create(owner=user, title="Role", status="applied")
    response = web.post(
        reverse("opportunity_move", args=[opp.pk]), {"status": "interviewing", "board": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="board"' in html and "moved to interviewing" in html
    assert re.findall(r'data-move="([a-z]+)"', _card(html, opp.pk)) == ["offer", "rejected", "withdrawn"]


@pytest.mark.parametrize("htmx", [False, True])
def test_an_illegal_move_is_refused_naming_the_legal_ones(web, user, htmx):
    opp = opportunity_create(owner=user, title="Role", status="heard")
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = web.post(reverse("opportunity_move", args=[opp.pk]), {"status": "offer", "board": "1"}, **extra)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Cannot move an opportunity from &#x27;heard&#x27; to &#x27;offer&#x27;" in text
    assert "applying, applied, rejected, withdrawn" in text
    opp.refresh_from_db()
    assert opp.status == "heard"


def test_create_links_the_users_own_rows_and_a_double_submit_makes_one(web, user, priya):
    chat = conversation(user, priya)
    token = TOKEN.search(web.get(reverse("opportunity_create")).content.decode()).group(1)
    data = {
        "form_token": token,
        "title": "Group PM",
        "company": priya.company.pk,
        "referrer": priya.pk,
        "conversation": chat.pk,
        "status": "heard",
    }
    first = web.post(reverse("opportunity_create"), data)
    second = web.post(reverse("opportunity_create"), data)
    assert first.status_code == second.status_code == 302
    opp = Opportunity.objects.get(owner=user)
    assert (opp.company, opp.referrer, opp.conversation) == (priya.company, priya, chat)


@pytest.mark.parametrize("field", ["company", "referrer", "conversation"])
def test_another_users_row_is_refused_on_the_form(web, user, other_user, field):
    theirs = ContactFactory(owner=other_user)
    value = {"company": theirs.company.pk, "referrer": theirs.pk, "conversation": conversation(other_user, theirs).pk}
    response = web.post(reverse("opportunity_create"), {"title": "Role", "status": "heard", field: value[field]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Opportunity.objects.filter(owner=user).exists()


def test_edit_changes_the_links_and_delete_removes_it(web, user, priya):
    opp = opportunity_create(owner=user, title="Role")
    chat = conversation(user, priya)
    response = web.post(reverse("opportunity_edit", args=[opp.pk]), {"title": "Role, renamed", "conversation": chat.pk})
    assert response.status_code == 302
    opp.refresh_from_db()
    assert (opp.title, opp.conversation, opp.status) == ("Role, renamed", chat, "heard")
    assert web.get(reverse("opportunity_delete", args=[opp.pk])).status_code == 200
    assert web.post(reverse("opportunity_delete", args=[opp.pk])).status_code == 302
    assert not Opportunity.objects.filter(pk=opp.pk).exists()


def test_another_users_opportunity_is_404_on_every_page(web, other_user):
    theirs = opportunity_create(owner=other_user, title="Theirs")
    for name in ("opportunity_edit", "opportunity_delete"):
        assert web.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert web.post(reverse("opportunity_move", args=[theirs.pk]), {"status": "applied"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "heard"
    assert "Theirs" not in web.get(BOARD).content.decode()


# --- note → opportunity ---------------------------------------------------------------------


@pytest.fixture
def opportunity_note(user, priya):
    chat = conversation(user, priya, kind="informational_interview")
    return note_create(
        owner=user,
        contact=priya,
        conversation=chat,
        kind="opportunity",
        body="\n## Senior PM, payments team — she can refer me\n\nPosting goes live next week.",
    )


def test_an_opportunity_note_offers_track_as_opportunity_prefilled(web, user, priya, opportunity_note):
    html = web.get(reverse("contact_detail", args=[priya.pk])).content.decode()
    form = html.split(f'id="note-{opportunity_note.pk}"')[1].split("</details>")[0]
    assert "Track as opportunity" in form
    assert 'value="Senior PM, payments team — she can refer me"' in form
    advice = note_create(owner=user, contact=priya, kind="advice", body="Talk to Sam")
    html = web.get(reverse("contact_detail", args=[priya.pk])).content.decode()
    assert "Track as opportunity" not in html.split(f'id="note-{advice.pk}"')[1].split('class="note"')[0]


def _track(web, note, **fields):
    url = reverse("note_opportunity", args=[note.pk])
    token = TOKEN.search(web.get(url).content.decode()).group(1)
    data = {"form_token": token, **{f"opp-{note.pk}-{k}": v for k, v in fields.items()}}
    return url, data


def test_track_without_follow_up_links_contact_company_and_conversation(web, user, priya, opportunity_note):
    url, data = _track(web, opportunity_note, title="Senior PM, payments")
    response = web.post(url, data)
    assert response.status_code == 302 and response["Location"] == BOARD
    opp = Opportunity.objects.get(owner=user)
    assert (opp.title, opp.status) == ("Senior PM, payments", "heard")
    assert (opp.company, opp.referrer, opp.conversation) == (priya.company, priya, opportunity_note.conversation)
    assert not FollowUp.objects.filter(owner=user, kind="apply").exists()


def test_track_with_an_apply_follow_up_due_on_the_users_day(web, user, priya, opportunity_note):
    # New York in March 2030 (after the DST change on the 10th): the digest hour, 08:00 EDT, is 12:00 UTC.
    profile_update(profile=user.profile, timezone="America/New_York")
    url, data = _track(web, opportunity_note, title="Senior PM", add_apply="on", apply_on="2030-03-12")
    assert web.post(url, data).status_code == 302
    follow_up = FollowUp.objects.get(owner=user, kind="apply")
    assert follow_up.due_at == datetime(2030, 3, 12, 12, 0, tzinfo=UTC)
    assert (follow_up.contact, follow_up.conversation) == (priya, opportunity_note.conversation)
    assert follow_up.status == "open" and "Senior PM" in follow_up.title


def test_a_double_submit_tracks_one_opportunity(web, user, opportunity_note):
    url, data = _track(web, opportunity_note, title="Senior PM", add_apply="on", apply_on="2030-03-12")
    assert web.post(url, data).status_code == 302
    assert web.post(url, data).status_code == 302
    assert Opportunity.objects.filter(owner=user).count() == 1
    assert FollowUp.objects.filter(owner=user, kind="apply").count() == 1


def test_the_apply_box_needs_a_date(web, user, opportunity_note):
    url, data = _track(web, opportunity_note, title="Senior PM", add_apply="on")
    response = web.post(url, data)
    assert response.status_code == 400 and "Pick the day to apply by." in response.content.decode()
    assert not Opportunity.objects.filter(owner=user).exists()


def test_an_empty_title_falls_back_to_the_notes_first_line_trimmed_to_200(web, user, priya):
    note = note_create(owner=user, contact=priya, kind="opportunity", body="x" * 250 + "\nsecond line")
    url, data = _track(web, note, title="")
    response = web.post(url, data)
    # The title is required on the form; the page says so and nothing is made.
    assert response.status_code == 400 and not Opportunity.objects.exists()
    page = web.get(url).content.decode()
    assert f'value="{"x" * 200}"' in page


def test_a_note_of_another_kind_is_refused(web, user, priya):
    note = note_create(owner=user, contact=priya, kind="advice", body="Talk to Sam")
    url = reverse("note_opportunity", args=[note.pk])
    response = web.post(url, {f"opp-{note.pk}-title": "Role"})
    assert response.status_code == 400
    assert "Only a note of kind" in response.content.decode()
    assert not Opportunity.objects.exists()


def test_another_users_note_is_404(web, other_user):
    theirs = ContactFactory(owner=other_user)
    note = note_create(owner=other_user, contact=theirs, kind="opportunity", body="Their role")
    url = reverse("note_opportunity", args=[note.pk])
    assert web.get(url).status_code == 404
    assert web.post(url, {f"opp-{note.pk}-title": "Mine now"}).status_code == 404
    assert not Opportunity.objects.exists()


def test_the_board_runs_as_many_queries_for_30_cards_as_for_3(web, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def world(n):
        for i in range(n):
            contact = ContactFactory(owner=user)
            chat = conversation(user, contact)
            status = Opportunity.Status.values[i % 7]
            opportunity_create(
                owner=user, title=f"R{i}", company=contact.company, referrer=contact, conversation=chat, status=status
            )

    counts = []
    for n in (3, 27):
        world(n)
        with CaptureQueriesContext(connection) as queries:
            assert web.get(BOARD).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
