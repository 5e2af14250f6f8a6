"""vCard 3.0 / 4.0 (.vcf) contacts (2.1 too), each card parsed with the `vobject` library.

Standard properties: N (or FN), EMAIL, ORG, TITLE, URL (a LinkedIn profile URL; Apple's
X-SOCIALPROFILE too), NOTE (how we met), CATEGORIES (tags). Coffeechat's own fields travel
as X-COFFEECHAT-* properties so that an export imports back unchanged. Errors name the line
of the card's BEGIN:VCARD.

The file is never read whole: `read_cards` streams it line by line, joins folded lines, and
refuses a property longer than IMPORT_MAX_FIELD_BYTES before it is kept in memory. Counting
the cards is that scan alone; only the import hands each card, once, to vobject.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import vobject

from accounts.text import one_line, truncate
from contacts.models import Relationship, Source

from .reading import ImportRejected, field_too_long, max_field
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
_BEGIN = re.compile(r"BEGIN:VCARD\s*", re.IGNORECASE)
_END = re.compile(r"END:VCARD\s*", re.IGNORECASE)
# A property's name, after an optional group ("item1.URL").
_NAME = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]{1,60})(?=[;:])")
# Pictures and keys: phones export them (often past the field limit), Coffeechat keeps none of
# them, so they are skipped unread instead of refusing the file.
_UNUSED_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_FOLD = (" ", "\t")
_PARAMETERS = 1000  # where a property's name and parameters end, at the latest


@dataclass
class Card:
    line: int  # the line of its BEGIN:VCARD
    lines: list[str] = field(default_factory=list)  # its properties, one unfolded line each
    numbers: list[int] = field(default_factory=list)  # the file line each of them starts on

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def count(text, *, whole: bool = True) -> int:
    """The number of cards: the line scan alone, no property is parsed. `whole=False`: the
    text is the head of a file, whose last card may go on past it."""
    return sum(1 for _ in read_cards(text, whole=whole))


def parse(text) -> Iterator[ContactRow | RowError]:
    """Each card parsed once; a card vobject cannot read is a row error naming its line."""
    for card in read_cards(text):
        try:
            component = vobject.readOne(card.text())
        except Exception as exc:  # vobject raises ParseError and friends for a malformed card
            yield RowError(card.line, _unreadable(card, exc))
            continue
        try:
            yield _row(component, card.line)
        except RowInvalid as exc:
            yield RowError(card.line, str(exc))


def _unreadable(card: Card, exc: Exception) -> str:
    """The error with the file's line number (vobject numbers lines its own way, within the card)."""
    reported = getattr(exc, "lineNumber", None)
    if reported is not None:
        # The card's lines are already unfolded, so vobject's logical lines are ours, one to one.
        numbered = zip(
            vobject.base.getLogicalLines(io.StringIO(card.text()), allowQP=False), card.numbers, strict=False
        )
        for (_, its_number), number in numbered:
            if its_number == reported:
                return f"The card could not be read: {exc.msg} (line {number})."
    return f"The card could not be read: {exc}."


def read_cards(text, *, whole: bool = True) -> Iterator[Card]:
    """Each BEGIN:VCARD … END:VCARD block of the stream, in order.

    Refuses the file (nothing written) when a property is over the field limit, when text
    stands outside any card, when the last card never ends (`whole`: the stream is the whole
    file), or when there is no card at all.
    """
    card, depth, found = None, 0, False
    for number, line in _logical_lines(text, max_field()):
        if card is None:
            if not _BEGIN.fullmatch(line):
                raise _outside(number, line, found)
            card, depth = Card(line=number), 0
        card.lines.append(line)
        card.numbers.append(number)
        if line[0] not in "BbEe":
            continue
        if _BEGIN.fullmatch(line):
            depth += 1  # vCard 2.1's AGENT may hold a card inside a card
        elif _END.fullmatch(line):
            depth -= 1
            if depth == 0:
                found = True
                yield card
                card = None
    if card is not None and whole:
        raise ImportRejected(f"Line {card.line}: the card that begins here has no END:VCARD (was the file cut short?).")
    if not found and card is None:
        raise ImportRejected("This does not look like a vCard (.vcf) file: it has no BEGIN:VCARD line.")


def _outside(number: int, line: str, found: bool) -> ImportRejected:
    shown = truncate(line, 40)
    if not found:
        return ImportRejected(
            f"This does not look like a vCard (.vcf) file: line {number} (“{shown}”) comes before any BEGIN:VCARD."
        )
    return ImportRejected(f"Line {number}: “{shown}” is outside any card (BEGIN:VCARD … END:VCARD).")


def _logical_lines(text, limit: int) -> Iterator[tuple[int, str]]:
    """(line number, unfolded property) for each property but the skipped pictures and keys.

    Reads at most limit + 2 characters at a time, so an endless line is refused (or skipped)
    without ever being held whole. Unfolds as the vCard versions say: a line that starts with a
    space or tab continues the previous one (minus that character); in a quoted-printable
    property (2.1) a line ending in "=" continues on the next (the "=" is a soft line break).
    A blank line ends a property. Kept lean: this loop runs once per line of the file.
    """
    number = start = length = 0
    head: str | None = None  # the open property's first line; None when none is open
    parts: list[str] = []
    skip = soft = mid_line = False
    while piece := text.readline(limit + 2):
        ends = piece[-1] in "\r\n"
        body = piece.rstrip("\r\n") if ends else piece
        if not mid_line:  # else: the rest of an over-long line, part of the same property
            number += 1
            if head is not None and soft and body:
                parts[-1] = parts[-1][:-1]
                length -= 1
            elif head is not None and body[:1] in _FOLD:
                body = body[1:]
            else:
                if head is not None and not skip:
                    yield start, "".join(parts)
                head, parts, length, skip, start = None, [], 0, False, number
                if ends and not body.strip():
                    mid_line = False
                    continue
                head = body
        length += len(body)
        if length > limit and not skip:
            name = _property_name(head)
            if name not in _UNUSED_BINARY:
                raise field_too_long(start, f"the {name} property" if name else "a line")
            skip, parts = True, [""]  # kept no more; [""] so that a soft break has a part to trim
        if not skip:
            parts.append(body)
        soft = _soft_break(body, head)
        mid_line = not ends
    if head is not None and not skip:
        yield start, "".join(parts)


def _soft_break(body: str, head: str) -> bool:
    """A line ending in "=" in a quoted-printable property (its parameters say so) goes on on the
    next line. Only the head's start is searched: parameters are short, a long line is not."""
    return body[-1:] == "=" and "QUOTED-PRINTABLE" in head[:_PARAMETERS].partition(":")[0].upper()


def _property_name(line: str) -> str:
    match = _NAME.match(line)
    return match.group(1).upper() if match else ""


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
