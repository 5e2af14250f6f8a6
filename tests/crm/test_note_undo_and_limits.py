"""Notes: edit and delete over the API, the 10-second Undo (across requests, by time, never for
another user), the purge, and the 20,000-character body limit."""

from datetime import timedelta

import pytest
import time_machine

from crm.models import NOTE_BODY_MAX_LENGTH, Note
from crm.services import note_create
from crm.tasks import purge_deleted_notes
from tests.factories import ContactFactory, aware

NOW = aware(2026, 5, 4, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def contact(user):
    return ContactFactory(owner=user, first_name="Priya")


@pytest.fixture
def note(user, contact):
    return note_create(owner=user, contact=contact, body="Ask about **discovery**", kind="advice")


def test_patch_edits_a_note(api_client, note):
    response = api_client.patch(f"/api/v1/notes/{note.pk}/", {"body": "Ask about *roadmaps*"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Ask about *roadmaps*"
    assert "<em>roadmaps</em>" in response.json()["body_html"]
    note.refresh_from_db()
    assert note.body == "Ask about *roadmaps*"


def test_delete_hides_the_note_at_once_everywhere(api_client, note, contact):
    assert api_client.delete(f"/api/v1/notes/{note.pk}/").status_code == 204
    assert api_client.get(f"/api/v1/notes/{note.pk}/").status_code == 404
    assert api_client.get("/api/v1/notes/").json()["count"] == 0
    assert not contact.notes.exists()
    assert Note.all_objects.get(pk=note.pk).deleted_at == NOW  # kept for the Undo window


def test_restore_within_ten_seconds_brings_the_note_back(api_client, note, clock):
    api_client.delete(f"/api/v1/notes/{note.pk}/")
    clock.shift(timedelta(seconds=9))
    response = api_client.post(f"/api/v1/notes/{note.pk}/restore/")
    assert response.status_code == 200
    assert response.json()["body"] == "Ask about **discovery**"
    assert api_client.get("/api/v1/notes/").json()["count"] == 1
    # A second Undo (a double click) changes nothing.
    assert api_client.post(f"/api/v1/notes/{note.pk}/restore/").status_code == 200


def test_restore_after_the_window_is_refused_and_the_purge_removes_the_note(api_client, note, clock):
    api_client.delete(f"/api/v1/notes/{note.pk}/")
    clock.shift(timedelta(seconds=11))
    response = api_client.post(f"/api/v1/notes/{note.pk}/restore/")
    assert response.status_code == 400
    assert "Too late to undo" in response.json()["detail"]
    assert Note.all_objects.filter(pk=note.pk).exists()
    assert purge_deleted_notes() == 1
    assert not Note.all_objects.filter(pk=note.pk).exists()
    assert api_client.post(f"/api/v1/notes/{note.pk}/restore/").status_code == 404


def test_the_purge_keeps_notes_still_in_their_window(api_client, note, clock):
    api_client.delete(f"/api/v1/notes/{note.pk}/")
    clock.shift(timedelta(seconds=5))
    assert purge_deleted_notes() == 0
    assert api_client.post(f"/api/v1/notes/{note.pk}/restore/").status_code == 200


def test_another_user_can_neither_delete_nor_restore_a_note(api_client, other_api_client, note):
    assert other_api_client.delete(f"/api/v1/notes/{note.pk}/").status_code == 404
    assert Note.objects.filter(pk=note.pk).exists()
    api_client.delete(f"/api/v1/notes/{note.pk}/")
    assert other_api_client.post(f"/api/v1/notes/{note.pk}/restore/").status_code == 404
    assert Note.objects.filter(pk=note.pk).count() == 0


def test_a_restore_of_a_number_no_row_has_is_404(api_client):
    assert api_client.post(f"/api/v1/notes/{2**70}/restore/").status_code == 404
    assert api_client.post("/api/v1/notes/abc/restore/").status_code == 404


def test_a_body_at_the_limit_is_saved(api_client, contact):
    body = "x" * NOTE_BODY_MAX_LENGTH
    response = api_client.post("/api/v1/notes/", {"contact": contact.pk, "body": body}, format="json")
    assert response.status_code == 201
    assert len(Note.objects.get().body) == NOTE_BODY_MAX_LENGTH


def test_a_body_over_the_limit_is_a_400_on_the_field_and_writes_nothing(api_client, contact, note):
    body = "x" * (NOTE_BODY_MAX_LENGTH + 1)
    response = api_client.post("/api/v1/notes/", {"contact": contact.pk, "body": body}, format="json")
    assert response.status_code == 400
    assert "20000" in response.json()["body"][0]
    response = api_client.patch(f"/api/v1/notes/{note.pk}/", {"body": body}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert list(Note.objects.values_list("body", flat=True)) == ["Ask about **discovery**"]


def test_the_service_refuses_an_over_long_body_too(user, contact):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        note_create(owner=user, contact=contact, body="y" * (NOTE_BODY_MAX_LENGTH + 1))
    assert "body" in caught.value.message_dict
    assert not Note.all_objects.exists()


def test_beat_purges_deleted_notes_every_minute():
    from config.celery import _beat_schedule

    entry = _beat_schedule()["purge-deleted-notes"]
    assert entry["task"] == purge_deleted_notes.name
    assert entry["schedule"] == 60.0


def test_a_delete_purges_the_owners_expired_deletions_even_without_beat(api_client, user, contact, note, clock):
    other = note_create(owner=user, contact=contact, body="second")
    api_client.delete(f"/api/v1/notes/{note.pk}/")
    clock.shift(timedelta(seconds=30))
    api_client.delete(f"/api/v1/notes/{other.pk}/")
    assert list(Note.all_objects.values_list("pk", flat=True)) == [other.pk]
