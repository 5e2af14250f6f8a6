"""POST /api/v1/imports/eml/ and the Import page's drop zone (issue #13): the same messages as
the mail-in receiver's tests, with the same outcomes."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact
from outreach.models import CaptureOffer, Conversation, Correspondent, FollowUp, Stage, StoredMail, Touch
from tests.capture import mails
from tests.capture.conftest import NOW


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def address(user) -> str:
    return user.profile.mail_in_address


def upload(client, *files: tuple[str, bytes]):
    data = {"file": [SimpleUploadedFile(name, content, content_type="message/rfc822") for name, content in files]}
    return client.post("/api/v1/imports/eml/", data, format="multipart")


def test_a_bccd_outgoing_mail_is_a_touch_and_offers_the_planned_ask_as_sent(api_client, user, scenario):
    response = upload(api_client, ("ask.eml", mails.bcc_outgoing(address(user))))
    assert response.status_code == 200, response.content
    result = response.json()["results"][0]
    assert result["outgoing"] is True and result["touches"] == 1 and result["looks_sent"] == 1
    assert Touch.objects.get(owner=user).contacts.get() == scenario["marcus"]
    offer = CaptureOffer.objects.get(owner=user)
    assert offer.conversation == scenario["to_marcus"] and offer.kind == "sent" and offer.source == "email"
    assert Conversation.objects.get(pk=scenario["to_marcus"].pk).stage == Stage.PLANNED  # offered, not forced
    api_client.post(f"/api/v1/capture-offers/{offer.pk}/accept/")
    asked = Conversation.objects.get(pk=scenario["to_marcus"].pk)
    assert asked.stage == Stage.REQUESTED
    assert asked.message_subject == "Advice on growth PM work?"
    assert asked.message_body.startswith("Hi Marcus, could I ask you")


@pytest.mark.parametrize("build", [mails.forwarded_reply, mails.inline_forwarded_reply])
def test_a_forwarded_reply_records_the_reply_and_stops_the_nudge(api_client, user, scenario, build):
    result = upload(api_client, ("fwd.eml", build(address(user)))).json()["results"][0]
    assert result["replies"] == 1 and result["outgoing"] is False
    ask = Conversation.objects.get(pk=scenario["to_priya"].pk)
    assert ask.replied_at == mails.REPLIED_ON
    assert not ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN).exists()
    assert Touch.objects.get(owner=user).summary.startswith("Re: Coffee? — Happy to!")


def test_an_invitation_proposes_the_time_and_today_confirms_it_in_one_click(client, api_client, user, scenario):
    result = upload(api_client, ("invite.eml", mails.invitation(address(user)))).json()["results"][0]
    assert result["invitations"] == 1
    offer = CaptureOffer.objects.get(owner=user, kind="schedule")
    assert offer.conversation == scenario["to_priya"] and offer.scheduled_for == mails.CHAT_AT
    client.force_login(user)
    today = client.get("/").content.decode()
    assert f'data-accept="{offer.pk}"' in today and "Schedule it" in today
    client.post(f"/suggestions/{offer.pk}/", {"action": "accept", "next": "/"})
    ask = Conversation.objects.get(pk=scenario["to_priya"].pk)
    assert ask.stage == Stage.SCHEDULED and ask.scheduled_for == mails.CHAT_AT


def test_a_stranger_goes_to_new_people_and_the_original_shows_sanitised(client, api_client, user, scenario):
    upload(api_client, ("hello.eml", mails.from_stranger(address(user))))
    person = Correspondent.objects.get(owner=user)
    assert (person.name, person.email, person.status) == ("Sam Stranger", mails.STRANGER, "new")
    assert not Touch.objects.exists()
    client.force_login(user)
    assert "Sam Stranger" in client.get("/people/new/").content.decode()
    page = client.get(f"/mails/{StoredMail.objects.get(owner=user).pk}/").content.decode()
    assert "Hi <strong>Ada</strong>!" in page and "<script>alert" not in page
    client.post(f"/people/new/{person.pk}/", {"action": "add"})
    assert Contact.objects.filter(owner=user, email=mails.STRANGER, first_name="Sam", last_name="Stranger").exists()


def test_ignoring_a_new_person_is_remembered(client, user, api_client, scenario):
    upload(api_client, ("hello.eml", mails.from_stranger(address(user))))
    person = Correspondent.objects.get(owner=user)
    client.force_login(user)
    client.post(f"/people/new/{person.pk}/", {"action": "ignore"})
    assert f'id="person-{person.pk}"' not in client.get("/people/new/").content.decode()
    upload(api_client, ("hello.eml", mails.from_stranger(address(user)).replace(b"<stranger@x.org>", b"<again@x.org>")))
    assert Correspondent.objects.get(pk=person.pk).status == "ignored"
    assert f'id="person-{person.pk}"' not in client.get("/people/new/").content.decode()


def test_the_same_message_twice_changes_nothing(api_client, user, scenario):
    raw = mails.forwarded_reply(address(user))
    upload(api_client, ("a.eml", raw))
    again = upload(api_client, ("a.eml", raw)).json()["results"][0]
    assert again["duplicate"] is True
    assert Touch.objects.count() == 1 and StoredMail.objects.count() == 1


def test_the_timeline_links_to_the_kept_original(client, api_client, user, scenario):
    upload(api_client, ("fwd.eml", mails.forwarded_reply(address(user))))
    mail = StoredMail.objects.get(owner=user)
    client.force_login(user)
    page = client.get(f"/contacts/{scenario['priya'].pk}/").content.decode()
    assert f'href="/mails/{mail.pk}/"' in page


def test_another_users_contact_with_the_same_address_is_never_touched(api_client, user, other_user, scenario):
    theirs = Contact.objects.create(owner=other_user, first_name="Priya", email=mails.PRIYA)
    upload(api_client, ("fwd.eml", mails.forwarded_reply(address(user))))
    assert not Touch.objects.filter(contacts=theirs).exists()
    assert StoredMail.objects.filter(owner=other_user).count() == 0
    theirs.refresh_from_db()
    assert theirs.last_contacted_at is None


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ([("photo.eml", b"\x89PNG\r\n\x1a\n\x00\x00binary")], 400),
        ([("notes.eml", b"just some words, no headers")], 400),
        ([], 400),
    ],
)
def test_bad_uploads_are_refused_with_nothing_written(api_client, user, scenario, files, status):
    response = upload(api_client, *files) if files else api_client.post("/api/v1/imports/eml/", {}, format="multipart")
    assert response.status_code == status
    assert StoredMail.objects.count() == Touch.objects.count() == 0


def test_a_bad_file_among_good_ones_refuses_them_all(api_client, user, scenario):
    response = upload(api_client, ("ok.eml", mails.forwarded_reply(address(user))), ("bad.eml", b"nope"))
    assert response.status_code == 400
    assert StoredMail.objects.count() == 0


def test_an_oversized_eml_is_413(api_client, user, scenario, settings):
    settings.MAIL_IN_MAX_BYTES = 500
    response = upload(api_client, ("big.eml", mails.invitation(address(user))))
    assert response.status_code == 413
    assert StoredMail.objects.count() == 0


def test_the_import_page_drop_zone_reads_eml_files(client, user, scenario):
    client.force_login(user)
    response = client.post(
        "/import/eml/", {"file": [SimpleUploadedFile("fwd.eml", mails.forwarded_reply(address(user)))]}
    )
    assert response.status_code == 200
    assert "their reply stops the nudges" in response.content.decode()
    assert Conversation.objects.get(pk=scenario["to_priya"].pk).replied_at == mails.REPLIED_ON
