"""The processes a soak runs: a private redis-server, gunicorn, a Celery worker and beat, and
an SMTP sink inside the orchestrator that counts messages by Message-ID.

Every child starts in its own process group (`start_new_session`) and `Stack.close()` kills
each group, so a failed or interrupted soak leaves nothing running (as in
tests/integration/conftest.py). The redis-server and the sink can be stopped and started
again on the same port: those are two of the faults the soak injects.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# What a supervisor restarts (Redis is stopped and started by the faults themselves).
SUPERVISED = ("gunicorn", "worker", "beat")


def last_words(log: Path) -> str:
    """The last CRITICAL or ERROR line of a log, else its last line."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for line in reversed(lines):
        if "CRITICAL" in line or "Unrecoverable" in line:
            return line[:300]
    return lines[-1][:300] if lines else ""


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def terminate(processes: list[subprocess.Popen], grace: float) -> None:
    """SIGTERM to every process group, then after `grace` seconds SIGKILL to each group (a
    leader that exited may have left children behind in it)."""
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in processes:
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=10)


class SinkHandler:
    """Accepts every message and remembers its Message-ID, recipients and arrival time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, tuple[str, ...], float]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.arrivals.append((str(message["Message-ID"]), tuple(envelope.rcpt_tos), time.time()))
        return "250 OK"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(message_id for message_id, _, _ in self.arrivals)

    def first_arrivals(self) -> dict[str, float]:
        with self.lock:
            first: dict[str, float] = {}
            for message_id, _, at in self.arrivals:
                first.setdefault(message_id, at)
            return first


class Sink:
    """The SMTP server the workers send to; `stop()` closes the port, `start()` reopens it."""

    def __init__(self):
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        # A new controller each time: one that was stopped cannot be started again.
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Stack:
    """The child processes of one soak run, with their logs under `workdir`."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir = workdir
        self.env = env
        self.children: dict[str, subprocess.Popen] = {}
        self.redis_port = free_port()
        self.web_port = free_port()
        self.lock = threading.Lock()
        self.restarts: list[dict] = []
        self._supervisor_stop = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise_loop, name="supervisor", daemon=True)

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def start_supervisor(self) -> None:
        self._supervisor.start()

    def _supervise_loop(self) -> None:
        while not self._supervisor_stop.wait(0.5):
            self.supervise()

    # --- processes -----------------------------------------------------------------------

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.log(name), "ab")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches gunicorn's and Celery's children
        )
        log.close()
        self.children[name] = process
        return process

    def stop(self, name: str, grace: float = 5.0) -> None:
        process = self.children.pop(name, None)
        if process is not None:
            terminate([process], grace)

    def close(self) -> None:
        self._supervisor_stop.set()
        with self.lock:
            children, self.children = list(self.children.values()), {}
        terminate(children, grace=5.0)

    def supervise(self, names: tuple[str, ...] = SUPERVISED) -> None:
        """Restart gunicorn, the worker or beat if one has exited, as the process supervisor
        the README asks for would; each restart is logged with the crash's last words."""
        with self.lock:
            for name in names:
                process = self.children.get(name)
                if process is None or process.poll() is None:
                    continue
                self.restarts.append(
                    {
                        "process": name,
                        "at": time.time(),
                        "exit": process.returncode,
                        "cause": last_words(self.log(name)),
                    }
                )
                self.spawn(name, process.args)

    # --- the services --------------------------------------------------------------------

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def start_redis(self) -> None:
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
        )  # fmt: skip
        wait_for(lambda: reachable(self.redis_port), 10, "redis-server")

    def kill_redis(self) -> None:
        """A crash: no persistence, so every queued and unacknowledged task is lost with it."""
        process = self.children.pop("redis")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_web(self, workers: int) -> None:
        self.spawn(
            "gunicorn",
            [str(BIN / "gunicorn"), "config.wsgi", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.web_port}", "--timeout", "30", "--graceful-timeout", "5", "--no-control-socket"],
        )  # fmt: skip

    def start_celery(self, concurrency: int) -> None:
        self.spawn(
            "worker",
            [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", str(concurrency),
             "--without-mingle", "--without-gossip"],
        )  # fmt: skip
        self.spawn(
            "beat",
            [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
             "--schedule", str(self.workdir / "beat-schedule")],
        )  # fmt: skip

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False
