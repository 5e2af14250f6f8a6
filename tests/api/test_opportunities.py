"""Opportunities through the API (issue #14): the conversation where the role came up, the
referrer, refusal of another user's rows, the legal status moves and the filters."""

import pytest

from crm.models import Opportunity
from crm.services import opportunity_create
from tests.factories import CompanyFactory, ContactFactory, conversation

URL = "/api/v1/opportunities/"


@pytest.fixture
def mine(user):
    contact = ContactFactory(owner=user, first_name="Priya")
    return {"contact": contact, "company": contact.company, "conversation": conversation(user, contact)}


@pytest.fixture
def theirs(other_user):
    contact = ContactFactory(owner=other_user, first_name="Mallory")
    return {"contact": contact, "company": contact.company, "conversation": conversation(other_user, contact)}


def test_an_opportunity_links_its_conversation_and_referrer(api_client, user, mine):
    response = api_client.post(
        URL,
        {
            "title": "Senior APM",
            "company": mine["company"].pk,
            "referrer": mine["contact"].pk,
            "conversation": mine["conversation"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["conversation"] == mine["conversation"].pk
    assert body["referrer"] == mine["contact"].pk
    assert body["status"] == "heard"
    row = Opportunity.objects.get(pk=body["id"])
    assert row.conversation_id == mine["conversation"].pk and row.owner == user
    # Unlinked again with null; deleting the conversation keeps the opportunity.
    response = api_client.patch(f"{URL}{row.pk}/", {"conversation": None}, format="json")
    assert response.status_code == 200 and response.json()["conversation"] is None
    api_client.patch(f"{URL}{row.pk}/", {"conversation": mine["conversation"].pk}, format="json")
    mine["conversation"].delete()
    row.refresh_from_db()
    assert row.conversation_id is None


@pytest.mark.parametrize("field", ["conversation", "referrer", "company"])
def test_another_users_row_is_refused_with_400(api_client, user, mine, theirs, field):
    row = theirs["contact" if field == "referrer" else field]
    response = api_client.post(URL, {"title": "Role", field: row.pk}, format="json")
    assert response.status_code == 400
    assert field in response.content.decode() and "Not found" in response.content.decode()
    assert not Opportunity.objects.filter(owner=user).exists()
    existing = opportunity_create(owner=user, title="Mine")
    response = api_client.patch(f"{URL}{existing.pk}/", {field: row.pk}, format="json")
    assert response.status_code == 400
    existing.refresh_from_db()
    assert getattr(existing, f"{field}_id") is None


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("heard", "interviewing"),
        ("heard", "offer"),
        ("applied", "heard"),
        ("interviewing", "applying"),
        ("offer", "withdrawn"),
        ("rejected", "heard"),
        ("withdrawn", "applying"),
    ],
)
def test_an_illegal_move_is_a_400_naming_the_legal_ones(api_client, user, start, to):
    opportunity = opportunity_create(owner=user, title="Role", status=start)
    response = api_client.patch(f"{URL}{opportunity.pk}/", {"status": to}, format="json")
    assert response.status_code == 400
    text = response.content.decode()
    assert f"from '{start}' to '{to}'" in text
    assert "Legal moves" in text
    opportunity.refresh_from_db()
    assert opportunity.status == start


def test_the_message_lists_the_legal_moves(api_client, user):
    opportunity = opportunity_create(owner=user, title="Role", status="applied")
    text = api_client.patch(f"{URL}{opportunity.pk}/", {"status": "offer"}, format="json").content.decode()
    assert "interviewing, rejected, withdrawn" in text
    final = opportunity_create(owner=user, title="Done", status="offer")
    text = api_client.patch(f"{URL}{final.pk}/", {"status": "heard"}, format="json").content.decode()
    assert "none (this status is final)" in text


@pytest.mark.parametrize(
    "path",
    [
        ["applying", "applied", "interviewing", "offer"],
        ["applied", "interviewing", "rejected"],
        ["applying", "withdrawn"],
        ["rejected"],
    ],
)
def test_legal_moves_are_taken(api_client, user, path):
    opportunity = opportunity_create(owner=user, title="Role")
    for status in path:
        response = api_client.patch(f"{URL}{opportunity.pk}/", {"status": status}, format="json")
        assert response.status_code == 200, response.content
    opportunity.refresh_from_db()
    assert opportunity.status == path[-1]
    # Staying where it is is no move and is accepted.
    assert api_client.patch(f"{URL}{opportunity.pk}/", {"status": path[-1]}, format="json").status_code == 200


def test_filters_status_company_referrer_conversation(api_client, user, mine):
    other_contact = ContactFactory(owner=user, first_name="Kai")
    other_company = CompanyFactory(owner=user, name="Elsewhere")
    a = opportunity_create(
        owner=user,
        title="A",
        company=mine["company"],
        referrer=mine["contact"],
        conversation=mine["conversation"],
        status="applied",
    )
    b = opportunity_create(owner=user, title="B", company=other_company, referrer=other_contact)
    c = opportunity_create(owner=user, title="C")

    def ids(**query):
        response = api_client.get(URL, query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(status="applied") == {a.pk}
    assert ids(status="heard") == {b.pk, c.pk}
    assert ids(company=other_company.pk) == {b.pk}
    assert ids(referrer=mine["contact"].pk) == {a.pk}
    assert ids(referrer=other_contact.pk) == {b.pk}
    assert ids(conversation=mine["conversation"].pk) == {a.pk}


def test_filtering_by_another_users_conversation_finds_nothing(api_client, user, mine, theirs, other_user):
    opportunity_create(owner=other_user, title="Theirs", conversation=theirs["conversation"])
    opportunity_create(owner=user, title="Mine", conversation=mine["conversation"])
    response = api_client.get(URL, {"conversation": theirs["conversation"].pk})
    assert response.status_code == 200 and response.json()["results"] == []


# --- POST /notes/{id}/opportunity/ -------------------------------------------------------------


@pytest.fixture
def opportunity_note(user, mine):
    from crm.services import note_create

    return note_create(
        owner=user,
        contact=mine["contact"],
        conversation=mine["conversation"],
        kind="opportunity",
        body="- Staff PM, risk team\nShe will refer me.",
    )


def test_a_note_becomes_an_opportunity_through_the_api(api_client, user, mine, opportunity_note):
    response = api_client.post(f"/api/v1/notes/{opportunity_note.pk}/opportunity/", {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Staff PM, risk team"
    assert (body["company"], body["referrer"], body["conversation"]) == (
        mine["company"].pk,
        mine["contact"].pk,
        mine["conversation"].pk,
    )
    assert body["status"] == "heard" and body["apply_follow_up"] is None


def test_the_api_adds_an_apply_follow_up_on_the_users_clock(api_client, user, opportunity_note):
    from datetime import UTC, datetime

    from accounts.services import profile_update
    from outreach.models import FollowUp

    # Tokyo, digest hour 8: 08:00 JST on 1 June 2030 is 23:00 UTC the day before.
    profile_update(profile=user.profile, timezone="Asia/Tokyo")
    response = api_client.post(
        f"/api/v1/notes/{opportunity_note.pk}/opportunity/",
        {"title": "Staff PM", "apply_due_on": "2030-06-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    follow_up = FollowUp.objects.get(pk=response.json()["apply_follow_up"])
    assert (follow_up.kind, follow_up.owner) == ("apply", user)
    assert follow_up.due_at == datetime(2030, 5, 31, 23, 0, tzinfo=UTC)


def test_the_api_refuses_a_note_of_another_kind(api_client, user, mine):
    from crm.services import note_create

    note = note_create(owner=user, contact=mine["contact"], kind="advice", body="Read Inspired")
    response = api_client.post(f"/api/v1/notes/{note.pk}/opportunity/", {}, format="json")
    assert response.status_code == 400
    assert not Opportunity.objects.exists()


def test_the_api_retry_with_the_same_idempotency_key_creates_one(api_client, user, opportunity_note):
    url = f"/api/v1/notes/{opportunity_note.pk}/opportunity/"
    first = api_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="track-1")
    second = api_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="track-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Opportunity.objects.filter(owner=user).count() == 1


def test_another_users_note_is_404_through_the_api(api_client, other_user):
    from crm.services import note_create

    theirs = ContactFactory(owner=other_user)
    note = note_create(owner=other_user, contact=theirs, kind="opportunity", body="Their role")
    response = api_client.post(f"/api/v1/notes/{note.pk}/opportunity/", {}, format="json")
    assert response.status_code == 404
    assert not Opportunity.objects.exists()


def test_the_move_declaration_covers_every_status():
    from crm.models import OPPORTUNITY_FINAL, OPPORTUNITY_MOVES

    assert set(OPPORTUNITY_MOVES) == set(Opportunity.Status.values)
    assert all(set(moves) <= set(Opportunity.Status.values) for moves in OPPORTUNITY_MOVES.values())
    assert set(OPPORTUNITY_FINAL) == {"offer", "rejected", "withdrawn"}
    # Every open status may end in rejected or withdrawn.
    assert all({"rejected", "withdrawn"} <= set(OPPORTUNITY_MOVES[s]) for s in ("heard", "applying", "applied"))
