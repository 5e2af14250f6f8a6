"""Mail the user BCCs or forwards to their private address (or uploads as .eml), read with the
standard library's `email` package into a touch, a reply, a "looks sent" offer or an
invitation to schedule (issue #13).

Which message counts: a forwarded original (a `message/rfc822` part, or an inline "Forwarded
message" block) when there is one, else the message itself. Its sender and recipients are
matched to the user's contacts by e-mail: the user's own message (From: their account
address) is outgoing, to its recipients; anyone else's is incoming, from its sender. Whoever is
not a contact goes to the New people list. A `text/calendar` part proposes its start as the
time of the matching ask, confirmed on Today.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.errors import ApplicationError
from contacts.models import Contact
from outreach.models import CaptureOffer, Conversation, Stage, StoredMail, TouchChannel

from .services import CaptureCounts, CapturedMessage, correspondent_seen, message_capture, offer_create

_FORWARD_MARK = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Original Message)\s*-{2,}|Begin forwarded message:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(r"^\s*\**(From|To|Cc|Date|Sent|Subject)\**\s*:\s*(.*)$", re.IGNORECASE)


@dataclass
class Original:
    """The message that counts, with the headers capture reads."""

    sender: tuple[str, str]  # (name, address)
    recipients: list[tuple[str, str]]
    at: datetime
    subject: str
    message_id: str
    text: str
    html: str
    calendars: list[bytes] = field(default_factory=list)


@dataclass
class MailResult:
    counts: CaptureCounts = field(default_factory=CaptureCounts)
    outgoing: bool = False
    contacts: list[str] = field(default_factory=list)
    unknown_people: list[str] = field(default_factory=list)
    stored_mail: int | None = None
    duplicate: bool = False

    def as_dict(self) -> dict:
        return {
            **self.counts.as_dict(),
            "outgoing": self.outgoing,
            "contacts": self.contacts,
            "unknown_people": self.unknown_people,
            "stored_mail": self.stored_mail,
            "duplicate": self.duplicate,
        }


def _addresses(values) -> list[tuple[str, str]]:
    pairs = getaddresses([str(value) for value in values if value])
    return [(name.strip(), address.strip().lower()) for name, address in pairs if "@" in address]


def _date(value, default: datetime) -> datetime:
    if not value:
        return default
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return default
    if moment is None:
        return default
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text = html = ""
    for preference, target in (("plain", "text"), ("html", "html")):
        part = message.get_body(preferencelist=(preference,))
        if part is None:
            continue
        try:
            content = part.get_content()
        except (LookupError, UnicodeDecodeError):
            content = part.get_payload(decode=True).decode("utf-8", errors="replace")
        if target == "text":
            text = content
        else:
            html = content
    if not text and html:
        text = re.sub(r"<[^>]+>", " ", html)
    return text, html


def _calendars(message: EmailMessage) -> list[bytes]:
    found = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            if payload:
                found.append(payload)
    return found


def _key(message_id: str, sender: str, at: datetime, subject: str) -> str:
    if message_id:
        return message_id.strip()[:300]
    digest = hashlib.sha256(f"{sender}\x1f{at.isoformat()}\x1f{subject}".encode()).hexdigest()[:40]
    return f"<{digest}@coffeechat.capture>"


def _from_message(message: EmailMessage, now: datetime) -> Original:
    sender = (_addresses([message.get("From")]) or [("", "")])[0]
    at = _date(message.get("Date"), now)
    subject = str(message.get("Subject") or "")
    text, html = _bodies(message)
    return Original(
        sender=sender,
        recipients=_addresses([message.get("To"), message.get("Cc")]),
        at=at,
        subject=subject,
        message_id=_key(str(message.get("Message-ID") or ""), sender[1], at, subject),
        text=text,
        html=html,
        calendars=_calendars(message),
    )


def _inline_forward(outer: Original, now: datetime) -> Original | None:
    """An inline "---------- Forwarded message ---------" block: its header lines and its body."""
    mark = _FORWARD_MARK.search(outer.text)
    if not mark:
        return None
    headers: dict[str, str] = {}
    lines = outer.text[mark.end() :].lstrip("\r\n").splitlines()
    body_start = len(lines)
    for index, line in enumerate(lines):
        match = _HEADER_LINE.match(line.lstrip("> "))
        if match:
            headers[match.group(1).lower()] = match.group(2).strip()
        elif not line.strip() and headers:
            body_start = index + 1
            break
    if "from" not in headers:
        return None
    sender = (_addresses([headers["from"]]) or [("", "")])[0]
    if not sender[1]:
        return None
    at = _date(headers.get("date") or headers.get("sent"), outer.at)
    subject = headers.get("subject", "")
    return Original(
        sender=sender,
        recipients=_addresses([headers.get("to"), headers.get("cc")]),
        at=at,
        subject=subject,
        message_id=_key("", sender[1], at, subject),
        text="\n".join(lines[body_start:]).strip(),
        html="",
        calendars=outer.calendars,
    )


def parse_mail(raw: bytes, now: datetime | None = None) -> tuple[EmailMessage, Original]:
    """The parsed message and the original that counts (see the module's docstring)."""
    now = now or timezone.now()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    outer = _from_message(message, now)
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            if isinstance(inner, EmailMessage):
                original = _from_message(inner, now)
                original.calendars = original.calendars or outer.calendars
                return message, original
    return message, _inline_forward(outer, now) or outer


def _invitation_start(calendars: list[bytes]) -> tuple[datetime | None, list[str]]:
    """The first event's start (a date alone: 09:00 UTC that day) and its attendees' addresses."""
    import icalendar

    for data in calendars:
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except ValueError:
            continue
        for event in calendar.walk("VEVENT"):
            start = event.decoded("DTSTART", None)
            if start is None:
                continue
            if not isinstance(start, datetime) and isinstance(start, date):
                start = datetime(start.year, start.month, start.day, 9, tzinfo=UTC)
            elif start.tzinfo is None:
                start = start.replace(tzinfo=UTC)
            attendees = event.get("ATTENDEE") or []
            people = [event.get("ORGANIZER"), *(attendees if isinstance(attendees, list) else [attendees])]
            addresses = [str(p).lower().removeprefix("mailto:") for p in people if p]
            return start, addresses
    return None, []


def _is_mail_in(address: str) -> bool:
    local, _, domain = address.partition("@")
    return domain == settings.MAIL_IN_DOMAIN.lower() and local.startswith("in+")


@transaction.atomic
def mail_capture(*, owner, raw: bytes, now: datetime | None = None) -> MailResult:
    """Read one message sent to (or uploaded by) `owner` and record what it shows; the same
    message again (by Message-ID) changes nothing. The original is kept, cut at MAIL_IN_KEEP_BYTES."""
    now = now or timezone.now()
    _, original = parse_mail(raw, now)
    result = MailResult()
    if StoredMail.objects.filter(owner=owner, message_id=original.message_id).exists():
        result.duplicate = True
        return result
    mine = {owner.email.lower()} if owner.email else set()
    result.outgoing = original.sender[1] in mine
    if result.outgoing:
        people = [(n, a) for n, a in original.recipients if a not in mine and not _is_mail_in(a)]
    else:
        people = [original.sender] if original.sender[1] and not _is_mail_in(original.sender[1]) else []
    start, attendees = _invitation_start(original.calendars)
    addresses = {address for _, address in people} | {a for a in attendees if a not in mine and not _is_mail_in(a)}
    by_email = {c.email.lower(): c for c in Contact.objects.filter(owner=owner, email__in=addresses)}
    # Contact e-mails are stored as typed: match case-insensitively those the fast lookup missed.
    for address in addresses - set(by_email):
        contact = Contact.objects.filter(owner=owner, email__iexact=address).first()
        if contact is not None:
            by_email[address] = contact
    contacts = list({c.pk: c for a, c in by_email.items() if a in {p for _, p in people}}.values())
    at = min(original.at, now)
    for name, address in people:
        if address not in by_email:
            correspondent_seen(owner=owner, at=at, source=TouchChannel.EMAIL, name=name, email=address)
            result.unknown_people.append(address)
    touch = None
    captured = CapturedMessage(
        key=f"mail:{original.message_id}"[:300],
        at=at,
        channel=TouchChannel.EMAIL,
        outgoing=result.outgoing,
        contacts=contacts,
        subject=original.subject,
        body=original.text,
    )
    if contacts:
        touch = message_capture(owner=owner, message=captured, counts=result.counts)
        result.contacts = [c.full_name for c in contacts]
    if start is not None:
        invited = list({c.pk: c for c in by_email.values()}.values())
        preference = (Stage.REQUESTED, Stage.SCHEDULED, Stage.PLANNED)  # the ask an invitation most likely answers
        asks = sorted(
            Conversation.objects.filter(owner=owner, contact__in=invited, stage__in=preference).order_by("-created_at"),
            key=lambda ask: preference.index(ask.stage),
        )
        for ask in asks:
            if ask.stage == Stage.SCHEDULED and ask.scheduled_for == start:
                continue
            if offer_create(
                owner=owner, conversation=ask, kind=CaptureOffer.Kind.SCHEDULE, message=captured, scheduled_for=start
            ):
                result.counts.invitations += 1
            break  # one ask per invitation
    keep = settings.MAIL_IN_KEEP_BYTES
    mail = StoredMail.objects.create(
        owner=owner,
        message_id=original.message_id,
        subject=original.subject[:300],
        from_address=original.sender[1][:320],
        sent_at=at,
        text_body=original.text[:keep],
        html_body=original.html[:keep],
        raw=raw[:keep],
        truncated=len(raw) > keep,
        touch=touch,
    )
    result.stored_mail = mail.pk
    return result


EML_MAX_FILES = 20


def eml_upload(*, owner, files) -> list[dict]:
    """Uploaded .eml files, each read as if it had arrived at the mail-in address."""
    if not files:
        raise ApplicationError("Choose one or more .eml files.", field="file")
    if len(files) > EML_MAX_FILES:
        raise ApplicationError(f"Upload at most {EML_MAX_FILES} files at a time.", field="file")
    raws = []
    for upload in files:
        if upload.size > settings.MAIL_IN_MAX_BYTES:
            raise ApplicationError(
                f"{upload.name} is larger than {settings.MAIL_IN_MAX_BYTES // 1_048_576} MB.",
                field="file",
                code=ApplicationError.TOO_LARGE,
            )
        raw = upload.read()
        if b"\x00" in raw[:4096] or not re.search(rb"^(From|Date|Subject|Message-ID)\s*:", raw[:65536], re.I | re.M):
            raise ApplicationError(f"{upload.name} is not an e-mail message (.eml).", field="file")
        raws.append((upload.name, raw))
    # Every file is checked before the first is read in: a bad one refuses the lot.
    with transaction.atomic():
        return [{"file": name, **mail_capture(owner=owner, raw=raw).as_dict()} for name, raw in raws]
