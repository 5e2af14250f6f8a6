"""The e-mails the capture tests send (by SMTP to `manage.py mail_in`) and upload (as .eml):
the same bytes either way, so both paths must have the same outcome."""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from tests.factories import aware

ADA = "ada@example.com"
PRIYA = "priya@example.com"
MARCUS = "marcus@example.com"
STRANGER = "sam.stranger@example.org"

REQUESTED_ON = aware(2026, 11, 20, 10, 0)
REPLIED_ON = aware(2026, 11, 23, 9, 30)
CHAT_AT = aware(2026, 12, 10, 15, 0)


def _wire(message: EmailMessage) -> bytes:
    """The message as mail servers send it (and mail apps save .eml files): CRLF line endings."""
    return message.as_bytes(policy=SMTP)


def _message(sender, to, subject, body, *, at, message_id, cc=None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


def bcc_outgoing(mail_in: str) -> bytes:
    """Ada asks Marcus by e-mail and BCCs her Coffeechat address (Bcc is not in the headers)."""
    message = _message(
        f"Ada Lovelace <{ADA}>",
        f"Marcus Lee <{MARCUS}>",
        "Advice on growth PM work?",
        "Hi Marcus, could I ask you two questions about growth PM work? Advice only.",
        at=aware(2026, 11, 25, 16, 40),
        message_id="<ask-marcus@example.com>",
    )
    return _wire(message)


def priya_reply() -> EmailMessage:
    return _message(
        f"Priya Raman <{PRIYA}>",
        f"Ada Lovelace <{ADA}>",
        "Re: Coffee?",
        "Happy to! Thursday works.",
        at=REPLIED_ON,
        message_id="<reply-priya@example.com>",
    )


def forwarded_reply(mail_in: str) -> bytes:
    """Ada forwards Priya's reply as an attachment (message/rfc822)."""
    outer = _message(
        f"Ada Lovelace <{ADA}>", mail_in, "Fwd: Re: Coffee?", "FYI", at=aware(2026, 11, 23, 12), message_id="<fwd1@x>"
    )
    outer.add_attachment(priya_reply())
    return _wire(outer)


def inline_forwarded_reply(mail_in: str) -> bytes:
    """Ada forwards Priya's reply inline, as Gmail does."""
    body = (
        "See below.\n\n---------- Forwarded message ---------\n"
        f"From: Priya Raman <{PRIYA}>\n"
        "Date: Mon, 23 Nov 2026 09:30:00 +0000\n"
        "Subject: Re: Coffee?\n"
        f"To: Ada Lovelace <{ADA}>\n\n"
        "Happy to! Thursday works.\n"
    )
    return _wire(
        _message(f"Ada <{ADA}>", mail_in, "Fwd: Re: Coffee?", body, at=aware(2026, 11, 23, 12), message_id="<fwd2@x>")
    )


def invitation(mail_in: str) -> bytes:
    """Priya's calendar invitation, forwarded by Ada (a text/calendar part)."""
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
        "UID:chat-1@example.com\r\nDTSTAMP:20261124T120000Z\r\n"
        f"DTSTART:{CHAT_AT:%Y%m%dT%H%M%SZ}\r\nDTEND:20261210T153000Z\r\nSUMMARY:Coffee with Ada\r\n"
        f"ORGANIZER:mailto:{PRIYA}\r\nATTENDEE:mailto:{ADA}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = _message(
        f"Priya Raman <{PRIYA}>",
        f"Ada <{ADA}>",
        "Invitation: Coffee with Ada",
        "You are invited.",
        at=aware(2026, 11, 24, 12),
        message_id="<invite-1@example.com>",
        cc=mail_in,
    )
    message.add_attachment(ics.encode(), maintype="text", subtype="calendar", filename="invite.ics")
    return _wire(message)


def from_stranger(mail_in: str) -> bytes:
    """Someone who is not a contact writes, in HTML with a script in it."""
    message = _message(
        f"Sam Stranger <{STRANGER}>", mail_in, "Hello", "Hi!", at=aware(2026, 11, 26, 8), message_id="<stranger@x.org>"
    )
    message.add_alternative("<p>Hi <strong>Ada</strong>!</p><script>alert('x')</script>", subtype="html")
    return _wire(message)
