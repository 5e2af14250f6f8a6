"""Focused side-by-side figures on an already seeded bench database (`python -m bench.run` seeds
one; so does `python -m bench.micro --seed`). Each figure times the current code and the
variant it replaced in the same run, alternating, so a busy machine slows both sides alike.

    BENCH_DATABASE_URL=... BENCH_REDIS_URL=... .venv/bin/python -m bench.micro sweep [--profile]
"""

import argparse
import cProfile
import pstats
import statistics
import time

from bench import run  # sets the environment (database, Redis, settings) before Django starts


def alternate(sides: dict, runs: int, before=None) -> dict:
    """Median ms of each side, the sides taking turns run by run."""
    times = {name: [] for name in sides}
    for _ in range(runs):
        for name, fn in sides.items():
            if before:
                before()
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def _claim_select_then_update(now=None, limit=500):
    """The claim before session 2026-12-04: SELECT … FOR UPDATE SKIP LOCKED, then an UPDATE."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from outreach.models import Reminder

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(status="pending", send_at__lte=now)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .order_by("send_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(claimed_at=now)
    return ids


def _sweep_before():
    """The sweep before session 2026-12-04: the two-statement claim, Celery's own argsrepr."""
    from unittest import mock

    from outreach import reminders, tasks

    def queue_sends(ids):
        for start in range(0, len(ids), reminders.SEND_BATCH):
            tasks.send_reminders.apply_async((ids[start : start + reminders.SEND_BATCH],), retry=False)
        return len(ids)

    with (
        mock.patch.object(reminders, "claim_due_reminders", _claim_select_then_update),
        mock.patch.object(tasks, "_queue_sends", queue_sends),
    ):
        return tasks.sweep()


def sweep_figures(runs: int, profile: bool) -> None:
    from kombu import Connection

    from bench import seed
    from outreach import reminders, tasks

    def drain(claim):
        total = 0
        while ids := claim():
            total += len(ids)
        assert total == seed.DUE_REMINDERS, total

    def whole():
        assert tasks.sweep() == seed.DUE_REMINDERS

    seed.reset_due_claims()
    whole()  # warm
    seed.reset_due_claims()
    figures = alternate(
        {
            "claim-only, SELECT then UPDATE (before)": lambda: drain(_claim_select_then_update),
            "claim-only, one UPDATE … RETURNING (now)": lambda: drain(reminders.claim_due_reminders),
            "whole sweep, before (planning, claim, queueing)": lambda: _sweep_before() == seed.DUE_REMINDERS,
            "whole sweep, now": whole,
        },
        runs,
        before=seed.reset_due_claims,
    )
    figures["digest planning alone"] = alternate({"p": reminders.plan_missing_digests}, runs)["p"]
    for name, ms in figures.items():
        print(f"  {name}: {ms:.1f} ms")
    if profile:
        seed.reset_due_claims()
        profiler = cProfile.Profile()
        profiler.runcall(whole)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    with Connection(run.REDIS_URL) as conn:
        conn.default_channel.client.delete(run.QUEUE)
    seed.reset_due_claims()


def delivery_figures(runs: int, profile: bool) -> None:
    """One process delivering `runs` batches of SEND_BATCH rows into the loopback sink, beside
    plain smtplib over one connection into the same sink."""
    from django.conf import settings

    from bench import load, seed
    from outreach import emails, reminders
    from outreach.models import Reminder

    count = runs * reminders.SEND_BATCH
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="mailer").delete()  # an earlier run's
    user = seed.seed_deliveries(count)
    ids = list(Reminder.objects.filter(owner=user).order_by("id").values_list("id", flat=True))
    with load.smtp_sink() as sink:
        one = load.smtplib_rate(sink.port, load.sample_message(), 1000, one_connection=True)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        sink.reset()
        profiler = cProfile.Profile() if profile else None
        # Batches alternate between one commit per message (as before 2026-12-04) and now.
        group = reminders.SEND_GROUP
        elapsed = {1: 0.0, group: 0.0}
        for n, start in enumerate(range(0, count, reminders.SEND_BATCH)):
            batch = ids[start : start + reminders.SEND_BATCH]
            reminders.SEND_GROUP = 1 if n % 2 == 0 else group
            started = time.perf_counter()
            if profiler and reminders.SEND_GROUP == group:
                profiler.runcall(reminders.deliver_reminders, batch)
            else:
                reminders.deliver_reminders(batch)
            elapsed[reminders.SEND_GROUP] += time.perf_counter() - started
        reminders.SEND_GROUP = group
        emails.close_shared_connection()
        arrived = sink.count()
    print(f"  plain smtplib, one connection: {one:.0f} msg/s")
    for size, seconds in elapsed.items():
        print(f"  deliver_reminders, one process, commit per {size} message(s): {count / 2 / seconds:.0f} msg/s")
    print(f"  {arrived} of {count} arrived")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def api_figures(runs: int, profile: bool) -> None:
    """The contacts API list in process (no HTTP server): page 1, a deep page, the cursor's
    first and a deep cursor page, and the bare `.values()` view, taking turns."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from knox.models import get_token_model

    heavy = get_user_model().objects.get(username="heavy")
    _, token = get_token_model().objects.create(user=heavy)
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    bare = Client()
    bare.force_login(heavy)
    deep_cursor = api.get("/api/v1/contacts/", {"cursor": "", "page_size": 100}).json()
    for _ in range(60):
        deep_cursor = api.get(deep_cursor["next"]).json()

    def get(client, path, **params):
        def fetch():
            response = client.get(path, params)
            assert response.status_code == 200, response.status_code

        return fetch

    sides = {
        "bare .values() view, 100 rows": get(bare, "/bench/contacts-bare/"),
        "API ?page_size=100 (page 1)": get(api, "/api/v1/contacts/", page_size=100),
        "API ?page_size=100&page=61": get(api, "/api/v1/contacts/", page_size=100, page=61),
        "API ?cursor=&page_size=100": get(api, "/api/v1/contacts/", cursor="", page_size=100),
        "API cursor at row 6,100": lambda: api.get(deep_cursor["next"]),
    }
    for name, ms in alternate(sides, runs).items():
        print(f"  {name}: {ms:.1f} ms")
    if profile:
        profiler = cProfile.Profile()
        for _ in range(10):
            profiler.runcall(sides["API ?page_size=100 (page 1)"])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("figure", choices=["sweep", "delivery", "api"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--seed", type=int, metavar="SCALE", help="Recreate and seed the database first.")
    args = parser.parse_args()
    if args.seed:
        run.recreate_database()
    run.django_setup()
    if args.seed:
        from bench import seed

        run.migrate()
        seed.seed(args.seed)
    {"sweep": sweep_figures, "delivery": delivery_figures, "api": api_figures}[args.figure](args.runs, args.profile)


if __name__ == "__main__":
    main()
