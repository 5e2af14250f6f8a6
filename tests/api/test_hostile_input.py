"""Hostile input through the public API: each answer is a 4xx with a message, never a 500, and
nothing is stored that would break a later page, e-mail or calendar feed."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from accounts.dates import LATEST_YEAR
from accounts.services import profile_update
from contacts.models import Contact
from contacts.services import contact_create
from outreach.models import Conversation, FollowUp
from tests.api.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEEP = b"[" * 100_000 + b"]" * 100_000


def _client_and_contact(user, tz="UTC"):
    profile_update(profile=user.profile, timezone=tz)
    return token_client(user), contact_create(owner=user, first_name="Priya")


# --- JSON nested too deeply --------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, authenticated",
    [
        ("post", "/api/v1/contacts/", True),
        ("patch", "/api/v1/me/", True),
        ("post", "/api/v1/auth/token/", False),
        ("post", "/api/v1/imports/backup/", True),
    ],
)
def test_json_nested_too_deeply_is_a_400(user, method, path, authenticated):
    client = token_client(user) if authenticated else token_client(UserFactory())
    if not authenticated:
        client.credentials()
    response = getattr(client, method)(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_backup_file_nested_too_deeply_is_a_400(user):
    upload = SimpleUploadedFile("backup.json", DEEP, content_type="application/json")
    response = token_client(user).post("/api/v1/imports/backup/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "not JSON" in response.json()["detail"]


# --- ids in filters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contacts/?company=99999999999999999999999",
        "/api/v1/conversations/?contact=99999999999999999999999",
        "/api/v1/follow-ups/?conversation=99999999999999999999999",
        "/api/v1/notes/?contact=1e400",
        "/api/v1/opportunities/?referrer=-5",
        "/api/v1/contacts/?company=1.5",
    ],
)
def test_an_id_filter_no_row_can_match_is_an_empty_list(user, path):
    client, contact = _client_and_contact(user)
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["count"] == 0


def test_an_id_filter_still_finds_the_row(user):
    client, contact = _client_and_contact(user)
    assert client.get(f"/api/v1/follow-ups/?contact={contact.pk}").json()["count"] == 0
    client.post("/api/v1/follow-ups/", {"contact": contact.pk, "title": "x", "due_at": "2030-01-01"}, format="json")
    assert client.get(f"/api/v1/follow-ups/?contact={contact.pk}").json()["count"] == 1


# --- dates a time zone would push past datetime's limits -----------------------------------


@pytest.mark.parametrize(
    "tz, due_at",
    [
        ("America/Los_Angeles", "9999-12-31T23:00:00"),
        ("Asia/Tokyo", "0001-01-01T00:00:00"),
        ("UTC", "9999-12-31T23:00:00Z"),
        ("UTC", "9999-12-31"),
        ("UTC", "0001-01-01"),
    ],
)
def test_a_due_date_out_of_range_is_a_400(user, tz, due_at):
    client, contact = _client_and_contact(user, tz)
    response = client.post(
        "/api/v1/follow-ups/", {"contact": contact.pk, "title": "x", "due_at": due_at}, format="json"
    )
    assert response.status_code == 400
    assert "between the years" in response.json()["due_at"][0]
    assert not FollowUp.objects.filter(owner=user, title="x").exists()


def test_a_snooze_out_of_range_is_a_400(user):
    client, contact = _client_and_contact(user)
    follow_up = client.post(
        "/api/v1/follow-ups/", {"contact": contact.pk, "title": "x", "due_at": "2030-01-01"}, format="json"
    ).json()
    response = client.post(f"/api/v1/follow-ups/{follow_up['id']}/snooze/", {"due_at": "9999-12-31"}, format="json")
    assert response.status_code == 400
    assert "between the years" in response.json()["due_at"][0]


def test_a_far_future_follow_up_cannot_break_the_calendar_feed(user, client):
    # The latest moment the API accepts, seen from the time zone furthest ahead of UTC: it is
    # already the next year there, so the feed's all-day event starts past LATEST_YEAR.
    api, contact = _client_and_contact(user, "Pacific/Kiritimati")
    latest = f"{LATEST_YEAR}-12-31T23:59:59Z"
    created = api.post("/api/v1/follow-ups/", {"contact": contact.pk, "title": "far", "due_at": latest}, format="json")
    assert created.status_code == 201, created.json()
    user.profile.refresh_from_db()
    response = client.get(f"/calendar/{user.profile.calendar_token}.ics")
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        ("Follow-up: far", date(LATEST_YEAR + 1, 1, 1))
    ]


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/conversations/", {"kind": "coffee_chat", "at": "0001-01-01T00:00:00"}),
        ("/api/v1/conversations/", {"kind": "coffee_chat", "at": "9999-12-31T23:59:59+00:00"}),
    ],
)
def test_a_conversation_moment_out_of_range_is_a_400(user, path, body):
    client, contact = _client_and_contact(user, "Asia/Tokyo")
    response = client.post(path, {"contact": contact.pk, **body}, format="json")
    assert response.status_code == 400
    assert "between the years" in response.json()["at"][0]
    assert not Conversation.objects.filter(owner=user).exists()


def test_scheduling_out_of_range_is_a_400(user):
    client, contact = _client_and_contact(user, "America/Los_Angeles")
    conversation = client.post("/api/v1/conversations/", {"contact": contact.pk, "kind": "coffee_chat"}, format="json")
    pk = conversation.json()["id"]
    client.post(f"/api/v1/conversations/{pk}/transition/", {"stage": "requested"}, format="json")
    response = client.post(
        f"/api/v1/conversations/{pk}/transition/",
        {"stage": "scheduled", "scheduled_for": "9999-12-31T23:00:00"},
        format="json",
    )
    assert response.status_code == 400
    assert "between the years" in response.json()["scheduled_for"][0]


# --- tag names ---------------------------------------------------------------------------


def test_a_tag_name_with_a_null_character_is_a_400(user):
    client = token_client(user)
    response = client.post("/api/v1/contacts/", {"first_name": "A", "tags": ["x\u0000y"]}, format="json")
    assert response.status_code == 400
    assert response.json()["tags"] == ["Null characters are not allowed."]
    assert not Contact.objects.filter(owner=user).exists()


# --- backup restore ------------------------------------------------------------------------

BASE = {"format": "coffeechat-backup", "version": 1}
CONTACT = {"id": 1, "first_name": "P"}
CONVERSATION = {"id": 5, "contact": 1, "kind": "coffee_chat", "stage": "planned"}


@pytest.mark.parametrize(
    "document, phrase",
    [
        ({**BASE, "contacts": [CONTACT], "conversations": [{**CONVERSATION, "stage_history": ["x"]}]}, "stage_history"),
        ({**BASE, "contacts": [CONTACT], "conversations": [{**CONVERSATION, "stage_history": "abc"}]}, "stage_history"),
        ({**BASE, "contacts": [{**CONTACT, "created_at": "0001-01-01T00:00:00+05:00"}]}, "between the years"),
        (
            {
                **BASE,
                "contacts": [CONTACT],
                "follow_ups": [{"id": 1, "contact": 1, "title": "x", "due_at": "9999-12-31T23:59:59+00:00"}],
            },
            "between the years",
        ),
        ({**BASE, "contacts": [{**CONTACT, "first_name": "a\u0000b"}]}, "NUL"),
    ],
)
def test_a_crafted_backup_is_a_400_and_writes_nothing(user, document, phrase):
    response = token_client(user).post("/api/v1/imports/backup/", document, format="json")
    assert response.status_code == 400, response.content[:300]
    assert phrase in response.json()["detail"]
    assert not Contact.objects.filter(owner=user).exists()


AT = "2024-03-12T10:00:00+00:00"


def _with_history(*entries) -> dict:
    return {**BASE, "contacts": [CONTACT], "conversations": [{**CONVERSATION, "stage_history": list(entries)}]}


ENTRY = "conversations id 5: stage_history[0]"


@pytest.mark.parametrize(
    "document, phrase",
    [
        # Each reached the database unchecked: a DataError (a 500) on PostgreSQL, a CHECK failure
        # that named no entry, or a silent write.
        (_with_history({"stage": "x" * 500, "at": AT}), f"{ENTRY}.stage: “{'x' * 60}…” is not a stage"),
        (_with_history({"stage": "held\u0000", "at": AT}), f"{ENTRY}.stage"),
        (_with_history({"stage": {"a": 1}, "at": AT}), f"{ENTRY}.stage"),
        (_with_history({"stage": 5, "at": AT}), f"{ENTRY}.stage: “5” is not a stage (one of planned, requested"),
        (_with_history({"stage": "", "at": AT}), f"{ENTRY}.stage"),
        (_with_history({"from_stage": ["held"], "stage": "held", "at": AT}), f"{ENTRY}.from_stage"),
        (_with_history({"from_stage": "x" * 500, "stage": "held", "at": AT}), f"{ENTRY}.from_stage"),
        (_with_history({"stage": "held"}), f"{ENTRY}.at: a stage change needs the date-time"),
        (_with_history({"stage": "held", "at": 5}), f"{ENTRY}.at: “5” is not a date-time with an offset"),
        (_with_history({"stage": "held", "at": "0001-01-01T00:00:00+05:00"}), f"{ENTRY}.at: “0001"),
        (_with_history({"stage": "held", "at": AT, "recorded_at": "yesterday"}), f"{ENTRY}.recorded_at"),
        (_with_history({"stage": "requested", "at": AT}, {"stage": "nope", "at": AT}), "stage_history[1].stage"),
        # Contact.clean refuses a self-referral everywhere else; the restore links after the rows exist.
        ({**BASE, "contacts": [{**CONTACT, "referred_by": 1}]}, "contacts id 1: referred_by is the contact itself"),
        (
            {**BASE, "contacts": [{**CONTACT, "referred_by": [1]}]},
            "contacts id 1: referred_by [1] is not in the backup",
        ),
        ({**BASE, "contacts": [{**CONTACT, "tags": 5}]}, "contacts id 1: “tags” must be a list of tag ids"),
        ({**BASE, "contacts": [{**CONTACT, "tags": [{"id": 1}]}]}, "contacts id 1: tag {'id': 1} is not in the backup"),
        ({**BASE, "contacts": [{**CONTACT, "id": [1]}]}, "contacts[0]: each row needs an “id”"),
        ({**BASE, "contacts": [{**CONTACT, "created_at": 5}]}, "contacts[0].created_at: “5” is not a date-time"),
        ({**BASE, "contacts": [{**CONTACT, "updated_at": "x" * 10_000}]}, f"contacts[0].updated_at: “{'x' * 60}…”"),
    ],
)
def test_an_invalid_backup_value_is_a_400_naming_the_entry_and_writes_nothing(user, document, phrase):
    response = token_client(user).post("/api/v1/imports/backup/", document, format="json")
    assert response.status_code == 400, response.content[:300]
    assert phrase in response.json()["detail"]
    assert not Contact.objects.filter(owner=user).exists()


def _upload_backup(client, text: str):
    upload = SimpleUploadedFile("backup.json", text.encode(), content_type="application/json")
    return client.post("/api/v1/imports/backup/", {"file": upload}, format="multipart")


@pytest.mark.parametrize(
    "contact, phrase",
    [
        # A file is read by the json module, which accepts what the API's parser refuses.
        ('{"id": 1, "first_name": "\\ud800"}', "contacts[0].first_name: Surrogate characters are not allowed: U+D800."),
        ('{"id": 1, "first_name": "P", "reconnect_every_days": Infinity}', "not JSON"),
        ('{"id": 1, "first_name": "P", "reconnect_every_days": NaN}', "not JSON"),
        ('{"id": 1, "first_name": "P", "reconnect_every_days": 1e400}', "contacts[0]: a number is out of range"),
    ],
)
def test_a_backup_file_with_values_no_field_can_hold_is_a_400(user, contact, phrase):
    text = f'{{"format": "coffeechat-backup", "version": 1, "contacts": [{contact}]}}'
    response = _upload_backup(token_client(user), text)
    assert response.status_code == 400, response.content[:300]
    assert phrase in response.json()["detail"]
    assert not Contact.objects.filter(owner=user).exists()


def test_a_backup_whose_profile_quotes_a_lone_surrogate_is_a_400(user):
    text = '{"format": "coffeechat-backup", "version": 1, "profile": {"timezone": "\\ud800"}}'
    response = _upload_backup(token_client(user), text)
    assert response.status_code == 400
    assert response.json()["detail"] == "profile.timezone: Surrogate characters are not allowed: U+D800."


# --- imports -------------------------------------------------------------------------------


def _upload(client, content: bytes):
    data = {"file": SimpleUploadedFile("contacts.csv", content, content_type="text/csv")}
    return client.post("/api/v1/imports/csv/", data, format="multipart")


@pytest.mark.parametrize("days", ["99999999999999999999999", "5000000", "3651"])
def test_an_imported_reconnect_cadence_out_of_range_is_a_row_error(user, days):
    client = token_client(user)
    response = _upload(client, f"first_name,reconnect_every_days\nBig,{days}\nSmall,30\n".encode())
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["created"] == 1
    assert body["errors"][0]["row"] == 2
    assert "1 to 3650" in body["errors"][0]["message"]
    assert Contact.objects.get(owner=user).reconnect_every_days == 30


def test_an_imported_last_contact_out_of_range_is_a_row_error(user):
    client = token_client(user)
    response = _upload(client, b"first_name,last_contacted_at\nOld,0001-01-01T00:00:00+05:00\n")
    assert response.status_code == 200
    assert "between the years" in response.json()["errors"][0]["message"]
    assert not Contact.objects.filter(owner=user).exists()


def test_a_null_character_past_the_first_64_kib_refuses_the_file(user):
    rows = ["first_name,how_we_met"] + [f"N{i},{'x' * 100}" for i in range(800)] + ["Nul,a\x00b"]
    response = _upload(token_client(user), ("\n".join(rows) + "\n").encode())
    assert response.status_code == 400
    assert "binary data" in response.json()["detail"]
    assert not Contact.objects.filter(owner=user).exists()


def test_the_refusals_keep_one_error_format(user):
    response = token_client(user).post("/api/v1/contacts/", json.dumps([1]), content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)
