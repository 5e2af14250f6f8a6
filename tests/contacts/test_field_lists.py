"""A contact's fields are declared once (Contact.FIELDS); the API, the CSV, the backup and the
form derive their lists from it, in the order the public formats have always used."""

import pytest
from django.test import Client

from contacts.models import Contact
from contacts.services import contact_create, contact_update
from contacts.signals import contact_cadence_changed
from crm.forms import ContactForm
from tests.factories import digest_day

API_KEYS = [
    "id",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "linkedin_url",
    "company",
    "company_name",
    "title",
    "relationship",
    "source",
    "referred_by",
    "tags",
    "how_we_met",
    "connected_on",
    "reconnect_every_days",
    "last_contacted_at",
    "reconnect_due_at",
    "responsiveness",
    "archived",
    "created_at",
    "updated_at",
]
CSV_HEADER = (
    "first_name,last_name,email,linkedin_url,company,title,relationship,source,tags,how_we_met,"
    "connected_on,reconnect_every_days,archived,referred_by,last_contacted_at"
)


@pytest.fixture
def contact(user):
    return contact_create(owner=user, first_name="Priya", title="PM", reconnect_every_days=30, tags=["mentor"])


def test_every_field_a_contact_holds_is_in_the_one_declaration():
    fields = {f.name for f in Contact._meta.get_fields() if f.concrete or f.many_to_many and not f.auto_created} - {
        "id",
        "owner",
        "created_at",
        "updated_at",
    }
    assert set(Contact.FIELDS) == fields
    assert not set(Contact.EDITABLE_FIELDS) & set(Contact.MAINTAINED_FIELDS)


def test_the_api_shows_a_contacts_fields_in_the_declared_order(api_client, contact):
    assert list(api_client.get(f"/api/v1/contacts/{contact.pk}/").json()) == API_KEYS


def test_the_csv_export_keeps_its_documented_columns(api_client, contact):
    body = b"".join(api_client.get("/api/v1/export/contacts.csv").streaming_content).decode()
    assert body.splitlines()[0] == CSV_HEADER


def test_the_backup_lists_a_contacts_fields_in_the_declared_order(api_client, contact):
    (row,) = api_client.get("/api/v1/export/backup.json").json()["contacts"]
    assert list(row) == [
        "id",
        *(
            name
            for name in API_KEYS[1:-2]
            if name not in ("full_name", "company", "company_name", "referred_by", "tags")
        ),
        "company",
        "created_at",
        "updated_at",
        "referred_by",
        "tags",
    ]


def test_the_contact_form_shows_the_declared_fields_but_the_archive_flag_and_the_referrer(user, contact):
    expected = [name for name in Contact.EDITABLE_FIELDS if name not in ("archived", "referred_by")]
    assert list(ContactForm().fields) == expected
    client = Client()
    client.force_login(user)
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    positions = [html.index(f'name="{name}"') for name in expected]
    assert positions == sorted(positions)


def test_saving_a_contact_unchanged_writes_nothing(api_client, contact):
    before = api_client.get(f"/api/v1/contacts/{contact.pk}/").json()
    response = api_client.patch(
        f"/api/v1/contacts/{contact.pk}/",
        {"title": "PM", "reconnect_every_days": 30, "archived": False, "tags": ["mentor"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["updated_at"] == before["updated_at"]


def test_only_a_changed_cadence_or_archive_flag_reaches_outreach(contact):
    heard = []

    def listener(sender, contact, changed, **kwargs):
        heard.append(changed)

    contact_cadence_changed.connect(listener)
    try:
        contact_update(contact=contact, title="Group PM", reconnect_every_days=30, archived=False)
        assert heard == []
        contact_update(contact=contact, reconnect_every_days=45)
        assert heard == [{"reconnect_every_days"}]
    finally:
        contact_cadence_changed.disconnect(listener)
    contact.refresh_from_db()
    assert contact.title == "Group PM"
    assert contact.reconnect_due_at == digest_day(contact.created_at, 45)
