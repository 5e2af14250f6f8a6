"""LinkedIn's messages.csv (from "Get a copy of your data", beside Connections.csv), read into
touches, replies and "looks sent" offers (issue #13).

Columns: CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO, RECIPIENT PROFILE
URLS, DATE (`2026-11-11 09:15:40 UTC`), SUBJECT, CONTENT, FOLDER, and in newer files ATTACHMENTS.

The file is checked whole (encoding, header, syntax) with the contacts importers' readers
before anything is written; it is then read into memory (it is at most IMPORT_MAX_BYTES),
because telling the user's own messages from the others' needs every conversation first.
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.errors import ApplicationError
from accounts.models import profile_setting
from accounts.text import one_line
from contacts.importers.jobs import import_job_create, register_job_runner
from contacts.importers.reading import (
    ImportRejected,
    check_size,
    csv_records,
    detect_encoding,
    find_header,
    header_key,
    open_text,
)
from contacts.importers.upsert import lock_account_imports
from contacts.linkedin import normalise_linkedin_url
from contacts.models import Contact, ImportJob
from outreach.models import TouchChannel

from .services import CaptureCounts, CapturedMessage, correspondent_seen, message_capture

COLUMNS = (
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
    "ATTACHMENTS",
)
REQUIRED = ("CONVERSATION ID", "FROM", "SENDER PROFILE URL", "RECIPIENT PROFILE URLS", "DATE", "CONTENT", "FOLDER")
WHAT = "LinkedIn's messages.csv"
BATCH = 500

# Why a message is not captured: the key in `skipped_reasons`, and its words for the user.
SKIP_REASONS = {
    "draft": "drafts (never sent)",
    "sponsored": "sponsored messages",
    "no_profile_url": "senders without a profile URL",
    "group_own_message": "your own messages in group threads",
    "not_yours": "messages you were not part of",
    "unknown_person": "messages with people not in your contacts (see New people)",
}


@dataclass
class Message:
    line: int
    conversation: str
    sender_name: str
    sender_url: str
    recipient_urls: list[str]
    recipient_names: list[str]
    at: datetime | None
    subject: str
    content: str
    folder: str
    title: str


@dataclass
class MessagesResult:
    counts: CaptureCounts = field(default_factory=CaptureCounts)
    skipped: Counter = field(default_factory=Counter)
    unknown_people: dict = field(default_factory=dict)  # url -> name
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    total: int = 0
    dry_run: bool = False
    me: str = ""

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < 100:
            self.errors.append({"row": line, "message": message})

    def as_dict(self) -> dict:
        return {
            "messages": self.total,
            **self.counts.as_dict(),
            "skipped": sum(self.skipped.values()),
            "skipped_reasons": {reason: self.skipped.get(reason, 0) for reason in SKIP_REASONS},
            "unknown_people": len(self.unknown_people),
            "errors": self.errors,
            "error_count": self.error_count,
            "dry_run": self.dry_run,
            "your_profile": self.me,
        }


_MOJIBAKE_MARKS = ("Ã", "â€", "Â")


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ("AmÃ©lie" → "Amélie"), which some exports carry."""
    if not any(mark in text for mark in _MOJIBAKE_MARKS):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _url(value: str) -> str:
    try:
        return normalise_linkedin_url(value)
    except ValidationError:
        return ""


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _date(value: str) -> datetime | None:
    text = value.strip().removesuffix("UTC").strip()
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=dt_timezone.utc)
        except ValueError:
            continue
    return None


def read_messages(fileobj, size: int | None = None) -> list[Message]:
    """Every message of the file, or ImportRejected (nothing written) for a file that is not one."""
    check_size(size)
    encoding = detect_encoding(fileobj)
    records = csv_records(open_text(fileobj, encoding))
    _, columns = find_header(records, required=REQUIRED, known=COLUMNS, what=WHAT, max_scan=3)
    messages = []
    for record in records:

        def cell(name: str) -> str:
            index = columns.get(header_key(name))
            return record.cells[index] if index is not None and index < len(record.cells) else ""

        messages.append(
            Message(
                line=record.line,
                conversation=cell("CONVERSATION ID").strip(),
                sender_name=fix_mojibake(one_line(cell("FROM"))),
                sender_url=_url(cell("SENDER PROFILE URL")),
                recipient_urls=[_url(url) for url in _split(cell("RECIPIENT PROFILE URLS"))],
                recipient_names=[fix_mojibake(one_line(name)) for name in _split(cell("TO"))],
                at=_date(cell("DATE")),
                subject=one_line(cell("SUBJECT")),
                content=cell("CONTENT").replace("\r\n", "\n").strip(),
                folder=cell("FOLDER").strip().upper(),
                title=one_line(cell("CONVERSATION TITLE")),
            )
        )
    fileobj.seek(0)
    return messages


def _participants(message: Message) -> set[str]:
    return {url for url in [message.sender_url, *message.recipient_urls] if url}


def find_own_profile(owner, messages: list[Message], contact_urls: set[str]) -> str:
    """The user's profile: the `linkedin_url` setting, else the one participant present in every
    conversation (a tie broken by who is not a contact). Refuses the file when it cannot tell."""
    setting = profile_setting(owner, "linkedin_url")
    if setting:
        return _url(setting)
    by_conversation: dict[str, set[str]] = {}
    for message in messages:
        if message.folder != "DRAFT" and message.sender_url:
            by_conversation.setdefault(message.conversation, set()).update(_participants(message))
    candidates = set.intersection(*by_conversation.values()) if by_conversation else set()
    if len(candidates) > 1:
        candidates -= contact_urls
    if len(candidates) == 1:
        return candidates.pop()
    raise ImportRejected(
        "Coffeechat cannot tell which profile in this file is yours. Enter your LinkedIn profile URL "
        "in Settings (LinkedIn URL) and import the file again."
    )


def _key(message: Message) -> str:
    digest = hashlib.sha256(
        "\x1f".join([message.conversation, message.at.isoformat(), message.sender_url, message.content]).encode()
    ).hexdigest()[:40]
    return f"linkedin:{digest}"


def _skip_reason(message: Message, me: str, group: bool) -> str | None:
    if message.folder == "DRAFT":
        return "draft"
    if "sponsored" in f"{message.subject} {message.folder} {message.title}".lower():
        return "sponsored"
    if not message.sender_url:
        return "no_profile_url"
    if me not in _participants(message):
        return "not_yours"
    if group and message.sender_url == me:
        return "group_own_message"
    return None


class _Import:
    def __init__(self, owner, messages: list[Message], dry_run: bool):
        self.owner = owner
        self.messages = messages
        self.result = MessagesResult(total=len(messages), dry_run=dry_run)
        self.contacts = {
            contact.linkedin_url: contact
            for contact in Contact.objects.filter(owner=owner).exclude(linkedin_url="").only("pk", "linkedin_url")
        }
        self.result.me = self.me = find_own_profile(owner, messages, set(self.contacts))
        people: dict[str, set[str]] = {}
        for message in messages:
            if message.folder != "DRAFT":
                people.setdefault(message.conversation, set()).update(_participants(message))
        self.groups = {conversation for conversation, urls in people.items() if len(urls) > 2}

    def run_batch(self, batch: list[Message]) -> None:
        for message in batch:
            self._one(message)

    def _one(self, message: Message) -> None:
        result = self.result
        if message.at is None:
            result.add_error(message.line, "DATE is not a date like 2026-11-11 09:15:40 UTC.")
            return
        group = message.conversation in self.groups
        reason = _skip_reason(message, self.me, group)
        if reason:
            result.skipped[reason] += 1
            return
        outgoing = message.sender_url == self.me
        if outgoing:
            names = dict(zip(message.recipient_urls, message.recipient_names, strict=False))
            counterparts = [(url, names.get(url, "")) for url in message.recipient_urls if url and url != self.me]
        else:
            counterparts = [(message.sender_url, message.sender_name)]
        known = [self.contacts[url] for url, _ in counterparts if url in self.contacts]
        for url, name in counterparts:
            if url not in self.contacts:
                result.unknown_people[url] = name
                correspondent_seen(
                    owner=self.owner, at=message.at, source=TouchChannel.LINKEDIN, name=name, linkedin_url=url
                )
        if not known:
            result.skipped["unknown_person"] += 1
            return
        captured = CapturedMessage(
            key=_key(message),
            at=message.at,
            channel=TouchChannel.LINKEDIN,
            outgoing=outgoing,
            contacts=known,
            subject=message.subject,
            body=message.content,
        )
        message_capture(owner=self.owner, message=captured, counts=result.counts)


def import_messages(
    *, owner, fileobj, dry_run: bool = False, size: int | None = None, progress: Callable | None = None
) -> MessagesResult:
    """Import a messages.csv: checked whole first (ImportRejected, nothing written), then written
    batch by batch under the account's import lock (progress after each), or in one transaction
    rolled back for a dry run. Importing the same file again creates nothing."""
    messages = read_messages(fileobj, size)
    messages.sort(key=lambda m: (m.at is None, m.at or datetime.min.replace(tzinfo=dt_timezone.utc), m.line))
    running = _Import(owner, messages, dry_run)
    if dry_run:
        with transaction.atomic():
            running.run_batch(messages)
            transaction.set_rollback(True)
        return running.result
    for start in range(0, len(messages), BATCH):
        with transaction.atomic():
            lock_account_imports(owner)
            running.run_batch(messages[start : start + BATCH])
        if progress:
            progress(min(start + BATCH, len(messages)), len(messages), running.result.as_dict())
    return running.result


def import_messages_upload(*, owner, upload, dry_run: bool = False) -> dict | ImportJob:
    """An uploaded messages.csv: imported now (the result), or over IMPORT_SYNC_MAX_ROWS rows or
    IMPORT_SYNC_MAX_BYTES bytes as a background ImportJob (the job to poll), like the contacts
    imports. A missing or bad file is refused (400/413) with nothing written."""
    if upload is None:
        raise ApplicationError("Choose a file to import.", field="file")
    messages = read_messages(upload.file, upload.size)
    try:
        if upload.size > settings.IMPORT_SYNC_MAX_BYTES or len(messages) > settings.IMPORT_SYNC_MAX_ROWS:
            return import_job_create(
                owner=owner,
                kind=ImportJob.Kind.MESSAGES,
                fileobj=upload.file,
                filename=upload.name,
                dry_run=dry_run,
                total_rows=len(messages),
            )
        return import_messages(owner=owner, fileobj=upload.file, dry_run=dry_run).as_dict()
    except IntegrityError:
        raise ApplicationError(
            "Another import into your account was running at the same time. Nothing was written; "
            "import the file again (it is safe to repeat).",
            field="file",
            code=ApplicationError.CONFLICT,
        ) from None


def _run_job(*, job: ImportJob, fileobj, progress) -> dict:
    return import_messages(owner=job.owner, fileobj=fileobj, dry_run=job.dry_run, progress=progress).as_dict()


register_job_runner(ImportJob.Kind.MESSAGES, _run_job)
