"""The Import page (/import/): upload, dry-run preview, per-row errors, a progress bar for big files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contacts.models import Contact, ImportJob

from .conftest import sample


@pytest.fixture
def web(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, content, kind="linkedin", htmx=False, **fields):
    data = {"kind": kind, "file": SimpleUploadedFile("Connections.csv", content, content_type="text/csv"), **fields}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/import/", data, headers=headers)


def test_the_page_offers_the_three_kinds_and_the_exports(web):
    response = web.get("/import/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "LinkedIn Connections.csv",
        "Coffeechat contacts CSV",
        "vCard",
        "Preview only (dry run)",
        "/api/v1/export/contacts.csv",
        "/api/v1/export/contacts.vcf",
        "/api/v1/export/backup.json",
    ):
        assert text in html


def test_the_page_needs_a_login(db):
    response = Client().get("/import/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_uploading_the_sample_imports_and_shows_the_counts(web, user):
    response = post(web, sample("linkedin_connections.csv"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Import finished" in html and 'data-count="created">15<' in html
    assert Contact.objects.filter(owner=user).count() == 15


def test_a_dry_run_previews_without_writing(web, user):
    html = post(web, sample("linkedin_connections.csv"), htmx=True, dry_run="on").content.decode()
    assert "Preview — nothing was written" in html and 'data-count="created">15<' in html
    assert not Contact.objects.exists()


def test_row_errors_are_listed_with_their_line(web, user):
    html = post(web, sample("linkedin_nasty.csv"), htmx=True).content.decode()
    assert "<td>10</td>" in html and "https://example.com/in/bad" in html
    assert "<td>13</td>" in html and "31 Foo 2025" in html


def test_a_bad_file_says_what_is_wrong(web, user):
    response = post(web, b"PK\x03\x04garbage")
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode() and "ZIP" in response.content.decode()


def test_a_missing_file_says_so_with_a_400(web, user):
    response = web.post("/import/", {"kind": "linkedin"})
    assert response.status_code == 400
    assert "Choose a file to import." in response.content.decode()


def test_a_file_over_the_size_limit_says_so_with_a_413(web, user, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = post(web, sample("linkedin_connections.csv"))
    assert response.status_code == 413
    assert "Nothing was imported" in response.content.decode() and "the limit is" in response.content.decode()


def test_an_import_racing_another_says_so_with_a_409_and_keeps_nothing(web, user, racing_import):
    response = post(web, sample("linkedin_connections.csv"))
    assert response.status_code == 409
    assert "Another import into your account was running at the same time." in response.content.decode()
    assert not Contact.objects.filter(owner=user).exists()


def test_a_large_file_shows_a_progress_bar_that_polls_the_job(web, user, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 5
    html = post(web, sample("linkedin_connections.csv"), htmx=True).content.decode()
    job = ImportJob.objects.get(owner=user)
    assert "<progress" in html and f'hx-get="/import/jobs/{job.pk}/"' in html
    assert 'hx-trigger="every 1s"' in html
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=6)
    polled = web.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "6 of 15 rows" in polled and 'max="100" value="40"' in polled


def test_a_big_file_shows_that_it_is_being_checked_until_its_job_counts_it(web, user, settings, eager_celery):
    settings.IMPORT_SYNC_MAX_BYTES = 1024
    with eager_celery() as queued:
        html = post(web, sample("linkedin_connections.csv"), htmx=True).content.decode()
    assert "Checking the file" in html and 'max="100" value="0"' in html
    queued[0]()
    job = ImportJob.objects.get(owner=user)
    assert (job.status, job.total_rows) == ("done", 15)


def test_a_finished_job_stops_polling_and_shows_the_result(web, user, settings, eager_celery):
    settings.IMPORT_SYNC_MAX_ROWS = 5
    with eager_celery(execute=True):
        post(web, sample("linkedin_connections.csv"), htmx=True)
    job = ImportJob.objects.get(owner=user)
    html = web.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "every 1s" not in html and 'data-count="created">15<' in html


def test_another_users_job_is_404_on_the_page(web, other_user, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 5
    theirs = Client()
    theirs.force_login(other_user)
    post(theirs, sample("linkedin_connections.csv"))
    job = ImportJob.objects.get(owner=other_user)
    assert web.get(f"/import/jobs/{job.pk}/").status_code == 404


# --- limits --------------------------------------------------------------------------------


@pytest.fixture
def two_imports_an_hour(monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**ScopedRateThrottle.THROTTLE_RATES, "imports": "2/hour"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)


def test_the_import_page_is_throttled_like_the_api_with_a_429_and_retry_after(web, user, two_imports_an_hour):
    codes = [post(web, sample("linkedin_connections_old.csv")).status_code for _ in range(2)]
    response = post(web, sample("linkedin_connections.csv"))
    assert codes + [response.status_code] == [200, 200, 429]
    assert 3000 < int(response["Retry-After"]) <= 3600
    assert "You have imported many files in a short time. Try again in 60 minutes." in response.content.decode()
    assert Contact.objects.filter(owner=user).count() == 5  # the old export's five; the third file is not read


def test_the_page_and_the_api_share_one_import_allowance(web, user, api_client, two_imports_an_hour):
    from .conftest import upload

    assert upload(api_client, "linkedin", sample("linkedin_connections_old.csv")).status_code == 200
    assert post(web, sample("linkedin_connections_old.csv")).status_code == 200
    assert post(web, sample("linkedin_connections_old.csv")).status_code == 429
    assert upload(api_client, "linkedin", sample("linkedin_connections_old.csv")).status_code == 429


def test_a_throttled_htmx_upload_shows_the_message_in_place(web, user, two_imports_an_hour):
    for _ in range(2):
        post(web, sample("linkedin_connections_old.csv"), htmx=True)
    response = post(web, sample("linkedin_connections_old.csv"), htmx=True)
    assert response.status_code == 200 and "Retry-After" in response
    assert "Nothing was imported" in response.content.decode() and "Try again in" in response.content.decode()


def test_viewing_the_import_page_is_not_counted(web, user, two_imports_an_hour):
    for _ in range(3):
        assert web.get("/import/").status_code == 200
    assert post(web, sample("linkedin_connections_old.csv")).status_code == 200


def test_a_large_file_with_the_queue_down_says_so_with_a_503_and_keeps_nothing(web, user, settings, monkeypatch):
    from config.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    settings.IMPORT_SYNC_MAX_ROWS = 5
    response = post(web, sample("linkedin_connections.csv"))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "the task queue is unavailable right now. Nothing was imported" in response.content.decode()
    assert not ImportJob.objects.exists() and not Contact.objects.exists()


def test_a_field_over_the_limit_is_named_on_the_page_with_a_400(web, user, settings):
    settings.IMPORT_MAX_FIELD_BYTES = 100
    response = post(web, b"first_name,how_we_met\nAnn," + b"x" * 101 + b"\n", kind="csv")
    assert response.status_code == 400
    assert "Line 2: a field is longer than 100 characters" in response.content.decode()
