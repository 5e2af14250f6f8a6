"""python manage.py mail_in: the SMTP receiver of the mail-in address (issue #13)."""

import signal
import threading

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand

from outreach.capture.mail_in import MailInHandler


class Command(BaseCommand):
    help = "Receive mail for in+<token>@MAIL_IN_DOMAIN on MAIL_IN_HOST:MAIL_IN_PORT (SMTP) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MAIL_IN_HOST)
        parser.add_argument("--port", type=int, default=settings.MAIL_IN_PORT)

    def handle(self, *args, host, port, **options):
        controller = Controller(
            MailInHandler(),
            hostname=host,
            port=port,
            server_hostname=settings.MAIL_IN_DOMAIN,
            data_size_limit=settings.MAIL_IN_MAX_BYTES,
            decode_data=False,
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"mail_in: receiving for *@{settings.MAIL_IN_DOMAIN} on {host}:{port}", ending="\n")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
