"""Background imports end to end: real Celery workers against Redis and the test database.

Two workers importing overlapping files for one account create each person once (every
import path takes the account's import lock), and a worker killed mid-job leaves a job that
says `partial`, keeps what it wrote, and is completed by importing the file again.
"""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from contacts.models import Contact, ImportJob
from contacts.tasks import run_import_job
from tests.factories import UserFactory

from .conftest import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


def people_csv(numbers) -> bytes:
    """Coffeechat CSV rows that only an e-mail address identifies."""
    lines = ["first_name,last_name,email"] + [f"Person,{n},person{n}@example.com" for n in numbers]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def owner(transactional_db):
    return UserFactory(username="ada", email="ada@example.com")


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def queue_job(stack, owner, content: bytes, rows: int) -> ImportJob:
    """An import job as an upload makes it, sent to this test's workers' queue."""
    job = ImportJob.objects.create(owner=owner, kind="csv", filename="people.csv", total_rows=rows, content=content)
    run_import_job.apply_async(args=[str(job.pk)], queue=stack.env["CELERY_QUEUE"])
    return job


def wait_done(*jobs, timeout=120):
    def finished():
        return all(ImportJob.objects.get(pk=j.pk).status in ("done", "failed", "partial") for j in jobs)

    wait_for(finished, timeout, "the import jobs did not finish", interval=0.2)


def test_two_workers_importing_overlapping_files_create_each_person_once(owner, stack):
    stack.env["IMPORT_BATCH_ROWS"] = "100"  # many batches each, so the two jobs interleave
    stack.worker()
    stack.worker()
    first = queue_job(stack, owner, people_csv(range(0, 3000)), 3000)
    second = queue_job(stack, owner, people_csv(range(1500, 4500)), 3000)
    wait_done(first, second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("done", "done"), (first.error, second.error)
    emails = list(Contact.objects.filter(owner=owner).values_list("email", flat=True))
    assert len(emails) == 4500
    assert len(set(emails)) == 4500, "a person shared by both files was created twice"
    # Between them the jobs created everyone once; the overlap was found, not duplicated.
    assert first.result["created"] + second.result["created"] == 4500
    assert first.result["skipped"] + second.result["skipped"] == 1500


def test_a_worker_killed_mid_job_leaves_a_partial_job_that_a_second_import_completes(owner, api, stack):
    stack.env["IMPORT_BATCH_ROWS"] = "20"
    worker = stack.worker()
    content = people_csv(range(6000))
    job = queue_job(stack, owner, content, 6000)

    def part_way():
        processed = ImportJob.objects.get(pk=job.pk).processed_rows
        return 200 <= processed < 6000

    wait_for(part_way, 60, "the job never got part-way", interval=0.05)
    stack.kill(worker)  # SIGKILL to the worker and its pool: no chance to record anything
    stack.kill_workers()

    written = Contact.objects.filter(owner=owner).count()
    assert 0 < written < 6000
    with override_settings(IMPORT_JOB_STALL_SECONDS=0):
        body = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert body["status"] == "partial"
    # What it says it wrote is what is there (a batch is counted once committed).
    assert body["result"]["created"] <= written <= body["result"]["created"] + 20

    # Importing the file again completes it: nothing twice.
    stack.worker()
    again = queue_job(stack, owner, content, 6000)
    wait_done(again)
    again.refresh_from_db()
    assert again.status == "done", again.error
    assert again.result["created"] == 6000 - written
    assert again.result["skipped"] == written
    emails = list(Contact.objects.filter(owner=owner).values_list("email", flat=True))
    assert len(emails) == len(set(emails)) == 6000
