"""Benchmark: import a generated 30,000-row LinkedIn Connections.csv, then import it again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coffeechat DEBUG=1 .venv/bin/python bench/import_linkedin.py

Uses the configured database with a throw-away user (deleted afterwards unless --keep).
Prints rows/s, seconds and peak memory: Python allocations during the import (tracemalloc,
measured on a separate run because tracing slows Python down) and the process's peak RSS.
The speed target lives here, not in the tests: it exits 1 if the first import of --rows
takes longer than --max-seconds (SPEC: 30,000 connections import in seconds).
"""

import argparse
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

FIRST = [
    "Priya",
    "Marcus",
    "Amélie",
    "Daniel",
    "Sofia",
    "Kwame",
    "Li",
    "Rachel",
    "José",
    "Hannah",
    "Arjun",
    "Emily",
    "Olumide",
    "Claire",
    "Tom",
    "Zoë",
    "Søren",
    "Łukasz",
    "Aïcha",
    "Nguyễn",
]
LAST = [
    "Raman",
    "Lee",
    "Tremblay",
    "O'Connor",
    "Nguyen",
    "Mensah",
    "Wei",
    "Goldberg",
    "García",
    "Smith",
    "Patel",
    "Chen",
    "Adeyemi",
    "Dubois",
    "Baker",
    "Müller",
    "Kowalski",
    "Ødegaard",
]
COMPANIES = [
    "Shopify",
    "Wealthsimple",
    "Ubisoft",
    "Wattpad",
    "Cohere",
    "Ritual, Inc.",
    "Clio",
    "League",
    "FreshBooks",
    "Ada Support",
    "Stripe",
    "Figma",
    "Notion",
    '"Quoted" Labs',
    "",
]
POSITIONS = [
    "Product Manager",
    "Senior Product Manager",
    "Product Manager, Growth",
    "Director of Product",
    "UX Researcher",
    "Staff Engineer",
    "Technical Recruiter",
    "Associate Product Manager",
]
PREAMBLE = (
    'Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their connections to see "
    'or download their email address."\r\n\r\n'
)
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


def _quote(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def linkedin_csv(rows: int = 30_000, seed: int = 7) -> bytes:
    """A Connections.csv as LinkedIn writes it (preamble, CRLF, quoting, accents, empty e-mails)."""
    rng = random.Random(seed)
    out = io.StringIO()
    out.write(PREAMBLE + HEADER)
    start = date(2010, 1, 1)
    for n in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = f"{first}-{last}-{n}".lower().replace("'", "").replace(" ", "")
        email = f"person{n}@example.com" if n % 3 == 0 else ""
        connected = (start + timedelta(days=n % 5000)).strftime("%d %b %Y")
        cells = [
            first,
            last,
            f"https://www.linkedin.com/in/{slug}",
            email,
            rng.choice(COMPANIES),
            rng.choice(POSITIONS),
            connected,
        ]
        out.write(",".join(_quote(c) for c in cells) + "\r\n")
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark users and their contacts.")
    parser.add_argument(
        "--max-seconds", type=float, default=60.0, help="Fail if the first import takes longer (default 60)."
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from contacts.importers.services import import_contacts
    from contacts.models import Contact

    data = linkedin_csv(args.rows)
    User = get_user_model()
    stamp = int(time.time())
    users = [User.objects.create(username=f"bench-{stamp}-{i}") for i in range(2)]
    print(f"database: {connection.vendor}; file: {args.rows:,} rows, {len(data) / 1_048_576:.1f} MB")
    try:

        def run(user, label, trace=False):
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            result = import_contacts(owner=user, kind="linkedin", fileobj=io.BytesIO(data))
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if trace else None
            if trace:
                tracemalloc.stop()
            line = (
                f"{label}: {seconds:.2f} s, {args.rows / seconds:,.0f} rows/s — created {result.created}, "
                f"updated {result.updated}, skipped {result.skipped}, errors {result.error_count}"
            )
            if peak is not None:
                line += f"; peak Python memory {peak / 1_048_576:.1f} MB (tracemalloc)"
            print(line)
            return result, seconds

        first, first_seconds = run(users[0], "first import ")
        again, _ = run(users[0], "re-import    ")
        run(users[1], "first import, traced", trace=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the whole process: {rss:.0f} MB")
        assert first.created == args.rows and Contact.objects.filter(owner=users[0]).count() == args.rows
        assert again.created == 0 and again.updated == 0, "re-import must change nothing"
        if first_seconds > args.max_seconds:
            sys.exit(f"too slow: the first import took {first_seconds:.1f} s (target {args.max_seconds:g} s)")
    finally:
        if not args.keep:
            for user in users:
                Contact.objects.filter(owner=user).delete()
                user.delete()


if __name__ == "__main__":
    main()
