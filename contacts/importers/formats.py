"""The three kinds of file (LinkedIn, Coffeechat CSV, vCard): which parser reads each, and the
whole-file check that runs before anything is written. Everything here reads; nothing writes."""

from collections.abc import Iterator
from dataclasses import dataclass

from contacts.models import ImportJob

from . import csv_format, linkedin, vcard
from .reading import check_size, detect_encoding, open_text
from .rows import ContactRow, RowError

Kind = ImportJob.Kind


@dataclass
class Inspection:
    encoding: str
    total_rows: int


def import_inspect(*, kind: str, fileobj, size: int | None = None) -> Inspection:
    """Check the whole file (size, encoding, header, syntax) and count its rows; writes nothing.

    Raises ImportRejected (code INVALID) or FileTooLarge (code TOO_LARGE) with a message for the user.
    """
    check_size(size)
    encoding = detect_encoding(fileobj)
    text = open_text(fileobj, encoding)
    if kind == Kind.VCARD:
        total = vcard.count(vcard.read_text(text))
    elif kind == Kind.LINKEDIN:
        records, _ = linkedin.read_header(text)
        total = sum(1 for _ in records)
    else:
        records, _ = csv_format.read_header(text)
        total = sum(1 for _ in records)
    fileobj.seek(0)
    return Inspection(encoding=encoding, total_rows=total)


def file_rows(kind: str, fileobj, encoding: str) -> Iterator[ContactRow | RowError]:
    """The file's rows, parsed one at a time (the file is streamed, never read whole)."""
    text = open_text(fileobj, encoding)
    if kind == Kind.LINKEDIN:
        return linkedin.parse(text)
    if kind == Kind.CSV:
        return csv_format.parse(text)
    if kind == Kind.VCARD:
        return vcard.parse(vcard.read_text(text))
    raise ValueError(f"Unknown import kind {kind!r}")
