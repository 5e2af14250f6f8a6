"""LinkedIn's messages.csv (issue #13): touches, replies, "looks sent" offers, skipped rows with
their reasons, unknown people, idempotent re-imports, dry runs, background jobs and bad files."""

import pytest
import time_machine

from contacts.models import Contact, ImportJob
from outreach.models import CaptureOffer, Conversation, Correspondent, FollowUp, Stage, Touch
from outreach.services import conversation_create, conversation_transition
from tests.factories import aware
from tests.imports.conftest import sample, upload

PLANNED_ON = aware(2026, 11, 1, 12, 0)
IMPORTED_ON = aware(2026, 12, 1, 12, 0)
KIND = "linkedin-messages"


def contact(user, first, last, slug):
    return Contact.objects.create(
        owner=user, first_name=first, last_name=last, linkedin_url=f"https://www.linkedin.com/in/{slug}"
    )


@pytest.fixture
def maya(user):
    """Maya's account before the import: three contacts of the sample, a request to Priya sent
    the day before her reply, and a planned LinkedIn ask of Marcus."""
    with time_machine.travel(PLANNED_ON, tick=False):
        priya = contact(user, "Priya", "Raman", "priya-raman-pm")
        marcus = contact(user, "Marcus", "Lee", "marcuslee")
        daniel = contact(user, "Daniel", "O'Connor", "danoconnor")
        to_priya = conversation_create(owner=user, contact=priya, kind="coffee_chat", channel="linkedin")
        conversation_transition(conversation=to_priya, to_stage=Stage.REQUESTED, at=aware(2026, 11, 10, 14, 2))
        to_marcus = conversation_create(owner=user, contact=marcus, kind="informational_interview", channel="linkedin")
    return {"priya": priya, "marcus": marcus, "daniel": daniel, "to_priya": to_priya, "to_marcus": to_marcus}


@pytest.fixture(autouse=True)
def import_day():
    with time_machine.travel(IMPORTED_ON, tick=False):
        yield


def test_the_sample_becomes_touches_a_reply_and_a_looks_sent_offer(api_client, user, maya):
    response = upload(api_client, KIND, sample("linkedin_messages.csv"), name="messages.csv")
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["your_profile"] == "https://www.linkedin.com/in/maya-patel-ux"
    assert result["messages"] == 10
    assert result["touches"] == 7  # Priya 2, Marcus 2, Daniel 3
    assert result["replies"] == 1
    assert result["looks_sent"] == 1
    assert result["skipped"] == 3
    assert result["skipped_reasons"]["draft"] == 1
    assert result["skipped_reasons"]["sponsored"] == 1
    assert result["skipped_reasons"]["unknown_person"] == 1  # Li Wei's group message: listed, not logged
    assert result["unknown_people"] == 1
    assert result["error_count"] == 0

    assert Touch.objects.filter(owner=user, channel="linkedin").count() == 7
    assert set(Touch.objects.filter(contacts=maya["daniel"]).values_list("at", flat=True)) == {
        aware(2026, 10, 2, 8, 5, 12),
        aware(2026, 10, 2, 10, 30),
        aware(2026, 10, 6, 19, 22, 48),
    }
    maya["daniel"].refresh_from_db()
    assert maya["daniel"].last_contacted_at == aware(2026, 10, 6, 19, 22, 48)


def test_a_contacts_message_after_the_request_records_the_reply_and_stops_the_nudge(api_client, user, maya):
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    to_priya = Conversation.objects.get(pk=maya["to_priya"].pk)
    assert to_priya.replied_at == aware(2026, 11, 11, 9, 15, 40)
    assert to_priya.stage == Stage.REQUESTED  # offered to the user, not moved
    assert not to_priya.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN).exists()


def test_a_message_to_a_planned_linkedin_ask_is_offered_as_looks_sent_and_accepted_in_one_click(api_client, user, maya):
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    to_marcus = Conversation.objects.get(pk=maya["to_marcus"].pk)
    assert to_marcus.stage == Stage.PLANNED  # nothing moves silently
    offers = api_client.get("/api/v1/capture-offers/", {"status": "open"}).json()["results"]
    assert len(offers) == 1
    offer = offers[0]
    assert offer["kind"] == "sent" and offer["conversation"] == to_marcus.pk
    assert offer["at"] == "2026-11-12T16:40:00Z"  # the first message, not the bump a week later

    accepted = api_client.post(f"/api/v1/capture-offers/{offer['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    to_marcus.refresh_from_db()
    assert to_marcus.stage == Stage.REQUESTED
    assert to_marcus.requested_at == aware(2026, 11, 12, 16, 40)
    assert to_marcus.message_sent_at == aware(2026, 11, 12, 16, 40)
    assert to_marcus.message_body.startswith("Hi Marcus — fellow Wealthsimple fan here.")
    again = api_client.post(f"/api/v1/capture-offers/{offer['id']}/accept/")
    assert again.status_code == 409


def test_a_dismissed_offer_is_not_made_again_on_reimport(api_client, user, maya):
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    offer = CaptureOffer.objects.get(owner=user)
    assert api_client.post(f"/api/v1/capture-offers/{offer.pk}/dismiss/").json()["status"] == "dismissed"
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    assert CaptureOffer.objects.filter(owner=user).count() == 1
    assert Conversation.objects.get(pk=maya["to_marcus"].pk).stage == Stage.PLANNED


def test_importing_the_same_file_again_creates_nothing(api_client, user, maya):
    first = upload(api_client, KIND, sample("linkedin_messages.csv")).json()
    counts = (Touch.objects.count(), CaptureOffer.objects.count(), Correspondent.objects.count())
    second = upload(api_client, KIND, sample("linkedin_messages.csv")).json()
    assert second["touches"] == second["replies"] == second["looks_sent"] == 0
    assert second["already_imported"] == first["touches"] == 7
    assert (Touch.objects.count(), CaptureOffer.objects.count(), Correspondent.objects.count()) == counts


def test_people_who_are_not_contacts_are_listed_once_for_one_click_add(api_client, user, maya):
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    people = api_client.get("/api/v1/new-people/", {"status": "new"}).json()["results"]
    assert [(p["name"], p["linkedin_url"]) for p in people] == [("Li Wei", "https://www.linkedin.com/in/li-wei-88")]
    # Group members who wrote nothing are not listed; the drafted-to Sofia neither.
    added = api_client.post(f"/api/v1/new-people/{people[0]['id']}/add/")
    assert added.status_code == 200 and added.json()["status"] == "added"
    li = Contact.objects.get(owner=user, linkedin_url="https://www.linkedin.com/in/li-wei-88")
    assert (li.first_name, li.last_name) == ("Li", "Wei")
    # A re-import now logs the group message as a touch with Li.
    again = upload(api_client, KIND, sample("linkedin_messages.csv")).json()
    assert again["touches"] == 1
    assert Touch.objects.filter(contacts=li).count() == 1


def test_an_ignored_person_stays_off_the_list(api_client, user, maya):
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    li = Correspondent.objects.get(owner=user)
    api_client.post(f"/api/v1/new-people/{li.pk}/ignore/")
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    assert api_client.get("/api/v1/new-people/", {"status": "new"}).json()["count"] == 0
    assert Correspondent.objects.get(pk=li.pk).status == "ignored"


def test_a_dry_run_reports_the_same_and_writes_nothing(api_client, user, maya):
    preview = upload(api_client, KIND, sample("linkedin_messages.csv"), dry_run="true").json()
    assert preview["dry_run"] is True
    assert (preview["touches"], preview["replies"], preview["looks_sent"]) == (7, 1, 1)
    assert Touch.objects.count() == CaptureOffer.objects.count() == Correspondent.objects.count() == 0
    assert Conversation.objects.get(pk=maya["to_priya"].pk).replied_at is None


def test_the_profile_setting_names_the_user_when_the_file_cannot(api_client, user):
    one_thread = "\n".join(sample("linkedin_messages.csv").decode().splitlines()[:3]).encode()
    refused = upload(api_client, KIND, one_thread)
    assert refused.status_code == 400
    assert "LinkedIn profile URL" in str(refused.json())
    user.profile.linkedin_url = "linkedin.com/in/Maya-Patel-UX/"
    user.profile.save()
    contact(user, "Priya", "Raman", "priya-raman-pm")
    result = upload(api_client, KIND, one_thread).json()
    assert result["your_profile"] == "https://www.linkedin.com/in/maya-patel-ux"
    assert result["touches"] == 2


def test_quirky_files_bom_crlf_quoted_newlines_mojibake_and_no_attachments_column(api_client, user, maya):
    response = upload(api_client, KIND, sample("linkedin_messages_quirky.csv"))
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["touches"] == 2
    assert result["replies"] == 1
    assert (
        result["error_count"] == 1 and result["errors"][0]["row"] == 8
    )  # "not a date", after two messages over several lines
    first = Touch.objects.filter(contacts=maya["priya"]).order_by("at").first()
    assert '"quoted", and a comma' in first.summary
    people = api_client.get("/api/v1/new-people/").json()["results"]
    assert [p["name"] for p in people] == ["Amélie Tremblay"]


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"%PDF-1.4 not a csv", 400, "PDF"),
        (b"CONVERSATION ID,FROM,DATE,CONTENT\n1,A,2026-11-11 09:15:40 UTC,hi\n", 400, "Missing required columns"),
        (b"", 400, "empty"),
    ],
)
def test_bad_files_are_refused_with_nothing_written(api_client, user, maya, content, status, words):
    response = upload(api_client, KIND, content)
    assert response.status_code == status
    assert words in str(response.json())
    assert Touch.objects.count() == 0


def test_a_file_over_the_limit_is_413(api_client, user, maya, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(api_client, KIND, sample("linkedin_messages.csv"))
    assert response.status_code == 413
    assert Touch.objects.count() == 0


def test_no_file_is_400(api_client):
    assert api_client.post(f"/api/v1/imports/{KIND}/", {}, format="multipart").status_code == 400


def test_a_file_over_the_sync_limit_runs_as_a_background_job(api_client, user, maya, settings, eager_celery):
    settings.IMPORT_SYNC_MAX_ROWS = 3
    with eager_celery(execute=True):
        response = upload(api_client, KIND, sample("linkedin_messages.csv"))
    assert response.status_code == 202, response.content
    job = api_client.get(response["Location"]).json()
    assert job["kind"] == "messages" and job["status"] == "done" and job["progress"] == 100
    assert job["result"]["touches"] == 7 and job["result"]["looks_sent"] == 1
    assert ImportJob.objects.get(pk=job["id"]).content is None
    assert Touch.objects.filter(owner=user).count() == 7


def test_another_users_contacts_are_never_touched(api_client, user, maya, other_user):
    theirs = Contact.objects.create(
        owner=other_user, first_name="Priya", linkedin_url="https://www.linkedin.com/in/priya-raman-pm"
    )
    upload(api_client, KIND, sample("linkedin_messages.csv"))
    assert not Touch.objects.filter(contacts=theirs).exists()
    assert Touch.objects.filter(owner=other_user).count() == 0
    theirs.refresh_from_db()
    assert theirs.last_contacted_at is None


def test_the_import_page_imports_messages_and_shows_the_counts(client, user, maya):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    page = client.get("/import/").content.decode()
    assert 'action="/import/linkedin-messages/"' in page
    response = client.post(
        "/import/linkedin-messages/",
        {"file": SimpleUploadedFile("messages.csv", sample("linkedin_messages.csv"), content_type="text/csv")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong data-count="touches">7</strong>' in html
    assert '<strong data-count="replies">1</strong>' in html
    assert '<strong data-count="looks_sent">1</strong>' in html
    assert 'data-skipped="draft"' in html and 'data-skipped="sponsored"' in html
    refused = client.post("/import/linkedin-messages/", {})
    assert refused.status_code == 400 and "Choose a file" in refused.content.decode()
