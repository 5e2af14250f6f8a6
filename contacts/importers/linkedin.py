"""LinkedIn's Connections.csv, exactly as LinkedIn exports it.

Newer exports start with a preamble (`Notes:`, a quoted paragraph, a blank line) and have
the columns First Name, Last Name, URL, Email Address, Company, Position, Connected On;
older exports start at the header and lack URL. E-mail is often empty.
"""

from collections.abc import Iterator

from accounts.text import one_line

from .reading import Record, csv_records, find_header, header_key
from .rows import (
    ContactRow,
    RowError,
    RowInvalid,
    check_lengths,
    clean_date,
    clean_email,
    clean_linkedin_url,
)

COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
REQUIRED = ("First Name", "Last Name", "Company", "Position")
LABELS = {
    "first_name": "First Name",
    "last_name": "Last Name",
    "title": "Position",
    "company": "Company",
    "email": "Email Address",
    "linkedin_url": "URL",
}
WHAT = "a LinkedIn Connections.csv"


def read_header(text):
    records = csv_records(text)
    _, columns = find_header(records, required=REQUIRED, known=COLUMNS, what=WHAT)
    return records, columns


def parse(text) -> Iterator[ContactRow | RowError]:
    records, columns = read_header(text)
    for record in records:
        yield _row(record, columns)


def _row(record: Record, columns: dict[str, int]) -> ContactRow | RowError:
    def cell(name: str) -> str:
        index = columns.get(header_key(name))
        return record.cells[index] if index is not None and index < len(record.cells) else ""

    try:
        row = ContactRow(
            line=record.line,
            first_name=one_line(cell("First Name")),
            last_name=one_line(cell("Last Name")),
            company=one_line(cell("Company")),
            title=one_line(cell("Position")),
            email=clean_email(cell("Email Address"), "Email Address"),
            linkedin_url=clean_linkedin_url(cell("URL"), "URL"),
            connected_on=clean_date(cell("Connected On"), "Connected On"),
        )
        if not row.first_name:
            raise RowInvalid("First Name is empty.")
        check_lengths(row, LABELS)
    except RowInvalid as exc:
        return RowError(record.line, str(exc))
    return row
