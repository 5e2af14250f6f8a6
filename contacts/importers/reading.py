"""Turning an uploaded file into text rows, or refusing it with a message the user can act on.

Everything here reads; nothing writes. A file is checked completely (encoding, header,
CSV syntax, row count) before the first row is imported, so bad input writes nothing.
"""

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from accounts.errors import ApplicationError

CHUNK = 1024 * 1024
HEAD = 64 * 1024


class ImportRejected(ApplicationError):
    """The whole file is refused; nothing was written."""

    def __init__(self, message: str, *, code: str = ApplicationError.INVALID):
        super().__init__(message, field="file", code=code)


class FileTooLarge(ImportRejected):
    def __init__(self, message: str):
        super().__init__(message, code=ApplicationError.TOO_LARGE)


_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (or an Excel .xlsx workbook)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def check_size(size: int | None) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise FileTooLarge(
            f"The file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.1f} MB. "
            "Split it into smaller files and import them one after the other."
        )


def _looks_like_utf16_without_bom(head: bytes) -> str | None:
    """ASCII-heavy UTF-16 has a NUL in every other byte."""
    if len(head) < 4:
        return None
    even = head[0::2]
    odd = head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def detect_encoding(fileobj) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or ASCII-heavy), else Windows-1252/Latin-1.

    Reads the whole file once (in chunks) to be sure it decodes; refuses binary data,
    archives and encodings we cannot read.
    """
    fileobj.seek(0)
    head = fileobj.read(HEAD)
    if not head:
        raise ImportRejected("The file is empty.")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            hint = " If LinkedIn sent you a .zip, unzip it and upload Connections.csv." if magic[:2] == b"PK" else ""
            raise ImportRejected(f"This is {what}, not a CSV file.{hint}")
    if head.startswith(_UTF32_BOMS):
        raise ImportRejected(
            "The file is encoded as UTF-32, which is not supported. Save it as UTF-8 (or UTF-16) and try again."
        )
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        utf16 = _looks_like_utf16_without_bom(head)
        if not utf16:
            raise ImportRejected(
                "The file is not text: it contains binary data or uses an encoding other than "
                "UTF-8, UTF-16 or Latin-1. Export it again as CSV (UTF-8) and upload that."
            )
        candidates = [utf16]
    else:
        # Excel on Windows writes cp1252, a superset of Latin-1's printable characters.
        candidates = ["utf-8", "cp1252", "latin-1"]
    for encoding in candidates:
        if _decodes(fileobj, encoding):
            _refuse_control_characters(head, encoding)
            fileobj.seek(0)
            return encoding
    raise ImportRejected("The file's text encoding is not UTF-8, UTF-16 or Latin-1. Save it as UTF-8 and try again.")


def _decodes(fileobj, encoding: str) -> bool:
    """The whole file decodes; a NUL character anywhere (not only in the head that
    detect_encoding looks at) refuses it, since no text column can hold one."""
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := fileobj.read(CHUNK):
            if "\x00" in decoder.decode(chunk):
                raise ImportRejected(_BINARY)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_BINARY = "The file is not text: it contains binary data. Export it again as CSV and upload that."


def _refuse_control_characters(head: bytes, encoding: str) -> None:
    text = head.decode(encoding, errors="ignore")
    controls = sum(1 for ch in text if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc")
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise ImportRejected("The file is not text: it contains binary data. Export it again as CSV and upload that.")


def open_text(fileobj, encoding: str) -> io.TextIOWrapper:
    """A text stream over the binary file; newline="" so quoted newlines reach the csv module intact."""
    fileobj.seek(0)
    return io.TextIOWrapper(_Unclosable(fileobj), encoding=encoding, newline="")


def text_head(text: io.TextIOBase, characters: int) -> io.StringIO:
    """The stream's first `characters`, cut after the last whole line: a line cut short could
    look like something it is not ("BEGI"). Unless that line is already over the field limit:
    it is kept, to be refused."""
    head = text.read(characters)
    if len(head) == characters:
        end = max(head.rfind("\n"), head.rfind("\r")) + 1
        if end and len(head) - end <= max_field():
            head = head[:end]
    return io.StringIO(head, newline="")


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper read a file it must not close (the upload belongs to Django)."""

    def __init__(self, raw):
        self._raw = raw

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class Record:
    line: int  # the line, as a text editor numbers it, where this record starts
    cells: list[str]


def max_field() -> int:
    """The longest CSV field or vCard property line, in characters (IMPORT_MAX_FIELD_BYTES)."""
    return settings.IMPORT_MAX_FIELD_BYTES


def field_too_long(line: int, what: str) -> ImportRejected:
    return ImportRejected(
        f"Line {line}: {what} is longer than {max_field():,} characters, the most one field may hold. "
        "Shorten it (or remove it) and import the file again."
    )


def csv_records(text: io.TextIOBase) -> Iterator[Record]:
    """Records with the line number they start on; blank lines skipped; CSV syntax errors and
    over-long fields refused."""
    # The csv module stops at the limit while it reads, so an endless field costs no more than
    # a long one. The limit is process-wide: set here, from the setting, before each file.
    csv.field_size_limit(max_field())
    reader = csv.reader(text, strict=False)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise field_too_long(previous + 1, "a field") from None
            raise ImportRejected(f"Line {previous + 1}: this is not valid CSV ({exc}).") from None
        start = previous + 1
        previous = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield Record(line=start, cells=cells)


def header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).lower()


def find_header(
    records: Iterator[Record],
    *,
    required: tuple[str, ...],
    known: tuple[str, ...],
    what: str,
    max_scan: int = 10,
    aliases: dict[str, str] | None = None,
):
    """The first record that names the required columns (after an optional preamble).

    Returns (header record, {column key: index}); refuses the file naming the missing columns.
    """
    best: tuple[int, Record | None, dict[str, int]] = (0, None, {})
    for scanned, record in enumerate(records):
        keys = {}
        for index, cell in enumerate(record.cells):
            key = header_key(cell)
            keys.setdefault((aliases or {}).get(key, key), index)
        found = sum(1 for name in known if header_key(name) in keys)
        if all(header_key(name) in keys for name in required):
            return record, keys
        if found > best[0]:
            best = (found, record, keys)
        if scanned + 1 >= max_scan:
            break
    expected = ", ".join(known)
    if best[1] is None:
        raise ImportRejected(f"This does not look like {what}: no header row with the columns {expected} was found.")
    missing = [name for name in required if header_key(name) not in best[2]]
    raise ImportRejected(
        f"Missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
        f"in the header on line {best[1].line}. Expected the columns {expected}."
    )
