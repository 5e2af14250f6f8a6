"""The bench's tools: gunicorn, a Python load generator, a loopback SMTP sink, plain-smtplib
baselines and Celery workers, each started and stopped by a context manager."""

import contextlib
import http.client
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLIENTS = 2  # concurrent keep-alive connections, as many as gunicorn has workers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listening on {port}")


@contextlib.contextmanager
def _process_group(args, env, log_name):
    log = open(f"/tmp/coffeechat-bench-{log_name}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@contextlib.contextmanager
def gunicorn(env):
    """gunicorn, 2 sync workers, DEBUG off; yields its base URL."""
    port = free_port()
    args = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    with _process_group(args, env, "gunicorn"):
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"


def run(url: str, headers: dict, seconds: float = 5, clients: int = CLIENTS) -> dict:
    """GET `url` from `clients` keep-alive connections for `seconds`: req/s and p50/p95 in ms."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = []
    warm = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    warm.request("GET", path, headers=headers)
    response = warm.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{url}: {response.status}")
    warm.close()
    stop = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1] if len(latencies) > 1 else latencies[0],
        "errors": len(errors),
    }


class Sink:
    """Counts what arrives, by Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids = Counter()
        self.total = 0
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.total += 1
            if message["Message-ID"]:
                self.ids[message["Message-ID"]] += 1
        return "250 OK"

    def reset(self):
        with self.lock:
            self.ids = Counter()
            self.total = 0

    def count(self) -> int:
        with self.lock:
            return len(self.ids)

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(self.ids)


@contextlib.contextmanager
def smtp_sink():
    sink = Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def sample_message() -> bytes:
    """A reminder-sized message (a rendered follow-up e-mail is about 4 KB)."""
    body = ("Follow-up due: send the deck to Priya. " * 2 + "\r\n") * 50
    return (
        "From: reminders@coffeechat.local\r\nTo: mailer@example.com\r\nSubject: Follow-up due\r\n"
        f"Message-ID: <baseline@bench>\r\n\r\n{body}"
    ).encode()


def smtplib_rate(port: int, message: bytes, count: int, one_connection: bool) -> float:
    """Messages per second plain smtplib gets from this machine into the sink."""
    started = time.perf_counter()
    if one_connection:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for _ in range(count):
                smtp.sendmail("reminders@coffeechat.local", ["mailer@example.com"], message)
    else:
        for _ in range(count):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.sendmail("reminders@coffeechat.local", ["mailer@example.com"], message)
    return count / (time.perf_counter() - started)


@contextlib.contextmanager
def celery_workers(env, count: int):
    with contextlib.ExitStack() as stack:
        for n in range(count):
            args = [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "WARNING",
                    "--hostname", f"bench{n}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat"]  # fmt: skip
            stack.enter_context(_process_group(args, env, f"worker{n}"))
        time.sleep(3)  # the workers connect to the broker
        yield
