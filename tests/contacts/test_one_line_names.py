"""Names are stored on one line, the same whichever way they come in (API, pages, imports, a
backup): every run of whitespace, line breaks and tabs included, is one space, and control and
bidirectional-override characters (which can make a name display as another) are removed.
Multi-line text such as how_we_met keeps its lines."""

import csv
import io
import json

import pytest
from django.urls import reverse

from accounts.text import one_line
from contacts.models import Company, Contact, Tag
from contacts.services import contact_create
from outreach.models import MessageTemplate
from tests.imports.conftest import upload

pytestmark = pytest.mark.django_db

# U+202E (right-to-left override) and U+2066/U+2069 (isolates) are invisible; \x1b a C0 control.
RAW = {
    "first_name": " Ada\r\n\u202eMaria\u2069 ",
    "last_name": "Love\tlace\x1b",
    "title": "Senior\r\nPM",
    "company": "Acme\n\u2066Corp",
}
STORED = {"first_name": "Ada Maria", "last_name": "Love lace", "title": "Senior PM", "company": "Acme Corp"}
HOW_WE_MET = "Met at a meetup.\r\nTalked about pricing."


def _stored(user) -> dict:
    contact = Contact.objects.get(owner=user)
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "company": contact.company.name,
    }


def _via_api_post(user, api_client):
    company = api_client.post("/api/v1/companies/", {"name": RAW["company"]}, format="json").json()
    body = {**RAW, "company": company["id"], "how_we_met": HOW_WE_MET}
    assert api_client.post("/api/v1/contacts/", body, format="json").status_code == 201


def _via_api_patch(user, api_client):
    contact = contact_create(owner=user, first_name="Someone", company=Company.objects.create(owner=user, name="X"))
    Company.objects.filter(pk=contact.company_id).update(name="placeholder")
    response = api_client.patch(f"/api/v1/companies/{contact.company_id}/", {"name": RAW["company"]}, format="json")
    assert response.status_code == 200
    body = {name: RAW[name] for name in ("first_name", "last_name", "title")} | {"how_we_met": HOW_WE_MET}
    assert api_client.patch(f"/api/v1/contacts/{contact.pk}/", body, format="json").status_code == 200


def _via_contact_form(user, client):
    client.force_login(user)
    form = {**RAW, "relationship": "other", "source": "other", "how_we_met": HOW_WE_MET}
    assert client.post(reverse("contact_create"), form).status_code == 302


def _via_csv_import(user, api_client):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["first_name", "last_name", "title", "company", "how_we_met"])
    writer.writerow([RAW["first_name"], RAW["last_name"], RAW["title"], RAW["company"], HOW_WE_MET])
    response = upload(api_client, "csv", text.getvalue().encode())
    assert response.status_code == 200 and response.json()["created"] == 1, response.content[:300]


def _via_backup_restore(user, api_client):
    backup = {
        "format": "coffeechat-backup",
        "version": 1,
        "companies": [{"id": 1, "name": RAW["company"]}],
        "contacts": [
            {"id": 1, "company": 1, "how_we_met": HOW_WE_MET}
            | {name: RAW[name] for name in ("first_name", "last_name", "title")}
        ],
    }
    assert api_client.post("/api/v1/imports/backup/", backup, format="json").status_code == 201


@pytest.mark.parametrize(
    "write", [_via_api_post, _via_api_patch, _via_contact_form, _via_csv_import, _via_backup_restore]
)
def test_a_name_with_line_breaks_and_invisible_characters_is_stored_the_same_by_every_path(
    user, api_client, client, write
):
    write(user, api_client if write is not _via_contact_form else client)
    assert _stored(user) == STORED
    # Free text keeps its lines (the CSV reader and the form hand them on as \n or \r\n).
    assert Contact.objects.get(owner=user).how_we_met.splitlines() == HOW_WE_MET.splitlines()


def test_a_name_of_only_invisible_characters_is_refused_as_empty(user, api_client):
    response = api_client.post("/api/v1/contacts/", {"first_name": "\u202e\u2066 \r\n"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"first_name": ["This field cannot be blank."]}
    assert not Contact.objects.filter(owner=user).exists()


def test_tag_names_are_stored_on_one_line_and_match_their_plain_spelling(user, api_client):
    created = api_client.post("/api/v1/tags/", {"name": "fin\r\n\u202etech"}, format="json")
    assert created.json()["name"] == "fin tech"
    body = {"first_name": "Ada", "tags": ["FIN\ttech\u2069", "fin tech"]}
    contact = api_client.post("/api/v1/contacts/", body, format="json").json()
    assert contact["tags"] == ["fin tech"]
    assert list(Tag.objects.filter(owner=user).values_list("name", flat=True)) == ["fin tech"]


def test_a_template_name_is_stored_on_one_line_and_its_body_keeps_its_lines(user, api_client):
    body = {"name": "Coffee\r\nask\u202e", "kind": "coffee_chat", "subject": "Hi", "body": "Hi {first_name},\n\nBye"}
    response = api_client.post("/api/v1/templates/", body, format="json")
    assert response.status_code == 201, response.content[:300]
    template = MessageTemplate.objects.get(pk=response.json()["id"])
    assert (template.name, template.body) == ("Coffee ask", "Hi {first_name},\n\nBye")


def test_the_account_name_is_stored_on_one_line(user, api_client):
    response = api_client.patch("/api/v1/me/", {"first_name": "Ada\r\n\u202eM", "last_name": "L"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name == "Ada M"


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("  a \t b\r\n\x0bc  ", "a b c"),
        ("a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"),
        ("a\u2066b\u2067c\u2068d\u2069e", "abcde"),
        ("a\x00b\x7fc\x9fd", "abcd"),
        ("a \u202e b", "a b"),
        ("Zoë\u200dJosé 👩\u200d💻", "Zoë\u200dJosé 👩\u200d💻"),  # joiners shape scripts and emoji: kept
        ("", ""),
    ],
)
def test_one_line(raw, stored):
    assert one_line(raw) == stored
    assert json.dumps(one_line(raw))  # always encodable
