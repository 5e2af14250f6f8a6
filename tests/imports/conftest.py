"""Fixtures for import/export/calendar tests: sample files, uploads, an eager Celery."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.data_paths import DATA


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def upload(client, kind: str, content: bytes, name: str = "Connections.csv", **fields):
    """POST a file to /api/v1/imports/<kind>/ as a multipart form."""
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **fields}
    return client.post(f"/api/v1/imports/{kind}/", data, format="multipart")


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The "imports" throttle counts in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_celery(django_capture_on_commit_callbacks):
    """Run queued tasks in-process when the transaction "commits" (the test's on_commit hooks)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield django_capture_on_commit_callbacks
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture
def racing_import(monkeypatch, user):
    """Another import into the same account saves the first new contact just before this one does.

    The database's unique LinkedIn URL per account then refuses this import's bulk insert.
    """
    from contacts.models import Contact

    real_bulk_create = Contact.objects.bulk_create

    def another_import_got_there_first(objs, **kwargs):
        first = objs[0]
        Contact.objects.create(owner=user, first_name=first.first_name, linkedin_url=first.linkedin_url)
        return real_bulk_create(objs, **kwargs)

    monkeypatch.setattr(Contact.objects, "bulk_create", another_import_got_there_first)
