"""The faults of the soak's second phase, on a timetable scaled to the phase's length.

- `db_kill`: every connection to the soak database is terminated (pg_terminate_backend), as a
  PostgreSQL restart or failover would; the web workers, the Celery worker and this process
  all lose theirs at once.
- `redis_down`: the private redis-server is killed (no persistence: queued and unacknowledged
  tasks are lost with it) and started again, empty, on the same port.
- `smtp_down`: the SMTP sink closes its port and reopens it.

Each fault is logged with its start and end, so an API error can be matched to it.
"""

import threading
import time

import psycopg

# (share of the phase, fault): spread out so that no two faults overlap.
TIMETABLE = (
    (0.10, "db_kill"),
    (0.20, "redis_down"),
    (0.40, "db_kill"),
    (0.50, "smtp_down"),
    (0.65, "db_kill"),
    (0.75, "redis_down"),
    (0.90, "db_kill"),
)


def outage_seconds(phase_seconds: float) -> float:
    """How long Redis or the sink stays down: a tenth of the phase, between 2 and 6 seconds."""
    return max(2.0, min(6.0, phase_seconds / 10))


class Faults(threading.Thread):
    """Runs the timetable from `started` (epoch seconds); `stop()` ends it early and leaves
    every service up again."""

    def __init__(self, *, stack, sink, admin_dsn: str, database: str, started: float, seconds: float):
        super().__init__(name="faults", daemon=True)
        self.stack, self.sink = stack, sink
        self.admin_dsn, self.database = admin_dsn, database
        self.started, self.seconds = started, seconds
        self.outage = outage_seconds(seconds)
        self.log: list[dict] = []
        self.error: BaseException | None = None
        self._stop_requested = threading.Event()

    def run(self) -> None:
        try:
            for share, fault in TIMETABLE:
                if self._stop_requested.wait(max(0.0, self.started + share * self.seconds - time.time())):
                    return
                getattr(self, fault)()
        except BaseException as exc:  # reported by the orchestrator: a fault that failed to happen
            self.error = exc

    def stop(self) -> None:
        self._stop_requested.set()
        self.join(timeout=30)

    def _record(self, fault: str, start: float, **details) -> None:
        self.log.append({"fault": fault, "start": start, "end": time.time(), **details})

    def db_kill(self) -> None:
        start = time.time()
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            killed = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchone()[0]
        self._record("db_kill", start, connections=killed)

    def redis_down(self) -> None:
        start = time.time()
        self.stack.kill_redis()
        try:
            self._stop_requested.wait(self.outage)
        finally:
            self.stack.start_redis()
        self._record("redis_down", start)

    def smtp_down(self) -> None:
        start = time.time()
        self.sink.stop()
        try:
            self._stop_requested.wait(self.outage)
        finally:
            self.sink.start()
        self._record("smtp_down", start)
