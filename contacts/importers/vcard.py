"""vCard 3.0 / 4.0 (.vcf) contacts, read with the `vobject` library.

Standard properties: N (or FN), EMAIL, ORG, TITLE, URL (a LinkedIn profile URL; Apple's
X-SOCIALPROFILE too), NOTE (how we met), CATEGORIES (tags). Coffeechat's own fields travel
as X-COFFEECHAT-* properties so that an export imports back unchanged. Errors name the line
of the card's BEGIN:VCARD.
"""

import re
from collections.abc import Iterator

import vobject

from accounts.text import one_line
from contacts.models import Relationship, Source

from .reading import ImportRejected
from .rows import (
    ContactRow,
    RowError,
    RowInvalid,
    check_lengths,
    clean_bool,
    clean_choice,
    clean_date,
    clean_datetime,
    clean_email,
    clean_linkedin_url,
    clean_positive_int,
)

X_FIELDS = {
    "relationship": "x-coffeechat-relationship",
    "source": "x-coffeechat-source",
    "connected_on": "x-coffeechat-connected-on",
    "reconnect_every_days": "x-coffeechat-reconnect-every-days",
    "archived": "x-coffeechat-archived",
    "referred_by": "x-coffeechat-referred-by",
    "last_contacted_at": "x-coffeechat-last-contacted-at",
}
_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE | re.MULTILINE)


def read_text(text_stream) -> str:
    # vCard files are small next to IMPORT_MAX_BYTES; vobject wants the whole text.
    text = text_stream.read()
    if not _BEGIN.search(text):
        raise ImportRejected("This does not look like a vCard (.vcf) file: it has no BEGIN:VCARD line.")
    return text


def count(text: str) -> int:
    cards = 0
    try:
        for _ in vobject.readComponents(text, ignoreUnreadable=False):
            cards += 1
    except Exception as exc:  # vobject raises ParseError and friends for malformed cards
        raise ImportRejected(f"The vCard file could not be read: {exc}") from None
    return cards


def parse(text: str) -> Iterator[ContactRow | RowError]:
    lines = [text.count("\n", 0, match.start()) + 1 for match in _BEGIN.finditer(text)]
    for index, card in enumerate(vobject.readComponents(text)):
        line = lines[index] if index < len(lines) else index + 1
        if card.name.upper() != "VCARD":
            continue
        try:
            yield _row(card, line)
        except RowInvalid as exc:
            yield RowError(line, str(exc))


def _value(card, name: str) -> str:
    prop = card.contents.get(name)
    if not prop:
        return ""
    value = prop[0].value
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value or "")


def _joined(part) -> str:
    if isinstance(part, list):
        return " ".join(p for p in part if p)
    return part or ""


def _linkedin_url(card) -> str:
    for name in ("url", "x-socialprofile"):
        for prop in card.contents.get(name, []):
            value = str(prop.value or "").strip()
            if "linkedin.com" in value.lower():
                return clean_linkedin_url(value, name.upper())
    return ""


def _row(card, line: int) -> ContactRow:
    first = last = ""
    if "n" in card.contents:
        name = card.contents["n"][0].value
        first, last = one_line(_joined(name.given)), one_line(_joined(name.family))
    if not first:
        full = one_line(_value(card, "fn"))
        if not last and " " in full:
            first, last = full.split(" ", 1)
        else:
            first = full
    if not first:
        first, last = last, ""
    org = card.contents.get("org")
    company = ""
    if org:
        value = org[0].value
        company = one_line(value[0] if isinstance(value, list) and value else str(value or ""))
    tags: list[str] = []
    for prop in card.contents.get("categories", []):
        values = prop.value if isinstance(prop.value, list) else [prop.value]
        tags.extend(one_line(str(v)) for v in values if str(v).strip())
    x = {field: _value(card, prop) for field, prop in X_FIELDS.items()}
    row = ContactRow(
        line=line,
        first_name=first,
        last_name=last,
        email=clean_email(_value(card, "email"), "EMAIL"),
        linkedin_url=_linkedin_url(card),
        company=company,
        title=one_line(_value(card, "title")),
        how_we_met=_value(card, "note"),
        tags=tags,
        relationship=clean_choice(x["relationship"], Relationship, "X-COFFEECHAT-RELATIONSHIP"),
        source=clean_choice(x["source"], Source, "X-COFFEECHAT-SOURCE"),
        connected_on=clean_date(x["connected_on"], "X-COFFEECHAT-CONNECTED-ON"),
        reconnect_every_days=clean_positive_int(x["reconnect_every_days"], "X-COFFEECHAT-RECONNECT-EVERY-DAYS"),
        archived=clean_bool(x["archived"], "X-COFFEECHAT-ARCHIVED"),
        referred_by=x["referred_by"].strip(),
        last_contacted_at=clean_datetime(x["last_contacted_at"], "X-COFFEECHAT-LAST-CONTACTED-AT"),
    )
    if not row.first_name:
        raise RowInvalid("The card has no name (N or FN).")
    check_lengths(
        row, {"first_name": "N (given name)", "last_name": "N (family name)", "title": "TITLE", "company": "ORG"}
    )
    if any(len(tag) > 50 for tag in row.tags):
        raise RowInvalid("A CATEGORIES name is longer than 50 characters.")
    return row
