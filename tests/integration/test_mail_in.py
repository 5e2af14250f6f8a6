"""The mail-in receiver as it runs: `python manage.py mail_in` in its own process against the
test database (PostgreSQL) and the shared throttle store (Redis), driven by the standard
library's smtplib (issue #13). The same messages as tests/capture/test_eml_upload.py."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from accounts.services import mail_in_token_rotate
from outreach.models import CaptureOffer, Conversation, FollowUp, Stage, StoredMail, Touch
from tests.capture import mails
from tests.capture.conftest import seed_scenario
from tests.integration.conftest import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 40_000

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def receiver(django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    """One `manage.py mail_in` for the module, on a free port, killed with its process group."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL so that the receiver process shares the test database")
        db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace("@", f":{db['PASSWORD']}@", 1)
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "MAIL_IN_PORT": str(port),
        "MAIL_IN_DOMAIN": "in.example.test",
        "MAIL_IN_MAX_BYTES": str(MAX_BYTES),
        "THROTTLE_MAIL_IN": "6/min",
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path_factory.mktemp("mail_in") / "mail_in.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "mail_in"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: _listening(port) or process.poll() is not None, timeout=120, message="mail_in did not start")
        assert process.poll() is None, log_path.read_text()
        yield port
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def ada(transactional_db, user, settings):
    settings.MAIL_IN_DOMAIN = "in.example.test"
    return user, seed_scenario(user)


def send(port: int, rcpt: str, raw: bytes, sender: str = mails.ADA):
    """(RCPT reply code, DATA reply code or None)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        smtp.ehlo()
        smtp.mail(sender)
        code, _ = smtp.rcpt(rcpt)
        if code != 250:
            return code, None
        code_data, _ = smtp.data(raw)
        return code, code_data


def send_expecting(port: int, rcpt: str, raw: bytes, exc_code: int):
    with pytest.raises(smtplib.SMTPResponseException) as refused:
        send(port, rcpt, raw)
    assert refused.value.smtp_code == exc_code


def test_an_unknown_address_is_refused_at_rcpt_with_550_and_nothing_is_stored(receiver, ada):
    user, _ = ada
    raw = mails.forwarded_reply("in+nope@in.example.test")
    assert send(receiver, "in+0123456789abcdef@in.example.test", raw) == (550, None)
    assert send(receiver, "someone@elsewhere.test", raw) == (550, None)
    assert StoredMail.objects.count() == Touch.objects.count() == 0


def test_a_message_over_the_limit_is_refused_with_552_and_nothing_is_stored(receiver, ada):
    user, _ = ada
    raw = mails.forwarded_reply(user.profile.mail_in_address) + (b"x" * 70 + b"\r\n") * (MAX_BYTES // 70 + 10)
    code = None
    try:
        code = send(receiver, user.profile.mail_in_address, raw)[1]
    except smtplib.SMTPResponseException as refused:  # the server may also close the session
        code = refused.smtp_code
    except smtplib.SMTPServerDisconnected:
        code = 552
    assert code == 552
    assert StoredMail.objects.count() == 0
    assert Conversation.objects.get(owner=user, contact__email=mails.PRIYA).replied_at is None


def test_a_bccd_outgoing_mail_offers_the_planned_ask_as_sent(receiver, ada):
    user, scenario = ada
    assert send(receiver, user.profile.mail_in_address, mails.bcc_outgoing(user.profile.mail_in_address)) == (250, 250)
    offer = CaptureOffer.objects.get(owner=user)
    assert (offer.kind, offer.conversation_id) == ("sent", scenario["to_marcus"].pk)
    assert Touch.objects.get(owner=user).contacts.get() == scenario["marcus"]
    assert Conversation.objects.get(pk=scenario["to_marcus"].pk).stage == Stage.PLANNED


def test_a_forwarded_reply_stops_the_nudge(receiver, ada):
    user, scenario = ada
    assert send(receiver, user.profile.mail_in_address, mails.forwarded_reply(user.profile.mail_in_address))[1] == 250
    ask = Conversation.objects.get(pk=scenario["to_priya"].pk)
    assert ask.replied_at == mails.REPLIED_ON
    assert not ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN).exists()
    assert StoredMail.objects.get(owner=user).touch.contacts.get() == scenario["priya"]


def test_an_ics_invitation_proposes_scheduling_the_ask(receiver, ada):
    user, scenario = ada
    assert send(receiver, user.profile.mail_in_address, mails.invitation(user.profile.mail_in_address))[1] == 250
    offer = CaptureOffer.objects.get(owner=user, kind="schedule")
    assert offer.conversation_id == scenario["to_priya"].pk and offer.scheduled_for == mails.CHAT_AT
    assert Conversation.objects.get(pk=scenario["to_priya"].pk).stage == Stage.REQUESTED


def test_a_rotated_address_is_refused(receiver, ada):
    user, _ = ada
    old = user.profile.mail_in_address
    mail_in_token_rotate(profile=user.profile)
    assert send(receiver, old, mails.forwarded_reply(old)) == (550, None)
    assert send(receiver, user.profile.mail_in_address, mails.forwarded_reply(old))[1] == 250
    assert StoredMail.objects.filter(owner=user).count() == 1


def test_another_users_address_reaches_only_their_account(receiver, ada, other_user):
    user, scenario = ada
    theirs = seed_scenario(other_user)
    assert send(receiver, other_user.profile.mail_in_address, mails.forwarded_reply("x"))[1] == 250
    assert Conversation.objects.get(pk=scenario["to_priya"].pk).replied_at is None
    assert StoredMail.objects.filter(owner=user).count() == 0
    # The forward came from Ada's address, which is not the other user's: it reads as incoming from Priya.
    assert Conversation.objects.get(pk=theirs["to_priya"].pk).replied_at == mails.REPLIED_ON


def test_one_message_cannot_reach_two_accounts(receiver, ada, other_user):
    user, _ = ada
    with smtplib.SMTP("127.0.0.1", receiver, timeout=60) as smtp:
        smtp.ehlo()
        smtp.mail(mails.ADA)
        assert smtp.rcpt(user.profile.mail_in_address)[0] == 250
        assert smtp.rcpt(other_user.profile.mail_in_address)[0] == 452


def test_an_address_over_its_rate_is_told_to_try_later(receiver, ada):
    user, _ = ada
    codes = []
    with smtplib.SMTP("127.0.0.1", receiver, timeout=60) as smtp:
        smtp.ehlo()
        for _ in range(8):
            smtp.rset()
            smtp.mail(mails.ADA)
            codes.append(smtp.rcpt(user.profile.mail_in_address)[0])
    assert codes[:6] == [250] * 6 and codes[6:] == [450, 450]
    assert StoredMail.objects.count() == 0
