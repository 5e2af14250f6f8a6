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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("figure", choices=["sweep"])
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
    {"sweep": sweep_figures}[args.figure](args.runs, args.profile)


if __name__ == "__main__":
    main()
