"""The three kinds of file (LinkedIn, Coffeechat CSV, vCard): which parser reads each, and the
whole-file check that runs before anything is written. Everything here reads; nothing writes."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from contacts.models import ImportJob

from . import csv_format, linkedin, vcard
from .reading import check_size, detect_encoding, open_text, text_head
from .rows import ContactRow, RowError

Kind = ImportJob.Kind


@dataclass
class Inspection:
    encoding: str
    total_rows: int | None  # None: only the file's head was checked, its rows are not counted yet


def import_inspect(*, kind: str, fileobj, size: int | None = None, head_only: bool = False) -> Inspection:
    """Check the whole file (size, encoding, header, syntax, field lengths) and count its rows;
    writes nothing. The count reads the file as a stream and builds no rows (a vCard's
    properties are not parsed): `file_rows` does that once, for the import.

    `head_only`: how a web request checks a file too big to import in it (over
    IMPORT_SYNC_MAX_BYTES). Size and encoding are checked for the whole file (a fast decode),
    header, syntax and field lengths for its first IMPORT_SYNC_MAX_BYTES only, so the usual
    mistakes (a wrong file, an endless field near the start) still answer at once; the
    background job checks and counts the rest before it writes anything.

    Raises ImportRejected (code INVALID) or FileTooLarge (code TOO_LARGE) with a message for the user.
    """
    check_size(size)
    encoding = detect_encoding(fileobj)
    text = open_text(fileobj, encoding)
    if head_only:
        text = text_head(text, settings.IMPORT_SYNC_MAX_BYTES)
    if kind == Kind.VCARD:
        total = vcard.count(text, whole=not head_only)
    else:
        records, _ = (linkedin if kind == Kind.LINKEDIN else csv_format).read_header(text)
        total = sum(1 for _ in records)
    fileobj.seek(0)
    return Inspection(encoding=encoding, total_rows=None if head_only else total)


def file_rows(kind: str, fileobj, encoding: str) -> Iterator[ContactRow | RowError]:
    """The file's rows, parsed one at a time (the file is streamed, never read whole)."""
    text = open_text(fileobj, encoding)
    if kind == Kind.LINKEDIN:
        return linkedin.parse(text)
    if kind == Kind.CSV:
        return csv_format.parse(text)
    if kind == Kind.VCARD:
        return vcard.parse(text)
    raise ValueError(f"Unknown import kind {kind!r}")
