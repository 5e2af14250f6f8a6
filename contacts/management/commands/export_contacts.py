from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contacts.exports import contacts_csv, contacts_vcf
from contacts.models import Contact

from ._importing import ProgressBar


class Command(BaseCommand):
    help = "Export a user's contacts as CSV (the import's columns) or vCard, to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--format", choices=["csv", "vcf"], default="csv")
        parser.add_argument("--output", "-o", help="File to write (default: stdout).")

    def handle(self, *args, user, format, output, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        chunks = contacts_csv(owner) if format == "csv" else contacts_vcf(owner)
        total = Contact.objects.filter(owner=owner).count()
        bar = ProgressBar(self.stderr, total, enabled=bool(output))
        with open(output, "w", encoding="utf-8", newline="") if output else _Stdout(self.stdout) as out:
            written = 0
            for index, chunk in enumerate(chunks):
                out.write(chunk)
                written = index if format == "csv" else index + 1
                if written and written % 500 == 0:
                    bar.update(written, total)
            bar.update(total, total)
            bar.close()
        if output:
            self.stderr.write(f"Wrote {total} contacts to {output}.")


class _Stdout:
    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.flush()

    def write(self, text):
        self.stream.write(text, ending="")
