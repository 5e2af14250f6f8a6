"""`make soak`: Coffeechat under load, then under load with faults, checked against what its
clients were told. `make soak-quick` is the 15-second form CI runs.

    .venv/bin/python -m soak.run [--seconds 60] [--users 50]

What it starts (each in its own process group, all stopped on exit or Ctrl-C): a private
redis-server, gunicorn with several sync workers, a Celery worker and beat (a sweep every
second), and an SMTP sink in this process. The database is SOAK_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/coffeechat_soak), dropped and created afresh, prepared
with `manage.py release`, and dropped again at the end (unless --keep).

Two phases of --seconds each, with their own accounts (two clients per account):
`steady` with nothing injected, then `faults` (see soak/faults.py). After each, the workers
get a settle period to deliver what is due, then soak/check.py compares the database with
the clients' ledgers and the sink. The report goes to stdout and var/soak/<time>/report.json
(with every process's log beside it). The exit status is 1 unless, in both phases: no
request failed outside the moments the database connections were being killed, no
acknowledged write is missing, none was written twice, every stage and status is the one
the client was last told, and every reminder due arrived exactly once.
"""

import argparse
import json
import logging
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from soak.faults import Faults
from soak.stack import BIN, ROOT, Sink, Stack, wait_for

# An error whose request was in flight at a DB kill, or started up to this long after it, is
# blamed on the kill: requests already running lose their connection; new ones reconnect.
DB_KILL_GRACE = 2.0
SETTLE_SECONDS = 40  # longest wait for the workers to deliver what is due after the load stops
CLAIM_TIMEOUT = 5  # REMINDER_CLAIM_TIMEOUT_SECONDS: a task lost with Redis is re-claimed this soon
PHASES = ("steady", "faults")
SEED_CONTACTS = ("Priya", "Marcus", "Amélie")
T0 = time.monotonic()


def say(message: str) -> None:
    print(f"soak [{time.monotonic() - T0:5.1f}s] {message}", flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", 60)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("SOAK_USERS", 50)))
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coffeechat_soak"),
    )
    parser.add_argument("--phases", default=",".join(PHASES), help="steady,faults (default both)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


# --- set-up ------------------------------------------------------------------------------


def admin_dsn(database_url: str) -> tuple[str, str]:
    """(a DSN for the server's `postgres` database, the soak database's name)."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def recreate_database(dsn: str, name: str, *, create: bool = True) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def environment(args, stack: Stack, sink: Sink, workdir: Path, run: str) -> dict[str, str]:
    """One environment for every process: production settings (DEBUG off) over plain HTTP."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CACHE_", "CELERY_"))}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": stack.redis_url,
        "CELERY_QUEUE": f"soak-{run}",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "10",
        "REMINDER_SWEEP_SECONDS": "1",
        "REMINDER_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
        # Scaled to the outages injected (at most 6 s): 1, 2, 4, 8, 16 s apart.
        "REMINDER_RETRY_BASE_SECONDS": "1",
        "REMINDER_MAX_ATTEMPTS": "6",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


def create_accounts(phase: str, count: int) -> list[dict]:
    """`count` accounts made the way registration makes them, each with an API token and a few
    contacts, so that every client has someone to write to from its first request."""
    from django.test import override_settings

    from accounts.services import api_token_create, user_register
    from contacts.services import contact_create
    from soak.check import fresh_connection

    fresh_connection()
    accounts = []
    # The soak never logs in with these passwords: a fast hasher spares the machine 2×25 PBKDF2 rounds.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for n in range(count):
            username = f"soak-{phase}-{n}"
            user = user_register(username=username, email=f"{username}@example.com", password=secrets.token_urlsafe())
            _, token = api_token_create(user=user)
            contacts = [contact_create(owner=user, first_name=name, last_name="Seed").pk for name in SEED_CONTACTS]
            accounts.append({"username": username, "token": token, "contacts": contacts})
    return accounts


# --- a phase -----------------------------------------------------------------------------


def run_locust(args, stack: Stack, workdir: Path, phase: str, run: str, accounts: list[dict], faults=None):
    """The load: --users clients for --seconds; returns the clients' ledgers (locust's own
    statistics are left as CSV files beside the logs)."""
    (workdir / f"accounts-{phase}.json").write_text(json.dumps(accounts))
    started = time.time()
    env = {
        **stack.env,
        "SOAK_ACCOUNTS": str(workdir / f"accounts-{phase}.json"),
        "SOAK_LEDGER": str(workdir / f"ledger-{phase}.json"),
        "SOAK_DEADLINE": str(started + args.seconds),
        "SOAK_RUN": run,
    }
    command = [
        str(BIN / "locust"), "-f", str(ROOT / "soak" / "locustfile.py"), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.users), "--run-time", f"{args.seconds}s",
        "--stop-timeout", "10", "--host", f"http://127.0.0.1:{stack.web_port}",
        "--csv", str(workdir / phase), "--only-summary", "--exit-code-on-error", "0",
    ]  # fmt: skip
    name = f"locust-{phase}"
    process = stack.spawn(name, command, env)
    if faults is not None:
        faults.started = started + 2  # locust takes a moment to start its clients
        faults.start()
    try:
        process.wait(timeout=args.seconds + 120)
    finally:
        stack.stop(name)
        if faults is not None:
            faults.stop()
    ledger = workdir / f"ledger-{phase}.json"
    if not ledger.exists():
        raise RuntimeError(f"locust wrote no ledger; see {workdir / (name + '.log')}")
    return json.loads(ledger.read_text())


def latency(ledgers: list[dict], seconds: float) -> dict:
    """Requests, throughput and response times (nearest-rank percentiles) over every request."""
    durations = sorted(d for ledger in ledgers for d in ledger["durations"])

    def percentile(p: float) -> int:
        return round(1000 * durations[max(0, math.ceil(p / 100 * len(durations)) - 1)]) if durations else 0

    return {
        "requests": len(durations),
        "rps": round(len(durations) / seconds, 1),
        "p50_ms": percentile(50),
        "p95_ms": percentile(95),
        "p99_ms": percentile(99),
        "max_ms": percentile(100),
    }


def sample(error: dict) -> str:
    detail = error["detail"]
    if "<title>" in detail:  # Django's HTML error page: its title says enough
        detail = detail.split("<title>", 1)[1].split("</title>", 1)[0]
    return f"{error['request']} -> {error['status']} {detail[:160]}"


def tally(errors: list[dict]) -> list[str]:
    """The errors grouped by request and answer, most frequent first."""
    return [f"{count}× {text}" for text, count in Counter(sample(e) for e in errors).most_common()]


def nearest_fault(moment: float, fault_log: list[dict]) -> str | None:
    """The fault closest to `moment`, to read next to a reminder that arrived twice."""
    if not fault_log:
        return None
    fault = min(fault_log, key=lambda f: min(abs(moment - f["start"]), abs(moment - f["end"])))
    return f"{fault['fault']} at {moment - fault['start']:+.1f}s"


def classify_errors(ledgers: list[dict], fault_log: list[dict]) -> dict:
    """Errors split: in flight during a DB kill (or just after it) versus any other time."""
    kills = [(f["start"], f["end"] + DB_KILL_GRACE) for f in fault_log if f["fault"] == "db_kill"]
    during, otherwise = [], []
    for error in (e for ledger in ledgers for e in ledger["errors"]):
        hit = any(error["start"] <= end and error["end"] >= start for start, end in kills)
        (during if hit else otherwise).append(error)
    return {
        "total": len(during) + len(otherwise),
        "during_db_kills": len(during),
        "otherwise": len(otherwise),
        "kinds_during": tally(during),
        "kinds_otherwise": tally(otherwise),
    }


def run_phase(args, stack: Stack, sink: Sink, workdir: Path, phase: str, run: str, accounts, faults=None) -> dict:
    from soak import check

    usernames = [a["username"] for a in accounts]
    phase_started = time.time()
    ledgers = run_locust(args, stack, workdir, phase, f"{run}{phase}", accounts, faults)
    fault_log = faults.log if faults is not None else []
    settled = check.settle(usernames, SETTLE_SECONDS)
    result = {
        "phase": phase,
        "seconds": args.seconds,
        "users": args.users,
        "load": latency(ledgers, args.seconds),
        "errors": classify_errors(ledgers, fault_log),
        "writes": check.check_writes(ledgers, f"{run}{phase}"),
        "imports": check.check_imports(ledgers),
        "states": check.check_states(ledgers, f"{run}{phase}"),
        "settle_seconds": round(settled, 1),
        "reminders": check.check_reminders(usernames, sink.handler),
        "faults": fault_log,
        "fault_error": repr(faults.error) if faults is not None and faults.error else None,
        "restarts": [r for r in stack.restarts if r["at"] >= phase_started],
    }
    for duplicate in result["reminders"]["duplicated"].values():
        duplicate["nearest_fault"] = nearest_fault(duplicate["first_arrival"], fault_log)
    result["verdict"] = verdict(result)
    return result


# --- the verdict and the report --------------------------------------------------------------


def verdict(result: dict) -> list[str]:
    """What went wrong in a phase (empty: it passed)."""
    problems = []
    if result["errors"]["otherwise"]:
        problems.append(f"{result['errors']['otherwise']} request(s) failed outside the DB kills")
    for kind, w in result["writes"].items():
        for what in ("lost", "duplicated", "phantom"):
            if w[what]:
                problems.append(f"{len(w[what])} {kind} write(s) {what}: {w[what][:5]}")
    for what in ("lost", "duplicated"):
        if result["imports"][what]:
            problems.append(f"{len(result['imports'][what])} imported contact(s) {what}: {result['imports'][what][:5]}")
    states = result["states"]
    for what in ("stage_mismatches", "status_mismatches", "history_mismatches"):
        if states[what]:
            problems.append(f"{len(states[what])} {what.replace('_', ' ')}: {states[what][:5]}")
    r = result["reminders"]
    for what in ("duplicated", "sent_not_arrived", "arrived_not_sent", "still_owed", "failed"):
        if r[what]:
            problems.append(f"{len(r[what])} reminder(s) {what.replace('_', ' ')}: {list(r[what])[:5]}")
    if result["fault_error"]:
        problems.append(f"a fault could not be injected: {result['fault_error']}")
    return problems


def summary(result: dict) -> str:
    load, errors, r = result["load"], result["errors"], result["reminders"]
    writes = result["writes"]
    acknowledged = sum(w["acknowledged"] for w in writes.values())
    lines = [
        f"== {result['phase']}: {result['users']} clients, {result['seconds']} s",
        f"requests {load['requests']} ({load['rps']}/s), p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
        f"p99 {load['p99_ms']} ms, max {load['max_ms']} ms",
        f"errors {errors['total']}: {errors['during_db_kills']} during DB kills, {errors['otherwise']} otherwise",
        *(f"  during kills: {s}" for s in errors["kinds_during"]),
        *(f"  otherwise:    {s}" for s in errors["kinds_otherwise"]),
        f"writes acknowledged {acknowledged} ("
        + ", ".join(f"{k} {w['acknowledged']}" for k, w in writes.items())
        + f"); lost {sum(len(w['lost']) for w in writes.values())}, "
        f"duplicated {sum(len(w['duplicated']) for w in writes.values())}, "
        f"written without an answer {sum(len(w['unanswered']) for w in writes.values())}",
        f"imports: {result['imports']['accounts_imported']} account(s) imported, "
        f"duplicated {len(result['imports']['duplicated'])}, lost {len(result['imports']['lost'])}",
        f"stages checked {result['states']['conversations']} (unknown {result['states']['stage_unknown']}), "
        f"follow-up statuses {result['states']['follow_ups']} (unknown {result['states']['status_unknown']})",
        f"reminders sent {r['sent']} {r['kinds_sent']}, arrived once {r['arrived_once']}, "
        f"duplicated {len(r['duplicated'])}, missing {len(r['sent_not_arrived']) + len(r['still_owed'])}, "
        f"failed {len(r['failed'])}; rows {r['rows']}; settled in {result['settle_seconds']} s",
        f"faults: {', '.join(f['fault'] for f in result['faults']) or 'none'}",
        *(f"restarted {x['process']} (exit {x['exit']}): {x['cause']}" for x in result["restarts"]),
        "PASS" if not result["verdict"] else "FAIL: " + "; ".join(result["verdict"]),
    ]
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------


def start(args, stack: Stack, sink: Sink, workdir: Path) -> None:
    """A fresh database, `release` (as a deploy runs it), Redis and the sink, then gunicorn, the
    worker and beat (not waited for: the accounts are made while they boot)."""
    dsn, name = admin_dsn(args.database_url)
    recreate_database(dsn, name)
    stack.start_redis()
    sink.start()
    release = subprocess.run(
        [sys.executable, "manage.py", "release", "--verbosity", "0"],
        cwd=ROOT,
        env=stack.env,
        stdout=(workdir / "release.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    if release.returncode:
        raise RuntimeError(f"manage.py release failed; see {workdir / 'release.log'}")
    say("database created and released (migrate, createcachetable, collectstatic)")
    stack.start_web(args.web_workers)
    stack.start_celery(concurrency=2)


def main(argv=None) -> int:
    args = parse_args(argv)
    run = secrets.token_hex(3)
    workdir = ROOT / "var" / "soak" / datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True)
    stack, sink = Stack(workdir, {}), Sink()
    stack.env = environment(args, stack, sink, workdir, run)
    os.environ.update(stack.env)  # this process reads the same database through Django
    # Clean up on Ctrl-C and SIGTERM alike, even when started with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    try:
        say(f"logs in {workdir}")
        start(args, stack, sink, workdir)
        import django

        django.setup()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
        phases = args.phases.split(",")
        # While gunicorn and Celery boot: each phase has its own accounts, two clients to each.
        accounts = {phase: create_accounts(phase, max(1, args.users // 2)) for phase in phases}
        wait_for(stack.healthy, 90, "gunicorn's /healthz")
        stack.start_supervisor()
        say("gunicorn, Celery worker and beat up; accounts made")
        for phase in phases:
            say(f"phase {phase}: {args.users} clients for {args.seconds} s")
            faults = None
            if phase == "faults":
                dsn, name = admin_dsn(args.database_url)
                faults = Faults(stack=stack, sink=sink, admin_dsn=dsn, database=name, started=0, seconds=args.seconds)
            results.append(run_phase(args, stack, sink, workdir, phase, run, accounts[phase], faults))
            print(summary(results[-1]), flush=True)
    finally:
        stack.close()
        sink.stop()
        shutil.rmtree(workdir / "static", ignore_errors=True)  # collectstatic's copy: megabytes, never read again
        if not args.keep:
            recreate_database(*admin_dsn(args.database_url), create=False)
    known = {mid for result in results for mid in result["reminders"].pop("message_ids")}
    strangers = sorted(set(sink.handler.message_ids()) - known)
    if strangers:  # mail for no reminder row of this run: nothing else sends to this sink
        say(f"FAIL: {len(strangers)} message(s) at the sink match no reminder row: {strangers[:5]}")
    (workdir / "report.json").write_text(json.dumps(results, indent=2, default=str))
    failed = [r["phase"] for r in results if r["verdict"]]
    say(f"{'FAIL in ' + ', '.join(failed) if failed else 'PASS'} (report: {workdir / 'report.json'})")
    return 1 if failed or strangers or not results else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted; every process stopped")
        sys.exit(130)
