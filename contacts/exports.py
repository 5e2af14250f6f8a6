"""Taking contacts out: the CSV export (columns documented in contacts.importers.csv_format)
and vCard 3.0 — both stream row by row and both import back unchanged."""

import csv
from collections.abc import Iterator

import vobject

from .importers.csv_format import COLUMNS, neutralise, referrer_label, tags_encode
from .importers.vcard import X_FIELDS
from .models import Contact

CHUNK = 2000


def contacts_for_export(owner):
    """The owner's contacts (archived too), with everything an export row needs in a few queries."""
    return (
        Contact.objects.filter(owner=owner)
        .select_related("company", "referred_by__company")
        .prefetch_related("tags")
        .order_by("id")
    )


def referrer_key(contact: Contact | None) -> str:
    """How an export names a referrer so an import can find them again."""
    if contact is None:
        return ""
    if contact.linkedin_url or contact.email:
        return contact.linkedin_url or contact.email
    return referrer_label(contact.first_name, contact.last_name, contact.company.name if contact.company else "")


def contact_csv_values(contact: Contact) -> dict[str, str]:
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "linkedin_url": contact.linkedin_url,
        "company": contact.company.name if contact.company else "",
        "title": contact.title,
        "relationship": contact.relationship,
        "source": contact.source,
        "tags": tags_encode(sorted((t.name for t in contact.tags.all()), key=str.lower)),
        "how_we_met": contact.how_we_met,
        "connected_on": contact.connected_on.isoformat() if contact.connected_on else "",
        "reconnect_every_days": str(contact.reconnect_every_days or ""),
        "archived": "true" if contact.archived else "false",
        "referred_by": referrer_key(contact.referred_by),
        "last_contacted_at": contact.last_contacted_at.isoformat() if contact.last_contacted_at else "",
    }


class _Echo:
    def write(self, value):
        return value


def contacts_csv(owner) -> Iterator[str]:
    """The CSV lines, header first; every cell is neutralised against formula injection."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for contact in contacts_for_export(owner).iterator(chunk_size=CHUNK):
        values = contact_csv_values(contact)
        yield writer.writerow([neutralise(values[column]) for column in COLUMNS])


def contact_vcard(contact: Contact) -> str:
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    card.add("fn").value = contact.full_name
    if contact.email:
        email = card.add("email")
        email.value = contact.email
        email.type_param = "INTERNET"
    if contact.company:
        card.add("org").value = [contact.company.name]
    if contact.title:
        card.add("title").value = contact.title
    if contact.linkedin_url:
        card.add("url").value = contact.linkedin_url
    if contact.how_we_met:
        card.add("note").value = contact.how_we_met
    tags = sorted((t.name for t in contact.tags.all()), key=str.lower)
    if tags:
        card.add("categories").value = tags
    extra = {
        "relationship": contact.relationship,
        "source": contact.source,
        "connected_on": contact.connected_on.isoformat() if contact.connected_on else "",
        "reconnect_every_days": str(contact.reconnect_every_days or ""),
        "archived": "true" if contact.archived else "",
        "referred_by": referrer_key(contact.referred_by),
        "last_contacted_at": contact.last_contacted_at.isoformat() if contact.last_contacted_at else "",
    }
    for field, prop in X_FIELDS.items():
        if extra[field]:
            card.add(prop).value = extra[field]
    return card.serialize()


def contacts_vcf(owner) -> Iterator[str]:
    for contact in contacts_for_export(owner).iterator(chunk_size=CHUNK):
        yield contact_vcard(contact)
