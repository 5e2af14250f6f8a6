"""The Import page's dry run names the first rows it would create or update and imports them
with "Import now" without a second upload; a JSON backup is restored from the web with a
confirmation, into an empty account only (issue #10)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from crm.backup import backup_build
from tests.factories import ContactFactory

from .conftest import sample


@pytest.fixture
def web(user):
    client = Client()
    client.force_login(user)
    return client


def _preview(client, content=None):
    content = content or sample("linkedin_connections.csv")
    data = {"kind": "linkedin", "dry_run": "on", "file": SimpleUploadedFile("Connections.csv", content, "text/csv")}
    return client.post(reverse("import"), data, headers={"HX-Request": "true"})


def _token(html: str) -> str:
    return re.search(r'name="preview" value="([^"]+)"', html).group(1)


def test_the_dry_run_names_the_first_rows_it_would_create(web, user):
    html = _preview(web).content.decode()
    assert "The first rows it would import (of 15)" in html
    assert "Priya Raman" in html and "Shopify" in html and "Marcus Lee" in html
    assert html.count("<td>new</td>") == 10  # the first ten, by name
    assert "Import now" in html
    assert not Contact.objects.exists()


def test_the_dry_run_names_the_rows_it_would_update_and_what_changes(web, user):
    ContactFactory(
        owner=user, first_name="Priya", last_name="Raman", linkedin_url="https://www.linkedin.com/in/priya-raman-pm"
    )
    html = _preview(web).content.decode()
    row = html.split("Priya Raman")[1].split("</tr>")[0]
    assert "update" in row and "title" in row


def test_import_now_imports_the_previewed_file_without_a_second_upload(web, user):
    token = _token(_preview(web).content.decode())
    response = web.post(reverse("import"), {"preview": token}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Import finished" in html and 'data-count="created">15<' in html
    assert Contact.objects.filter(owner=user).count() == 15
    # Used once: a second click imports nothing more and says why.
    again = web.post(reverse("import"), {"preview": token}, headers={"HX-Request": "true"}).content.decode()
    assert "expired" in again
    assert Contact.objects.filter(owner=user).count() == 15


def test_another_user_cannot_import_my_preview(web, other_user):
    token = _token(_preview(web).content.decode())
    intruder = Client()
    intruder.force_login(other_user)
    html = intruder.post(reverse("import"), {"preview": token}, headers={"HX-Request": "true"}).content.decode()
    assert "expired" in html
    assert not Contact.objects.exists()


def test_a_made_up_preview_token_imports_nothing(web):
    response = web.post(reverse("import"), {"preview": "nope"})
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_the_api_dry_run_lists_its_first_rows(api_client):
    data = {"file": SimpleUploadedFile("Connections.csv", sample("linkedin_connections.csv")), "dry_run": "true"}
    body = api_client.post("/api/v1/imports/linkedin/", data, format="multipart").json()
    assert body["first_rows"][0] == {
        "row": 5,
        "action": "create",
        "name": "Priya Raman",
        "company": "Shopify",
        "changes": [],
    }
    assert len(body["first_rows"]) == 10


def _backup_file(data) -> SimpleUploadedFile:
    return SimpleUploadedFile("backup.json", json.dumps(data).encode(), "application/json")


@pytest.fixture
def backup_of_another_account(other_user):
    ContactFactory(owner=other_user, first_name="Grace", last_name="Hopper")
    return backup_build(other_user)


def test_a_backup_is_restored_from_the_web_after_confirming(web, user, backup_of_another_account):
    page = web.get(reverse("backup_restore")).content.decode()
    assert 'data-confirm="Restore this backup' in page and 'name="confirm"' in page
    response = web.post(reverse("backup_restore"), {"file": _backup_file(backup_of_another_account), "confirm": "yes"})
    assert response.status_code == 302
    assert Contact.objects.filter(owner=user, first_name="Grace").exists()


def test_without_the_confirmation_nothing_is_restored(web, user, backup_of_another_account):
    response = web.post(reverse("backup_restore"), {"file": _backup_file(backup_of_another_account)})
    assert response.status_code == 400
    assert not Contact.objects.filter(owner=user).exists()


def test_a_file_that_is_not_json_is_refused_with_a_reason(web, user):
    upload = SimpleUploadedFile("backup.json", b"not json", "application/json")
    response = web.post(reverse("backup_restore"), {"file": upload, "confirm": "yes"})
    assert response.status_code == 400
    assert "not JSON" in response.content.decode()


def test_an_account_with_data_is_not_offered_a_restore_and_refuses_one(web, user, backup_of_another_account):
    ContactFactory(owner=user, first_name="Mine")
    assert 'name="confirm"' not in web.get(reverse("backup_restore")).content.decode()
    response = web.post(reverse("backup_restore"), {"file": _backup_file(backup_of_another_account), "confirm": "yes"})
    assert response.status_code == 400
    assert "already has data" in response.content.decode()
    assert list(Contact.objects.filter(owner=user).values_list("first_name", flat=True)) == ["Mine"]


def test_settings_and_import_link_to_the_restore_page(web):
    url = reverse("backup_restore")
    assert url in web.get(reverse("settings")).content.decode()
    assert url in web.get(reverse("import")).content.decode()


def test_the_restore_page_needs_a_login(db):
    assert Client().get(reverse("backup_restore")).status_code == 302
