"""Helpers for import/export/calendar tests: sample files and uploads (the eager Celery and the
throttle reset come from tests/conftest.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.data_paths import DATA


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def upload(client, kind: str, content: bytes, name: str = "Connections.csv", **fields):
    """POST a file to /api/v1/imports/<kind>/ as a multipart form."""
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **fields}
    return client.post(f"/api/v1/imports/{kind}/", data, format="multipart")
