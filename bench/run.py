"""`make bench`: seed a fresh PostgreSQL database at each scale and print every figure of issue
#12 beside its target, with its baseline measured in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/coffeechat_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python -m bench.run --scales 1 4

The database named in BENCH_DATABASE_URL is dropped and recreated at each scale. Web figures
come from gunicorn (2 sync workers, DEBUG off) driven by the Python load generator in
bench/load.py (the same one for the app and its baseline); delivery from two real Celery
workers against Redis and a loopback SMTP sink (aiosmtpd).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coffeechat_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUE = f"bench-{uuid.uuid4().hex[:8]}"
ENV = {
    "DATABASE_URL": DB_URL,
    "REDIS_URL": REDIS_URL,
    "CELERY_QUEUE": QUEUE,
    "DEBUG": "0",
    "SECRET_KEY": "bench-not-secret-" + "x" * 40,
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    # No API throttling in the way of the load generator.
    "THROTTLE_USER": "1000000/minute",
    "THROTTLE_ANON": "1000000/minute",
}
os.environ.update(ENV)

TARGETS = []  # (scale, what, measured, target, met)


def report(scale, what, measured, target, met):
    TARGETS.append((scale, what, measured, target, met))
    print(f"  {'MET ' if met else 'MISS'} {what}: {measured}   (target {target})", flush=True)


def recreate_database():
    parts = urlsplit(DB_URL)
    name = parts.path.lstrip("/")
    admin = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    subprocess.run(["dropdb", "--if-exists", "--force", *admin, name], check=True)
    subprocess.run(["createdb", *admin, name], check=True)


def django_setup():
    import django

    django.setup()


def migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def median_ms(fn, runs=5, before=None):
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- the sweep -----------------------------------------------------------------------------


def bench_sweep(scale):
    from django.db import connection, transaction
    from kombu import Connection

    from bench import seed
    from outreach import reminders, tasks

    def purge():
        with Connection(REDIS_URL) as conn:
            conn.default_channel.client.delete(QUEUE)

    def sweep():
        assert tasks.sweep() == seed.DUE_REMINDERS

    def claim_only():
        total = 0
        while ids := reminders.claim_due_reminders():
            total += len(ids)
        assert total == seed.DUE_REMINDERS

    sweep()  # warm: connections, the broker, imports
    seed.reset_due_claims()
    whole = median_ms(sweep, before=seed.reset_due_claims)
    claim = median_ms(claim_only, before=seed.reset_due_claims)
    planning = median_ms(reminders.plan_missing_digests)
    purge()
    rows = 250_000 * scale
    print(f"  sweep at {rows:,} reminder rows, {seed.DUE_REMINDERS:,} due: whole {whole:.0f} ms, "
          f"claim-only baseline {claim:.0f} ms, digest planning {planning:.0f} ms", flush=True)  # fmt: skip
    report(scale, f"whole sweep at {rows:,} rows (claim-only {claim:.0f} ms)", f"{whole:.0f} ms", "≤ 150 ms",
           whole <= 150)  # fmt: skip

    # EXPLAIN of every query a sweep runs.
    seed.reset_due_claims()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from outreach.models import Reminder

    now = timezone.now()
    users = (
        get_user_model()
        .objects.filter(is_active=True, profile__email_reminders=True, profile__daily_digest=True)
        .exclude(pk__in=Reminder.objects.filter(kind="daily_digest", status="pending").values("owner_id"))
    )
    claim_qs = (
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(status="pending", send_at__lte=now, claimed_at__isnull=True)
        .order_by("send_at", "id")
        .values_list("id", flat=True)[: reminders.CLAIM_BATCH]
    )
    plans = {"digest planning (users without a pending digest)": users, "claim (FOR UPDATE SKIP LOCKED)": claim_qs}
    for title, queryset in plans.items():
        with transaction.atomic():
            plan = queryset.explain(analyze=True, buffers=True)
        print(f"  EXPLAIN (ANALYZE, BUFFERS) {title}:\n" + "\n".join("    " + line for line in plan.splitlines()))
        index_only = "Seq Scan on outreach_reminder" not in plan and "Bitmap Heap Scan on outreach_reminder" not in plan
        report(scale, f"{title} uses an index on reminders", "index scan" if index_only else "seq/bitmap scan",
               "index scan", index_only)  # fmt: skip
    from datetime import timedelta

    with transaction.atomic(), connection.cursor() as cursor:  # the claim as the sweep runs it (one statement)
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + reminders._CLAIM_SQL,
            {"now": now, "stale": now - timedelta(minutes=10), "limit": reminders.CLAIM_BATCH, "pending": "pending"},
        )
        plan = "\n".join(r[0] for r in cursor.fetchall())
        print("  EXPLAIN (ANALYZE, BUFFERS) claim (one UPDATE … RETURNING):\n" + "\n".join(
            "    " + line for line in plan.splitlines()))  # fmt: skip
        index_only = "Seq Scan on outreach_reminder" not in plan and "Bitmap Heap Scan on outreach_reminder" not in plan
        report(scale, "claim UPDATE … RETURNING uses an index on reminders", "index scan" if index_only else
               "seq/bitmap scan", "index scan", index_only)  # fmt: skip
    seed.reset_due_claims()


# --- pages and the API -----------------------------------------------------------------------


def bench_pages(scale, heavy, seconds):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import get_token_model

    from bench import load

    client = Client()
    client.force_login(heavy)
    _, token = get_token_model().objects.create(user=heavy)

    api_client = Client()  # no session: the API figures count token auth alone

    def measure_in_process(path, **headers):
        with CaptureQueriesContext(connection) as queries:
            response = (api_client if headers else client).get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
        return len(queries), len(response.content)

    session = client.cookies["sessionid"].value
    cookie = {"Cookie": f"sessionid={session}"}
    auth = {"Authorization": f"Token {token}"}
    with load.gunicorn(ENV) as base:
        pages = {
            "Today": "/",
            "Follow-ups": "/follow-ups/",
            "Contacts": "/contacts/",
            "Pipeline board": "/pipeline/",
            "Playbook": "/playbook/",
        }
        for name, path in pages.items():
            queries, size = measure_in_process(path)
            stats = load.run(base + path, cookie, seconds=seconds)
            met = queries <= 25 and size <= 150_000 and (name != "Today" or stats["p50"] <= 150)
            report(scale, f"{name} page: queries, HTML, p50",
                   f"{queries} q, {size / 1000:.0f} KB, p50 {stats['p50']:.0f} ms ({stats['rps']:.1f} req/s)",
                   "≤ 25 q, ≤ 150 KB" + (", p50 ≤ 150 ms" if name == "Today" else ""), met)  # fmt: skip

        api_queries, _ = measure_in_process("/api/v1/contacts/?page_size=100", HTTP_AUTHORIZATION=auth["Authorization"])
        api = load.run(base + "/api/v1/contacts/?page_size=100", auth, seconds=seconds)
        bare = load.run(base + "/bench/contacts-bare/", cookie, seconds=seconds)
        ratio = api["rps"] / bare["rps"]
        report(scale, "GET /api/v1/contacts/?page_size=100 vs bare .values() view",
               f"{api['rps']:.1f} vs {bare['rps']:.1f} req/s = {ratio:.2f}×; p50 {api['p50']:.0f} vs "
               f"{bare['p50']:.0f} ms; {api_queries} queries", "≥ 0.5×, ≤ 5 queries",
               ratio >= 0.5 and api_queries <= 5)  # fmt: skip
        dash_queries, _ = measure_in_process("/api/v1/dashboard/", HTTP_AUTHORIZATION=auth["Authorization"])
        dash = load.run(base + "/api/v1/dashboard/", auth, seconds=seconds)
        report(scale, "GET /api/v1/dashboard/", f"{dash_queries} queries, p50 {dash['p50']:.0f} ms",
               "≤ 15 queries, p50 ≤ 50 ms", dash_queries <= 15 and dash["p50"] <= 50)  # fmt: skip


# --- delivery ----------------------------------------------------------------------------------


def bench_delivery(scale, count):
    from django.db import connection

    from bench import load, seed
    from outreach import tasks

    with connection.cursor() as cursor:  # the sweep's 1,000 due rows are out of this picture
        cursor.execute("UPDATE outreach_reminder SET status = 'sent', sent_at = now() WHERE dedupe_key LIKE 'bench:%'")
    with load.smtp_sink() as sink:
        sample = load.sample_message()
        baseline_new = load.smtplib_rate(sink.port, sample, 500, one_connection=False)
        baseline_one = load.smtplib_rate(sink.port, sample, 3000, one_connection=True)
        sink.reset()
        user = seed.seed_deliveries(count)
        env = {
            **ENV,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        with load.celery_workers(env, 2):
            started = time.perf_counter()
            deadline = started + 600
            while sink.count() < count and time.perf_counter() < deadline:
                tasks.sweep()  # what beat does, here every half second
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
        arrived = sink.message_ids()
        duplicates = sum(1 for n in arrived.values() if n > 1)
        from outreach.models import Reminder

        sent = Reminder.objects.filter(owner=user, status="sent").count()
    rate = count / elapsed
    print(
        f"  plain smtplib: {baseline_new:.0f} msg/s (a new connection each), {baseline_one:.0f} msg/s (one connection)"
    )
    report(scale, f"{count:,} due reminders, 2 workers, Redis, loopback SMTP",
           f"{elapsed:.1f} s, {rate:.0f} msg/s = {rate / baseline_one:.0%} of one-connection smtplib; "
           f"{count - len(arrived)} not arrived by the deadline, {duplicates} duplicated, {sent:,} rows sent",
           "< 30 s, ≥ 50 % of one-connection smtplib, 0 lost, 0 duplicated",
           elapsed < 30 and rate >= 0.5 * baseline_one and len(arrived) == count and duplicates == 0)  # fmt: skip


def bench_import(scale):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    try:
        result = subprocess.run(
            [sys.executable, "bench/import_linkedin.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
    except subprocess.TimeoutExpired:
        report(scale, "30,000-row LinkedIn import", "did not finish in 900 s", "< 10 s, < 300 MB", False)
        return
    print("  " + "\n  ".join(result.stdout.strip().splitlines()))
    report(scale, "30,000-row LinkedIn import (see lines above)", "exit 0" if result.returncode == 0 else "exit 1",
           "< 10 s, < 300 MB; re-import ≤ 3 s", result.returncode == 0)  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--seconds", type=float, default=5, help="Load per web figure and side.")
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--no-delivery", action="store_true", help="Skip the delivery figure (run at the first scale).")
    parser.add_argument("--no-import", action="store_true", help="Skip the LinkedIn import (run at the first scale).")
    args = parser.parse_args()
    print(f"Coffeechat bench: {os.cpu_count()} CPUs, scales {args.scales}, database {DB_URL}, redis {REDIS_URL}")
    for n, scale in enumerate(args.scales):
        print(f"\n== {scale}×: {100_000 * scale:,} contacts, {250_000 * scale:,} reminder rows", flush=True)
        recreate_database()
        if n == 0:
            django_setup()
        else:
            from django.db import connections

            connections.close_all()
        migrate()
        from bench import seed

        started = time.perf_counter()
        ids = seed.seed(scale)
        seeded = time.perf_counter() - started
        report(scale, "seed", f"{seeded:.1f} s", "< 2 min at 1×", scale != 1 or seeded < 120)
        bench_sweep(scale)
        bench_pages(scale, ids["heavy"], args.seconds)
        if n == 0 and not args.no_delivery:
            bench_delivery(scale, args.deliveries)
        if n == 0 and not args.no_import:
            bench_import(scale)
    print("\n== Summary")
    for scale, what, measured, target, met in TARGETS:
        print(f"{'MET ' if met else 'MISS'} {scale}× {what}: {measured} (target {target})")
    misses = [t for t in TARGETS if not t[4]]
    print(f"\n{len(TARGETS) - len(misses)} met, {len(misses)} missed (see docs/benchmarks.md for causes).")


if __name__ == "__main__":
    main()
