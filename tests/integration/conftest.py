"""Real processes for the reminder integration tests: an SMTP sink on loopback, Celery
workers and beat against Redis, and a private redis-server that a test may stop and start.

Every process is started in its own process group and killed (SIGKILL to the group) in a
finalizer, so a failing test leaves nothing running.
"""

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
SEND_TASKS = {"outreach.tasks.send_reminders", "outreach.tasks.send_reminder"}
SWEEP_DONE = re.compile(rb"Task outreach\.tasks\.sweep_reminders\[[^\]]+\] succeeded")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, message: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s: {message}")


class SinkHandler:
    """Records every accepted message; can refuse with 451 or stall before accepting."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.refuse = 0  # refuse this many next messages with 451 (-1: all)
        self.refusals = 0
        self.stall = False  # hold the next message before answering DATA
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            self.stall = False
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            # The sender died while we held its message: nothing was accepted.
            return "421 4.3.0 Closing, the client went away"
        with self.lock:
            if self.refuse:
                self.refuse -= 1 if self.refuse > 0 else 0
                self.refusals += 1
                return "451 4.3.0 Mailbox temporarily unavailable"
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.messages)


@pytest.fixture
def smtp_sink():
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    handler.release.set()
    controller.stop()


class Stack:
    """Celery workers and beats for one test, sharing one environment."""

    def __init__(self, tmp_path: Path, env: dict):
        self.tmp_path = tmp_path
        self.env = env
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        # Messages held by killed workers: they stay unacknowledged until the visibility
        # timeout (an hour), so they are not "running".
        self.abandoned: set[bytes] = set()

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "ab")
        process = subprocess.Popen(
            [CELERY, "-A", "config", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the pool children
        )
        self.processes.append(process)
        return process

    def worker(self, concurrency: int = 1) -> subprocess.Popen:
        n = len(self.workers) + 1
        process = self._start(
            f"worker{n}",
            [
                "worker",
                "--loglevel", "INFO",
                "--concurrency", str(concurrency),
                "--hostname", f"w{n}-{uuid.uuid4().hex[:6]}@%h",
                "--without-mingle", "--without-gossip", "--without-heartbeat",
            ],
        )  # fmt: skip
        self.workers.append(process)
        return process

    def beat(self) -> subprocess.Popen:
        n = sum(1 for p in self.processes if "beat" in p.args)
        return self._start(
            f"beat{n}", ["beat", "--loglevel", "INFO", "--schedule", str(self.tmp_path / f"beat{n}-schedule")]
        )

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def kill_workers(self) -> None:
        for process in self.workers:
            self.kill(process)
        self.abandoned |= set(self._broker_state()[1])

    def _broker_state(self) -> tuple[list[dict], dict[bytes, dict]]:
        """This test's queued messages and its unacknowledged ones, read in one transaction."""
        queue = self.env["CELERY_QUEUE"]
        client = redis.Redis.from_url(self.env["REDIS_URL"])
        try:
            with client.pipeline(transaction=True) as pipe:
                queued, unacked = pipe.lrange(queue, 0, -1).hgetall("unacked").execute()
        finally:
            client.close()
        # kombu keeps a delivered message in the `unacked` hash as [message, exchange, routing key].
        entries = {tag: json.loads(raw) for tag, raw in unacked.items()}
        return (
            [json.loads(m) for m in queued],
            {tag: entry[0] for tag, entry in entries.items() if queue in entry[1:]},
        )

    def broker_idle(self) -> bool:
        """No send task is waiting in the queue and no task is running. Tasks are acknowledged
        late (config/celery.py), so a task's message stays unacknowledged until it has finished;
        a queued sweep finds nothing to send once no due reminder is pending."""
        queued, unacked = self._broker_state()
        sends = [m for m in queued if m["headers"]["task"] in SEND_TASKS]
        running = [tag for tag in unacked if tag not in self.abandoned]
        return not sends and not running

    def sweeps_finished(self) -> int:
        """How many sweeps the workers have finished (their INFO log line per task)."""
        return sum(len(SWEEP_DONE.findall(log.read_bytes())) for log in self.tmp_path.glob("worker*.log"))

    def stop(self) -> None:
        for process in self.processes:
            self.kill(process)

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.tmp_path.glob("*.log"))


@pytest.fixture
def stack_env(transactional_db, smtp_sink, redis_url):
    """The environment for subprocesses: the test database, Redis, the sink, fast timings."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL so that worker processes share the test database")
    db = connection.settings_dict
    _, port = smtp_sink
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": f"reminders-test-{uuid.uuid4().hex[:8]}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "30",
        "REMINDER_SWEEP_SECONDS": "1",
        "REMINDER_CLAIM_TIMEOUT_SECONDS": "4",
        "REMINDER_RETRY_BASE_SECONDS": "1",
        "REMINDER_MAX_ATTEMPTS": "3",
        "CELERY_VISIBILITY_TIMEOUT": "3600",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = env["DATABASE_URL"].replace("@", f":{db['PASSWORD']}@", 1)
    return env


@pytest.fixture
def stack(stack_env, tmp_path, request):
    stack = Stack(tmp_path, stack_env)
    yield stack
    stack.stop()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        print(stack.logs())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class RedisServer:
    def __init__(self, port: int, tmp_path: Path):
        self.port = port
        self.tmp_path = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/4"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        wait_for(self.reachable, 10, "redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def reachable(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False


@pytest.fixture
def own_redis(tmp_path):
    """A private redis-server (no persistence) that the test may stop and start."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()
