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


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _tag_names(contact: Contact) -> list[str]:
    return sorted((t.name for t in contact.tags.all()), key=str.lower)


# How the export writes the fields that are not plain text; any other column is the field's value.
_AS_TEXT = {
    "company": lambda contact: contact.company.name if contact.company else "",
    "tags": lambda contact: tags_encode(_tag_names(contact)),
    "connected_on": lambda contact: _iso(contact.connected_on),
    "reconnect_every_days": lambda contact: str(contact.reconnect_every_days or ""),
    "archived": lambda contact: "true" if contact.archived else "false",
    "referred_by": lambda contact: referrer_key(contact.referred_by),
    "last_contacted_at": lambda contact: _iso(contact.last_contacted_at),
}


def contact_csv_values(contact: Contact) -> dict[str, str]:
    """The contact as text, one entry per CSV column (the vCard's X- properties read them too)."""
    return {name: _AS_TEXT[name](contact) if name in _AS_TEXT else getattr(contact, name) for name in COLUMNS}


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
    tags = _tag_names(contact)
    if tags:
        card.add("categories").value = tags
    extra = contact_csv_values(contact)
    extra["archived"] = "true" if contact.archived else ""  # only an archived contact carries the property
    for field, prop in X_FIELDS.items():
        if extra[field]:
            card.add(prop).value = extra[field]
    return card.serialize()


def contacts_vcf(owner) -> Iterator[str]:
    for contact in contacts_for_export(owner).iterator(chunk_size=CHUNK):
        yield contact_vcard(contact)
