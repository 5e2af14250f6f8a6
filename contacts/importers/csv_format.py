"""Coffeechat's own contacts CSV: what `GET /api/v1/export/contacts.csv` writes and
`POST /api/v1/imports/csv/` reads. An export imported into a fresh account gives the same export.

Columns (header row first, UTF-8, comma-separated, any order; only `first_name` is required,
unknown columns are ignored; an empty cell never clears a value already in Coffeechat):

| column                 | meaning                                                                     |
|------------------------|-----------------------------------------------------------------------------|
| `first_name`           | required                                                                    |
| `last_name`            |                                                                             |
| `email`                | a valid e-mail address                                                      |
| `linkedin_url`         | a LinkedIn profile URL (stored normalised)                                  |
| `company`              | company name; matched case-insensitively, created if new                    |
| `title`                |                                                                             |
| `relationship`         | product_manager, designer, engineer, analyst, recruiter, hiring_manager,     |
|                        | internal_colleague, alumni, other                                           |
| `source`               | linkedin, slack_community, internal, event, referral, cold_email, other     |
| `tags`                 | tag names separated by `;` (a `;` or `\\` inside a name is escaped with `\\`) |
| `how_we_met`           | free text, may span lines                                                   |
| `connected_on`         | date, `YYYY-MM-DD` (or `12 Mar 2024`)                                       |
| `reconnect_every_days` | whole number of days, empty for no cadence                                  |
| `archived`             | `true` / `false`                                                            |
| `referred_by`          | the referrer's LinkedIn URL, else e-mail, else "First Last (Company)"       |
|                        | ("First Last" without a company; a plain unique "First Last" also works)    |
| `last_contacted_at`    | ISO 8601 with offset; only ever moves a contact's date forward              |

Rows match existing contacts by LinkedIn URL, then e-mail, then (first name, last name,
company). Spreadsheet formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return (after any leading `'`) is written with one extra leading `'`, and the
import removes exactly that one quote, so the round trip is lossless.
"""

import re
from collections.abc import Iterator

from accounts.text import one_line
from contacts.models import Contact, Relationship, Source

from .reading import Record, csv_records, find_header
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

# Contact.FIELDS, with the two columns that name things outside the row last (the referrer is
# looked up once every row is in; the last contact only moves a date forward); the reconnect
# due date is not a column: it follows from the cadence.
_LAST = ("referred_by", "last_contacted_at")
# Worked out again from other values, never imported: the reconnect date and the responsiveness
# label (from the contact's asks, issue #14).
_DERIVED = ("reconnect_due_at", "responsiveness")
COLUMNS = (*(name for name in Contact.FIELDS if name not in (*_LAST, *_DERIVED)), *_LAST)
REQUIRED = ("first_name",)
WHAT = "a Coffeechat contacts CSV"

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """Stop spreadsheets from running a cell as a formula (OWASP CSV injection)."""
    return "'" + value if _FORMULA.match(value) else value


def unneutralise(value: str) -> str:
    """Exactly undo `neutralise`."""
    return value[1:] if _NEUTRALISED.match(value) else value


def referrer_label(first: str, last: str, company: str) -> str:
    """How a CSV names a referrer without a LinkedIn URL or e-mail: "First Last (Company)".

    The company tells apart two people with the same name, as the upsert's name key does.
    """
    name = f"{first} {last}".strip()
    return f"{name} ({company})" if company else name


def tags_encode(names) -> str:
    return ";".join(name.replace("\\", "\\\\").replace(";", "\\;") for name in names)


def tags_decode(value: str) -> list[str]:
    names, current, escaped = [], [], False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ";":
            names.append("".join(current))
            current = []
        else:
            current.append(ch)
    names.append("".join(current))
    return [name for name in (one_line(n) for n in names) if name]


# Headers from other tools that mean the same column.
_ALIASES = {
    "first name": "first_name",
    "last name": "last_name",
    "email address": "email",
    "e-mail": "email",
    "url": "linkedin_url",
    "linkedin": "linkedin_url",
    "position": "title",
    "connected on": "connected_on",
}


def read_header(text):
    """The records after the header (which must be the first row) and {column: index}."""
    records = csv_records(text)
    _, columns = find_header(records, required=REQUIRED, known=COLUMNS, what=WHAT, max_scan=1, aliases=_ALIASES)
    return records, columns


def parse(text) -> Iterator[ContactRow | RowError]:
    records, columns = read_header(text)
    for record in records:
        yield _row(record, columns)


def _row(record: Record, columns: dict[str, int]) -> ContactRow | RowError:
    def cell(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(record.cells):
            return ""
        return unneutralise(record.cells[index])

    try:
        row = ContactRow(
            line=record.line,
            first_name=one_line(cell("first_name")),
            last_name=one_line(cell("last_name")),
            email=clean_email(cell("email"), "email"),
            linkedin_url=clean_linkedin_url(cell("linkedin_url"), "linkedin_url"),
            company=one_line(cell("company")),
            title=one_line(cell("title")),
            relationship=clean_choice(cell("relationship"), Relationship, "relationship"),
            source=clean_choice(cell("source"), Source, "source"),
            tags=tags_decode(cell("tags")),
            how_we_met=cell("how_we_met"),
            connected_on=clean_date(cell("connected_on"), "connected_on"),
            reconnect_every_days=clean_positive_int(cell("reconnect_every_days"), "reconnect_every_days"),
            archived=clean_bool(cell("archived"), "archived"),
            referred_by=cell("referred_by").strip(),
            last_contacted_at=clean_datetime(cell("last_contacted_at"), "last_contacted_at"),
        )
        if not row.first_name:
            raise RowInvalid("first_name is empty.")
        check_lengths(row, {})
        if any(len(tag) > 50 for tag in row.tags):
            raise RowInvalid("A tag is longer than 50 characters.")
    except RowInvalid as exc:
        return RowError(record.line, str(exc))
    return row
