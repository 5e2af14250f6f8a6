"""Large files run as a background job with progress; imports take a bounded number of queries.

The speed target (30,000 rows in seconds) is measured by bench/import_linkedin.py, not here:
these tests pin the behaviour that makes it fast (batched writes, no query per row).
"""

import pytest

from bench.import_linkedin import linkedin_csv
from contacts.models import Contact, ImportJob

from .conftest import sample, upload

# SQLite splits each batch's bulk insert by its bound-parameter limit (about 700 queries for
# 30,000 rows; PostgreSQL needs far fewer). One query per row would be 30,000 or more.
FIRST_IMPORT_QUERIES = 1000


def test_a_file_over_the_sync_limit_answers_202_with_a_job_to_poll(api_client, user, settings, eager_celery):
    settings.IMPORT_SYNC_MAX_ROWS = 10
    with eager_celery(execute=True):
        response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status_url"] == f"/api/v1/imports/{body['job_id']}/"
    assert response["Location"] == body["status_url"]
    status = api_client.get(body["status_url"]).json()
    assert (status["status"], status["progress"], status["total_rows"], status["processed_rows"]) == (
        "done",
        100,
        15,
        15,
    )
    assert {k: status["result"][k] for k in ("created", "updated", "skipped")} == {
        "created": 15,
        "updated": 0,
        "skipped": 0,
    }
    assert Contact.objects.filter(owner=user).count() == 15
    assert ImportJob.objects.get(pk=body["job_id"]).content is None  # the upload is not kept


def test_a_queued_job_shows_pending_progress_before_a_worker_runs_it(api_client, user, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 10
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    status = api_client.get(response.json()["status_url"]).json()
    assert (status["status"], status["progress"], status["processed_rows"], status["total_rows"]) == (
        "pending",
        0,
        0,
        15,
    )
    assert not Contact.objects.exists()


def test_a_background_dry_run_writes_nothing(api_client, user, settings, eager_celery):
    settings.IMPORT_SYNC_MAX_ROWS = 10
    with eager_celery(execute=True):
        response = upload(api_client, "linkedin", sample("linkedin_connections.csv"), dry_run="true")
    status = api_client.get(response.json()["status_url"]).json()
    assert status["status"] == "done" and status["result"]["created"] == 15 and status["result"]["dry_run"]
    assert not Contact.objects.exists()


def test_running_a_job_twice_imports_once(user, settings, api_client, eager_celery):
    from contacts.tasks import run_import_job

    settings.IMPORT_SYNC_MAX_ROWS = 10
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    job_id = response.json()["job_id"]
    assert run_import_job(job_id) == "done"
    assert run_import_job(job_id) == "done"
    assert Contact.objects.filter(owner=user).count() == 15


def test_another_users_job_is_404(api_client, other_api_client, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 10
    job_id = upload(api_client, "linkedin", sample("linkedin_connections.csv")).json()["job_id"]
    assert other_api_client.get(f"/api/v1/imports/{job_id}/").status_code == 404


def test_a_bad_large_file_is_refused_before_any_job_is_queued(api_client, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 1
    response = upload(api_client, "linkedin", b"First Name,Last Name\nA,B\nC,D\n")
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_a_sync_import_takes_a_bounded_number_of_queries_not_one_per_row(
    api_client, user, django_assert_max_num_queries
):
    content = linkedin_csv(500)
    with django_assert_max_num_queries(50):
        response = upload(api_client, "linkedin", content)
    assert response.status_code == 200 and response.json()["created"] == 500
    with django_assert_max_num_queries(20):
        again = upload(api_client, "linkedin", content)
    assert (again.json()["created"], again.json()["updated"], again.json()["skipped"]) == (0, 0, 500)


@pytest.mark.slow
def test_thirty_thousand_connections_import_in_batches_and_re_import_changes_nothing(
    api_client, user, eager_celery, django_assert_max_num_queries
):
    content = linkedin_csv(30_000)
    # Batched writes: the number of queries grows with the batches (1,000 rows), not the rows.
    with eager_celery(execute=True), django_assert_max_num_queries(FIRST_IMPORT_QUERIES):
        response = upload(api_client, "linkedin", content)
    assert response.status_code == 202
    status = api_client.get(response.json()["status_url"]).json()
    assert status["status"] == "done", status
    assert status["result"]["created"] == 30_000 and status["result"]["error_count"] == 0
    assert Contact.objects.filter(owner=user).count() == 30_000
    with eager_celery(execute=True), django_assert_max_num_queries(400):
        again = upload(api_client, "linkedin", content)
    result = api_client.get(again.json()["status_url"]).json()["result"]
    assert (result["created"], result["updated"], result["skipped"]) == (0, 0, 30_000)


def test_a_running_job_records_its_progress_after_every_batch(api_client, user, settings, eager_celery, monkeypatch):
    from contacts.importers import upsert

    monkeypatch.setattr(upsert, "BATCH", 5)
    settings.IMPORT_SYNC_MAX_ROWS = 10
    seen = []
    run = upsert.Upsert.run

    def run_watched(self, rows, total, progress):
        def poll(done, total):
            progress(done, total)
            # What the progress bar reads at this moment, next to what is already imported.
            job = api_client.get(f"/api/v1/imports/{ImportJob.objects.get(owner=user).pk}/").json()
            seen.append((job["status"], job["processed_rows"], job["progress"], Contact.objects.count()))

        return run(self, rows, total, poll)

    monkeypatch.setattr(upsert.Upsert, "run", run_watched)
    with eager_celery(execute=True):
        upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert seen == [
        ("running", 5, 33, 5),
        ("running", 10, 66, 10),
        ("running", 15, 99, 15),
        ("running", 15, 99, 15),
    ]


def test_a_job_that_cannot_be_queued_is_marked_failed_not_a_500(
    api_client, user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from contacts import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.run_import_job, "delay", broker_down)
    settings.IMPORT_SYNC_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 202
    status = api_client.get(response.json()["status_url"]).json()
    assert status["status"] == "failed" and "task queue is unavailable" in status["error"]


@pytest.fixture
def queue_down(monkeypatch):
    """The task queue's broker (Redis) is down: nothing listens where it should be."""
    from config.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")


def test_a_large_import_with_the_queue_down_answers_503_with_retry_after_and_keeps_nothing(
    api_client, user, settings, queue_down
):
    settings.IMPORT_SYNC_MAX_ROWS = 10
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "task queue is unavailable" in response.json()["detail"]
    assert not ImportJob.objects.exists() and not Contact.objects.exists()


def test_a_small_import_with_the_queue_down_still_imports_at_once(api_client, user, queue_down):
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 200 and response.json()["created"] == 15
