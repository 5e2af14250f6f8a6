"""Every import path takes the account's import lock: a background job, which commits batch
by batch, sees what another import wrote meanwhile and never creates the same person twice.
A job that stops part-way says `partial`, keeps what it wrote, and a second run completes it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from contacts.importers import upsert
from contacts.importers.services import import_contacts
from contacts.models import Contact, ImportJob
from tests.imports.conftest import upload

pytestmark = pytest.mark.django_db


def people_csv(numbers) -> bytes:
    """Coffeechat CSV rows that only an e-mail address identifies."""
    lines = ["first_name,last_name,email"] + [f"Person,{n},person{n}@example.com" for n in numbers]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def small_batches(monkeypatch, settings):
    monkeypatch.setattr(upsert, "BATCH", 5)
    settings.IMPORT_SYNC_MAX_ROWS = 4  # every file here becomes a background job


def test_a_background_job_sees_what_another_import_wrote_between_its_batches(
    api_client, user, small_batches, eager_celery, monkeypatch
):
    import io

    run = upsert.Upsert.run

    def run_with_a_rival(self, rows, total, progress):
        if not self.lock_each_batch:  # the rival itself: a direct import, left alone
            return run(self, rows, total, progress)

        def after_batch(done, total):
            progress(done, total)
            if done == 5:  # the job's first batch is in: another upload writes people 6..8
                import_contacts(owner=user, kind="csv", fileobj=io.BytesIO(people_csv(range(6, 9))))

        return run(self, rows, total, after_batch)

    monkeypatch.setattr(upsert.Upsert, "run", run_with_a_rival)
    with eager_celery(execute=True):
        response = upload(api_client, "csv", people_csv(range(1, 13)), name="people.csv")
    assert response.status_code == 202
    job = api_client.get(response.json()["status_url"]).json()
    assert job["status"] == "done", job["error"]
    emails = list(Contact.objects.filter(owner=user).values_list("email", flat=True))
    assert len(emails) == len(set(emails)) == 12  # people 6..8 once each, not twice
    assert (job["result"]["created"], job["result"]["skipped"]) == (9, 3)


def test_a_job_that_stops_part_way_is_partial_with_what_it_wrote(
    api_client, user, small_batches, eager_celery, monkeypatch
):
    real_flush = upsert.Upsert._flush
    flushes = []

    def flush_then_fail(self):
        flushes.append(1)
        if len(flushes) == 3:
            raise ConnectionError("the database went away")
        real_flush(self)

    monkeypatch.setattr(upsert.Upsert, "_flush", flush_then_fail)
    content = people_csv(range(1, 21))
    with eager_celery(execute=True):
        upload(api_client, "csv", content, name="people.csv")
    job = ImportJob.objects.get(owner=user)
    body = api_client.get(f"/api/v1/imports/{job.pk}/").json()
    assert body["status"] == "partial"
    assert body["processed_rows"] == 10
    assert body["result"]["created"] == 10 == Contact.objects.filter(owner=user).count()
    assert "import the file again" in body["error"]

    # Running the file again completes it, with nothing twice.
    monkeypatch.setattr(upsert.Upsert, "_flush", real_flush)
    with eager_celery(execute=True):
        response = upload(api_client, "csv", content, name="people.csv")
    again = api_client.get(response.json()["status_url"]).json()
    assert again["status"] == "done"
    assert (again["result"]["created"], again["result"]["skipped"]) == (10, 10)
    assert Contact.objects.filter(owner=user).count() == 20


def test_a_running_job_whose_worker_died_reads_as_partial(api_client, client, user, settings):
    settings.IMPORT_JOB_STALL_SECONDS = 300
    job = ImportJob.objects.create(
        owner=user, kind="csv", status="running", total_rows=100, processed_rows=40, heartbeat_at=timezone.now()
    )
    url = f"/api/v1/imports/{job.pk}/"
    client.force_login(user)
    assert api_client.get(url).json()["status"] == "running"
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        body = api_client.get(url).json()
        page = client.get(f"/import/jobs/{job.pk}/")
    assert body["status"] == "partial"
    assert "40 of 100 rows" in page.content.decode()
