"""The finding of hardening issue #11, replayed against the production path: gunicorn with two
sync workers and DEBUG off. Four parallel 19.5 MB single-line vCards used to keep both workers
busy past the 30 s timeout; now each is refused within a moment and the site keeps answering."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
HEALTHY_WITHIN = 5.0  # seconds: how long /healthz may take to answer at any moment
# A card whose NOTE is one 19.5 MB line, just under IMPORT_MAX_BYTES (20 MiB).
HOSTILE_VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann A\r\nNOTE:" + b"x" * 19_500_000 + b"\r\nEND:VCARD\r\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class _Session:
    """A logged-in browser's htmx posts, behind a TLS-terminating proxy as in production (every
    request says it came over https)."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        # Django accepts any 32-character secret as the CSRF cookie if the header repeats it.
        self.csrf = uuid.uuid4().hex
        self.cookies = f"sessionid={session_key}; csrftoken={self.csrf}"

    def upload(self, content: bytes, kind: str = "vcard"):
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="contacts.vcf"\r\n'
                "Content-Type: text/vcard\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            **_PROXIED,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": self.cookies,
            "X-CSRFToken": self.csrf,
            "Referer": f"https://{HOST}/import/",
            "Origin": f"https://{HOST}",
            "HX-Request": "true",  # as the Import page's form posts
        }
        return _request(self.port, "POST", "/import/", body, headers, timeout=60)


_PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https"}


def _request(port: int, method: str, path: str, body: bytes | None, headers: dict, timeout: float):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _watch_health(port: int, stop: threading.Event, seen: list) -> None:
    """GET /healthz over and over until told to stop; record how long each took and what it said."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            status, _ = _request(port, "GET", "/healthz", None, _PROXIED, timeout=HEALTHY_WITHIN * 4)
        except OSError as exc:
            status = repr(exc)
        seen.append((round(time.monotonic() - started, 2), status))
        stop.wait(0.1)


# The user and a logged-in session, made as Django's test client logs in; printed for the test.
_LOG_IN = (
    "from django.contrib.auth import get_user_model; from django.test import Client; "
    "client = Client(); client.force_login(get_user_model().objects.create_user('ada')); "
    "print(client.cookies['sessionid'].value)"
)


@pytest.fixture
def production_server(tmp_path):
    """The database as `manage.py release` makes it, a logged-in user, then gunicorn as deployed
    (2 sync workers, timeout 30) with DEBUG off. Only collectstatic is left out: it alone takes
    most of a minute, and the htmx answers and /healthz link no static file."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "REDIS_URL")},
        "DEBUG": "0",
        "SECRET_KEY": "hostile-uploads-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "WHITENOISE_USE_FINDERS": "0",
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
    }
    manage = {"cwd": ROOT, "env": env, "check": True, "timeout": 300, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], **manage)
    subprocess.run([sys.executable, "manage.py", "createcachetable"], **manage)  # the throttles' store
    session_key = subprocess.run([sys.executable, "manage.py", "shell", "-c", _LOG_IN], **manage).stdout.split()[-1]
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")  # a file, not a pipe nobody reads (it could fill and block)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{port}"]
        + ["--workers", "2", "--worker-class", "sync", "--timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _request(port, "GET", "/healthz", None, _PROXIED, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield _Session(port, session_key)
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


@pytest.mark.slow
def test_four_parallel_19_mb_single_line_vcards_are_refused_and_the_site_keeps_answering(production_server):
    session = production_server
    stop, health = threading.Event(), []
    watcher = threading.Thread(target=_watch_health, args=(session.port, stop, health), daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: session.upload(HOSTILE_VCARD), range(4)))
    finally:
        took = time.monotonic() - started
        stop.set()
        watcher.join(timeout=HEALTHY_WITHIN * 5)
    for status, fragment in answers:
        assert status == 200  # htmx gets the outcome as a 200, to swap it in
        assert "Nothing was imported" in fragment
        assert "Line 4: the NOTE property is longer than 65,536 characters" in fragment
    assert took < 30, f"the four uploads took {took:.1f} s"
    assert health, "/healthz was never asked"
    assert all(status == 200 and seconds < HEALTHY_WITHIN for seconds, status in health), health
