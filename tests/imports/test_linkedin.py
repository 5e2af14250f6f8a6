"""POST /api/v1/imports/linkedin/ with LinkedIn's Connections.csv, the way real exports look."""

import io
import os
import zipfile
from datetime import date

import pytest

from contacts.models import Company, Contact, ContactEvent
from tests.factories import CompanyFactory, ContactFactory

from .conftest import sample, upload

SAMPLE_NAMES = [
    "Priya",
    "Marcus",
    "Amélie",
    "Daniel",
    "Sofia",
    "Kwame",
    "Li",
    "Rachel",
    "José",
    "Hannah",
    "Arjun",
    "Emily",
    "Olumide",
    "Claire",
    "Tom",
]


def counts(response):
    body = response.json()
    return body["created"], body["updated"], body["skipped"], len(body["errors"])


def test_the_sample_export_creates_every_connection(api_client, user):
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 200, response.content
    assert counts(response) == (15, 0, 0, 0)
    assert sorted(Contact.objects.filter(owner=user).values_list("first_name", flat=True)) == sorted(SAMPLE_NAMES)


def test_imported_fields_are_mapped_and_normalised(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    marcus = Contact.objects.get(owner=user, first_name="Marcus")
    assert marcus.title == "Product Manager, Growth"
    assert marcus.company.name == "Wealthsimple"
    assert marcus.email == ""
    assert marcus.linkedin_url == "https://www.linkedin.com/in/marcuslee"
    assert marcus.source == "linkedin"
    assert marcus.connected_on == date(2026, 10, 28)
    assert Contact.objects.get(owner=user, first_name="Rachel").company.name == "Ritual, Inc."
    assert Contact.objects.get(owner=user, first_name="Kwame").company is None


def test_companies_are_created_once_each_case_insensitively(api_client, user):
    CompanyFactory(owner=user, name="SHOPIFY")
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert Company.objects.filter(owner=user, name__iexact="shopify").count() == 1
    assert Contact.objects.filter(owner=user, company__name="SHOPIFY").count() == 3


def test_importing_the_same_file_twice_creates_and_updates_nothing(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert counts(response) == (0, 0, 15, 0)
    assert Contact.objects.filter(owner=user).count() == 15


def test_the_older_export_without_urls_matches_by_email_and_by_name(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    response = upload(api_client, "linkedin", sample("linkedin_connections_old.csv"))
    assert counts(response) == (0, 0, 5, 0)
    assert Contact.objects.filter(owner=user).count() == 15


def test_the_older_export_imports_on_its_own(api_client, user):
    response = upload(api_client, "linkedin", sample("linkedin_connections_old.csv"))
    assert counts(response) == (5, 0, 0, 0)
    assert Contact.objects.get(owner=user, first_name="Daniel").last_name == "O'Connor"


@pytest.mark.parametrize("name", ["linkedin_bom_crlf.csv", "linkedin_utf16.csv", "linkedin_latin1.csv"])
def test_byte_order_marks_line_endings_and_encodings_read_the_same(api_client, user, name):
    response = upload(api_client, "linkedin", sample(name))
    assert counts(response) == (15, 0, 0, 0)
    assert Contact.objects.filter(owner=user, first_name="Amélie", last_name="Tremblay").exists()
    assert Contact.objects.filter(owner=user, first_name="José", last_name="García").exists()


def test_utf16_without_a_byte_order_mark_is_read(api_client, user):
    content = sample("linkedin_connections_old.csv").decode("utf-8").encode("utf-16-le")
    assert counts(upload(api_client, "linkedin", content)) == (5, 0, 0, 0)


def test_windows_1252_smart_quotes_are_read(api_client, user):
    content = "First Name,Last Name,Company,Position\nDan,O\u2019Brien,Acme,PM\n".encode("cp1252")
    assert counts(upload(api_client, "linkedin", content)) == (1, 0, 0, 0)
    assert Contact.objects.get(owner=user).last_name == "O\u2019Brien"


def test_nasty_file_quoted_newlines_duplicates_and_bad_rows(api_client, user):
    response = upload(api_client, "linkedin", sample("linkedin_nasty.csv"))
    body = response.json()
    assert response.status_code == 200, body
    assert (body["created"], body["updated"], body["skipped"]) == (3, 0, 1)
    assert [e["row"] for e in body["errors"]] == [10, 11, 12, 13]
    messages = " ".join(e["message"] for e in body["errors"])
    assert "https://example.com/in/bad" in messages
    assert "not-an-email" in messages
    assert "First Name is empty" in messages
    assert "31 Foo 2025" in messages
    zoe = Contact.objects.get(owner=user, first_name="Zoë")
    assert zoe.last_name == "D'Arcy, Jr."
    assert zoe.company.name == 'Acme, "The" Company'
    assert zoe.title == "Head of Product Platform"
    assert zoe.linkedin_url == "https://www.linkedin.com/in/zoe-darcy"
    # A formula is stored as the text it is; exports neutralise it (see test_csv_vcard).
    assert Contact.objects.get(owner=user, first_name="Last").company.name == '=HYPERLINK("http://evil")'


def test_dry_run_returns_the_same_numbers_and_writes_nothing(api_client, user):
    preview = upload(api_client, "linkedin", sample("linkedin_nasty.csv"), dry_run="true")
    assert Contact.objects.filter(owner=user).count() == 0
    assert Company.objects.filter(owner=user).count() == 0
    real = upload(api_client, "linkedin", sample("linkedin_nasty.csv"))
    preview_body, real_body = preview.json(), real.json()
    assert preview_body.pop("dry_run") is True and real_body.pop("dry_run") is False
    assert preview_body == real_body


def test_dry_run_of_a_re_import_reports_the_job_changes_without_recording_them(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    moved = sample("linkedin_connections.csv").replace(
        b"Li,Wei,https://www.linkedin.com/in/li-wei-88,,Cohere", b"Li,Wei,https://www.linkedin.com/in/li-wei-88,,OpenAI"
    )
    response = upload(api_client, "linkedin", moved, dry_run="true")
    assert counts(response) == (0, 1, 14, 0)
    assert response.json()["job_changes"] == 1
    assert not ContactEvent.objects.exists()
    assert Contact.objects.get(owner=user, first_name="Li").company.name == "Cohere"


def test_an_empty_cell_never_erases_what_the_user_entered(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    marcus = Contact.objects.get(owner=user, first_name="Marcus")
    marcus.email = "marcus@personal.example"
    marcus.how_we_met = "Product meetup"
    marcus.save()
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert counts(response) == (0, 0, 15, 0)
    marcus.refresh_from_db()
    assert (marcus.email, marcus.how_we_met) == ("marcus@personal.example", "Product meetup")


def test_a_contact_entered_by_hand_is_matched_by_email_and_gains_the_url(api_client, user):
    ContactFactory(
        owner=user,
        first_name="Priya",
        last_name="R.",
        email="Priya.Raman@example.com",
        company=None,
        title="",
        source="referral",
    )
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    priya = Contact.objects.get(owner=user, email__iexact="priya.raman@example.com")
    assert priya.linkedin_url == "https://www.linkedin.com/in/priya-raman-pm"
    assert priya.company.name == "Shopify"
    assert (priya.last_name, priya.source) == ("R.", "referral")  # the user's own values stay
    assert not ContactEvent.objects.exists()  # filling an empty company is not a job change


# --- job changes ---------------------------------------------------------------------------


def _moved_export():
    return (
        sample("linkedin_connections.csv")
        .replace(
            b"Priya,Raman,https://www.linkedin.com/in/priya-raman-pm,priya.raman@example.com,Shopify,Senior Product Manager",
            b"Priya,Raman,https://www.linkedin.com/in/priya-raman-pm,priya.raman@example.com,Cohere,Senior Product Manager",
        )
        .replace(
            b"Hannah,Smith,https://www.linkedin.com/in/hannahsmith,,Shopify,Staff Product Manager",
            b"Hannah,Smith,https://www.linkedin.com/in/hannahsmith,,Shopify,Director of Product",
        )
    )


def test_a_later_export_records_job_changes(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    response = upload(api_client, "linkedin", _moved_export())
    assert counts(response) == (0, 2, 13, 0)
    assert response.json()["job_changes"] == 2
    priya = Contact.objects.get(owner=user, first_name="Priya")
    assert priya.company.name == "Cohere"
    summaries = set(ContactEvent.objects.filter(owner=user, kind="job_change").values_list("summary", flat=True))
    assert summaries == {"Priya Raman moved to Cohere", "Hannah Smith is now Director of Product at Shopify"}
    event = ContactEvent.objects.get(contact=priya)
    assert (event.previous_company, event.new_company) == ("Shopify", "Cohere")


def test_job_changes_are_listed_in_the_api_as_a_reason_to_reach_out(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    upload(api_client, "linkedin", _moved_export())
    body = api_client.get("/api/v1/job-changes/").json()
    assert body["count"] == 2
    priya = next(r for r in body["results"] if r["contact_name"] == "Priya Raman")
    assert priya["suggestion"].startswith("Priya moved to Cohere — congratulate")
    assert priya["acknowledged"] is False


def test_acknowledging_a_job_change_takes_it_off_the_new_list(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    upload(api_client, "linkedin", _moved_export())
    event = ContactEvent.objects.get(owner=user, contact__first_name="Priya")
    response = api_client.post(f"/api/v1/job-changes/{event.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged"] is True
    new = api_client.get("/api/v1/job-changes/?acknowledged=false").json()
    assert [r["contact_name"] for r in new["results"]] == ["Hannah Smith"]


def test_another_users_job_change_is_invisible_and_cannot_be_acknowledged(api_client, other_api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    upload(api_client, "linkedin", _moved_export())
    event = ContactEvent.objects.filter(owner=user).first()
    assert other_api_client.get("/api/v1/job-changes/").json()["count"] == 0
    assert other_api_client.post(f"/api/v1/job-changes/{event.pk}/acknowledge/").status_code == 404
    event.refresh_from_db()
    assert event.acknowledged is False


# --- bad input: a clear 400 (or 413) and nothing written ------------------------------------


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Connections.csv", sample("linkedin_connections.csv"))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, phrase",
    [
        (b"", "empty"),
        (os.urandom(4096), "not text"),
        (bytes(range(256)) * 8, "not text"),
        (_zip_bytes(), "ZIP"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("First Name,Last Name,Company,Position\nA,B,C,D\n".encode("utf-32"), "UTF-32"),
        (b'{"contacts": [1, 2, 3]}\n', "does not look like a LinkedIn Connections.csv"),
        (b"Name,Email\nPriya,p@example.com\n", "does not look like"),
        (b"First Name,Last Name,URL,Email Address\nPriya,Raman,,\n", "Missing required columns Company, Position"),
    ],
    ids=[
        "empty",
        "random-bytes",
        "all-bytes",
        "zip-renamed-csv",
        "pdf",
        "utf-32",
        "json",
        "wrong-columns",
        "missing-columns",
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_written(api_client, user, content, phrase):
    response = upload(api_client, "linkedin", content)
    assert response.status_code == 400, response.content
    assert phrase in response.json()["detail"]
    assert not Contact.objects.filter(owner=user).exists()
    assert not Company.objects.filter(owner=user).exists()


def test_a_file_over_the_size_limit_is_refused_with_413(api_client, user, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert not Contact.objects.exists()


def test_a_request_without_a_file_is_a_400(api_client):
    response = api_client.post("/api/v1/imports/linkedin/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["detail"].lower()


def test_an_import_racing_another_into_the_same_account_is_a_409_and_keeps_nothing(api_client, user, racing_import):
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Another import into your account was running at the same time. Nothing was written; "
        "import the file again (it is safe to repeat)."
    }
    assert not Contact.objects.filter(owner=user).exists()


def test_imports_need_a_login(client):
    response = client.post("/api/v1/imports/linkedin/", {"file": io.BytesIO(b"x")})
    assert response.status_code == 401


def test_imports_are_throttled(api_client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "imports": "2/hour"}
    )
    codes = [upload(api_client, "linkedin", sample("linkedin_connections_old.csv")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# --- isolation -----------------------------------------------------------------------------


def test_another_users_import_never_touches_this_users_contacts(api_client, other_api_client, user, other_user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    mine_before = list(Contact.objects.filter(owner=user).order_by("id").values())
    response = upload(other_api_client, "linkedin", _moved_export())
    assert counts(response) == (15, 0, 0, 0)
    assert list(Contact.objects.filter(owner=user).order_by("id").values()) == mine_before
    assert not ContactEvent.objects.exists()
    assert Company.objects.filter(owner=other_user).count() == Company.objects.filter(owner=user).count() == 10
    assert not Contact.objects.filter(owner=other_user, company__owner=user).exists()


def test_odd_ids_in_job_change_urls_are_404_not_errors(api_client):
    assert api_client.post(f"/api/v1/job-changes/{2**70}/acknowledge/").status_code == 404
    assert api_client.get("/api/v1/job-changes/?contact=99999999999999999999999").json()["count"] == 0
    assert api_client.get("/api/v1/job-changes/?contact=²").json()["count"] == 0
