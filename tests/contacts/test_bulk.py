"""POST /api/v1/contacts/bulk/ (issue #10): one action on many contacts, all or nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from contacts.services import contact_create
from outreach.models import Conversation, FollowUp
from outreach.services import conversation_create, follow_up_create
from tests.factories import ContactFactory, digest_day

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/bulk/"


def _bulk(client, ids, action, value=None, status=200):
    body = {"ids": [c if isinstance(c, int) else c.pk for c in ids], "action": action}
    if value is not None:
        body["value"] = value
    response = client.post(URL, body, format="json")
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def three(user):
    return [
        contact_create(owner=user, first_name=name, relationship="other", source="other", tags=tags)
        for name, tags in (("Ana", []), ("Ben", ["fintech"]), ("Cy", []))
    ]


def _snapshot(user):
    return (
        list(Contact.objects.filter(owner=user).order_by("pk").values()),
        sorted(Contact.tags.through.objects.filter(contact__owner=user).values_list("contact_id", "tag_id")),
        Conversation.objects.filter(owner=user).count(),
    )


def test_tag_adds_the_tag_and_reports_who_already_had_it(api_client, three):
    body = _bulk(api_client, three, "tag", "FinTech")
    assert body["changed"] == 2
    assert body["skipped"] == [{"id": three[1].pk, "name": "Ben", "reason": "already tagged #fintech"}]
    for contact in three:
        assert list(contact.tags.values_list("name", flat=True)) == ["fintech"]


def test_untag_removes_it_and_an_unknown_tag_is_a_field_error(api_client, three):
    body = _bulk(api_client, three, "untag", "fintech")
    assert body["changed"] == 1 and len(body["skipped"]) == 2
    assert not three[1].tags.exists()
    error = _bulk(api_client, three, "untag", "nope", status=400)
    assert "nope" in error["value"][0]


def test_set_relationship_and_source(api_client, three):
    assert _bulk(api_client, three, "set_relationship", "designer")["changed"] == 3
    assert _bulk(api_client, three[:1], "set_relationship", "designer")["skipped"][0]["reason"] == "already Designer"
    assert _bulk(api_client, three, "set_source", "slack_community")["changed"] == 3
    assert set(Contact.objects.values_list("relationship", "source")) == {("designer", "slack_community")}


def test_set_cadence_moves_the_open_reconnect_and_null_closes_it(api_client, user, three):
    ana = three[0]
    Contact.objects.filter(pk=ana.pk).update(reconnect_every_days=10)
    ana.refresh_from_db()
    reconnect = follow_up_create(
        owner=user, contact=ana, kind="reconnect", title="Reconnect", due_at=timezone.now() + timedelta(days=10)
    )
    assert _bulk(api_client, three, "set_cadence", 30)["changed"] == 3
    ana.refresh_from_db()
    reconnect.refresh_from_db()
    assert ana.reconnect_every_days == 30
    assert reconnect.due_at == digest_day(ana.created_at, 30) == ana.reconnect_due_at
    assert _bulk(api_client, three, "set_cadence", None)["changed"] == 3
    reconnect.refresh_from_db()
    assert reconnect.status == "cancelled"
    assert not Contact.objects.filter(reconnect_due_at__isnull=False).exists()


def test_archive_and_unarchive(api_client, three):
    assert _bulk(api_client, three[:2], "archive")["changed"] == 2
    body = _bulk(api_client, three, "archive")
    assert body["changed"] == 1 and {s["reason"] for s in body["skipped"]} == {"already archived"}
    assert _bulk(api_client, three, "unarchive")["changed"] == 3
    assert not Contact.objects.filter(archived=True).exists()


def test_one_foreign_id_refuses_everything_and_names_it(api_client, user, other_user, three):
    theirs = ContactFactory(owner=other_user)
    before = _snapshot(user)
    for action, value in (("tag", "x"), ("archive", None), ("set_relationship", "designer"), ("plan", "coffee_chat")):
        body = _bulk(api_client, [*three, theirs, 99_999_999], action, value, status=400)
        assert str(theirs.pk) in body["ids"][0] and "99999999" in body["ids"][0]
    assert _snapshot(user) == before
    assert not theirs.tags.exists() and not Contact.objects.get(pk=theirs.pk).archived


@pytest.mark.parametrize(
    ("action", "value"),
    [
        ("set_relationship", "boss"),
        ("set_source", None),
        ("set_cadence", 0),
        ("set_cadence", "weekly"),
        ("set_cadence", True),
        ("tag", ""),
        ("tag", 5),
        ("tag", ["x" * 51]),
        ("plan", "lunch"),
    ],
)
def test_a_bad_value_is_a_field_error_and_changes_nothing(api_client, user, three, action, value):
    before = _snapshot(user)
    body = _bulk(api_client, three, action, value, status=400)
    assert "value" in body
    assert _snapshot(user) == before


def test_bad_ids_and_actions_are_400(api_client, three):
    assert "action" in _bulk(api_client, three, "delete", status=400)
    assert "ids" in _bulk(api_client, [], "archive", status=400)
    response = api_client.post(URL, {"ids": "1,2", "action": "archive"}, format="json")
    assert response.status_code == 400 and "ids" in response.json()


def test_more_than_a_thousand_ids_is_413(api_client, three):
    response = api_client.post(URL, {"ids": list(range(1, 1002)), "action": "archive"}, format="json")
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]


def test_plan_creates_planned_asks_and_reports_the_open_ones_it_skipped(api_client, user, three):
    ana, ben, cy = three
    existing = conversation_create(owner=user, contact=ben, kind="coffee_chat")
    conversation_create(owner=user, contact=cy, kind="informational_interview")  # another kind: no skip
    Contact.objects.filter(pk=cy.pk).update(archived=False)
    body = _bulk(api_client, three, "plan", "coffee_chat")
    assert body["changed"] == 2
    assert body["skipped"] == [
        {
            "id": ben.pk,
            "name": "Ben",
            "reason": "already has an open coffee chat (planned)",
            "conversation": existing.pk,
        }
    ]
    created = Conversation.objects.filter(pk__in=body["conversations"])
    assert {(c.contact_id, c.kind, c.stage) for c in created} == {
        (ana.pk, "coffee_chat", "planned"),
        (cy.pk, "coffee_chat", "planned"),
    }
    assert not FollowUp.objects.filter(conversation__in=created).exists()  # planned: no nudge yet
    again = _bulk(api_client, three, "plan", "coffee_chat")
    assert again["changed"] == 0 and len(again["skipped"]) == 3


def test_plan_skips_archived_contacts(api_client, three):
    Contact.objects.filter(pk=three[0].pk).update(archived=True)
    body = _bulk(api_client, three, "plan", "referral_request")
    assert body["changed"] == 2
    assert body["skipped"] == [{"id": three[0].pk, "name": "Ana", "reason": "archived"}]


def test_a_repeated_id_counts_once(api_client, three):
    body = _bulk(api_client, [three[0], three[0]], "archive")
    assert body["contacts"] == 1 and body["changed"] == 1


def test_unauthenticated_is_401(client):
    assert client.post(URL, {}, content_type="application/json").status_code == 401
