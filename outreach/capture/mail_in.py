"""The SMTP receiver behind the mail-in address (issue #13), run by `manage.py mail_in`.

RCPT decides: an address other than in+<token>@MAIL_IN_DOMAIN with a live token is refused
with 550 (a rotated token is unknown), a message to two users' addresses with 452, and an
address over its rate (THROTTLE_MAIL_IN, counted in the shared cache) with 450. The server
refuses a message over MAIL_IN_MAX_BYTES with 552 (aiosmtpd's data_size_limit, also announced
as SIZE). Only an accepted message is read and kept; nothing of a refused one is stored.
"""

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from accounts.models import Profile
from config.throttling import ClientRateThrottle

from .mail import mail_capture

logger = logging.getLogger(__name__)


def mail_in_address(profile: Profile) -> str:
    return f"in+{profile.mail_in_token}@{settings.MAIL_IN_DOMAIN}"


def owner_for_address(address: str):
    """The user whose live mail-in address this is, or None."""
    local, _, domain = (address or "").strip().lower().partition("@")
    if domain != settings.MAIL_IN_DOMAIN.lower() or not local.startswith("in+"):
        return None
    token = local.removeprefix("in+")
    if not token:
        return None
    profile = Profile.objects.select_related("user").filter(mail_in_token=token, user__is_active=True).first()
    return profile.user if profile else None


def _within_rate(token_address: str) -> bool:
    return ClientRateThrottle("mail_in", subject=token_address).allow_request(None, None)


def _rcpt(address: str):
    close_old_connections()
    try:
        owner = owner_for_address(address)
        if owner is None:
            return None, "550 5.1.1 No such mailbox"
        if not _within_rate(address.lower()):
            return None, "450 4.7.1 Too many messages for this address; try again later"
        return owner.pk, None
    finally:
        close_old_connections()


def _deliver(owner_id: int, raw: bytes) -> dict:
    from django.contrib.auth import get_user_model

    close_old_connections()
    try:
        owner = get_user_model().objects.get(pk=owner_id)
        return mail_capture(owner=owner, raw=raw).as_dict()
    finally:
        close_old_connections()


class MailInHandler:
    """aiosmtpd handler: every database call runs in a worker thread (sync_to_async)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            owner_id, refusal = await sync_to_async(_rcpt, thread_sensitive=True)(address)
        except Exception:
            logger.exception("mail_in: could not look up %s", address)
            return "451 4.3.0 Temporary failure; try again later"
        if refusal:
            logger.info("mail_in: refused RCPT %s (%s)", address, refusal[:3])
            return refusal
        current = getattr(envelope, "owner_id", None)
        if current is not None and current != owner_id:
            return "452 4.5.3 One Coffeechat address per message"
        envelope.owner_id = owner_id
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        if len(raw) > settings.MAIL_IN_MAX_BYTES:
            return "552 5.3.4 Message too big"
        try:
            result = await sync_to_async(_deliver, thread_sensitive=True)(envelope.owner_id, raw)
        except Exception:
            logger.exception("mail_in: could not read a message for user %s", envelope.owner_id)
            return "451 4.3.0 Could not process the message; try again later"
        logger.info("mail_in: accepted for user %s: %s", envelope.owner_id, result)
        return "250 Message accepted"
