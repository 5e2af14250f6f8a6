"""Nothing left behind (issue #13): touches, the New people list (ignores included), stored
mails and capture's offers go into the JSON backup and come back on restore."""

import json

import pytest
import time_machine
from rest_framework.test import APIClient

from outreach.capture.mail import mail_capture
from outreach.capture.services import correspondent_ignore
from outreach.models import CaptureOffer, Correspondent, StoredMail, Touch
from tests.capture import mails
from tests.capture.conftest import NOW
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def captured_account(user):
    address = user.profile.mail_in_address
    for raw in (mails.forwarded_reply(address), mails.bcc_outgoing(address), mails.from_stranger(address)):
        mail_capture(owner=user, raw=raw)
    correspondent_ignore(correspondent=Correspondent.objects.get(owner=user))


def test_capture_survives_a_backup_and_restore(user, scenario):
    captured_account(user)
    backup = client_for(user).get("/api/v1/export/backup.json")
    data = json.loads(backup.content)
    assert len(data["touches"]) == 2 and len(data["stored_mails"]) == 3
    assert len(data["correspondents"]) == 1 and len(data["capture_offers"]) == 1
    replied = next(c for c in data["conversations"] if c["replied_at"])
    assert replied["replied_at"].startswith("2026-11-23T09:30")

    fresh = UserFactory(username="fresh")
    response = client_for(fresh).post("/api/v1/imports/backup/", data, format="json")
    assert response.status_code == 201, response.content

    touches = sorted((t.at, sorted(c.email for c in t.contacts.all())) for t in Touch.objects.filter(owner=fresh))
    assert touches == sorted(
        (t.at, sorted(c.email for c in t.contacts.all())) for t in Touch.objects.filter(owner=user)
    )
    person = Correspondent.objects.get(owner=fresh)
    assert (person.email, person.status) == (mails.STRANGER, "ignored")
    originals = {m.message_id: bytes(m.raw) for m in StoredMail.objects.filter(owner=user)}
    assert {m.message_id: bytes(m.raw) for m in StoredMail.objects.filter(owner=fresh)} == originals
    restored_mail = StoredMail.objects.get(owner=fresh, message_id="<reply-priya@example.com>")
    assert restored_mail.touch.owner_id == fresh.pk and restored_mail.touch.contacts.get().email == mails.PRIYA
    offer = CaptureOffer.objects.get(owner=fresh)
    assert offer.conversation.owner_id == fresh.pk and offer.conversation.contact.first_name == "Marcus"
    # A re-capture in the restored account recognises what it already has.
    assert mail_capture(owner=fresh, raw=mails.forwarded_reply(fresh.profile.mail_in_address)).duplicate


def test_a_touch_without_contacts_in_a_backup_is_refused(user, scenario):
    captured_account(user)
    data = json.loads(client_for(user).get("/api/v1/export/backup.json").content)
    data["touches"][0]["contacts"] = []
    fresh = UserFactory(username="fresh")
    response = client_for(fresh).post("/api/v1/imports/backup/", data, format="json")
    assert response.status_code == 400
    assert "contacts" in response.json()["detail"]
    assert not Touch.objects.filter(owner=fresh).exists()
