"""Helpers for import/export/calendar tests: sample files and uploads (the eager Celery and the
throttle reset come from tests/conftest.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.data_paths import DATA


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def upload(client, kind: str, content: bytes, name: str = "Connections.csv", **fields):
    """POST a file to /api/v1/imports/<kind>/ as a multipart form."""
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **fields}
    return client.post(f"/api/v1/imports/{kind}/", data, format="multipart")


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
