"""Shared by the import_* commands: find the user, show a progress bar, print the result."""

import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.errors import ApplicationError
from contacts.importers.services import import_contacts, import_inspect


class ProgressBar:
    """A one-line text bar on the command's stderr, redrawn at most ten times a second."""

    def __init__(self, stream, total: int, width: int = 30, enabled: bool = True):
        self.stream, self.total, self.width, self.enabled = stream, total, width, enabled
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        total = total or self.total or 1
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = int(self.width * done / total)
        rate = done / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} rows  {rate:,.0f} rows/s", ending=""
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("")
            self.stream.flush()


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to import.")
        parser.add_argument("--user", required=True, help="Username of the account to import into.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, path, user, dry_run, no_progress, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        try:
            with open(path, "rb") as fileobj:
                inspection = import_inspect(kind=self.kind, fileobj=fileobj, size=os.fstat(fileobj.fileno()).st_size)
                bar = ProgressBar(self.stderr, inspection.total_rows, enabled=not no_progress)
                result = import_contacts(
                    owner=owner,
                    kind=self.kind,
                    fileobj=fileobj,
                    dry_run=dry_run,
                    inspection=inspection,
                    progress=bar.update,
                )
                bar.close()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except ApplicationError as exc:  # the file was refused (not CSV, too large, …); nothing written
            raise CommandError(exc.message) from None
        prefix = "Dry run (nothing written): " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.created} created, {result.updated} updated, {result.skipped} unchanged, "
            f"{result.error_count} with errors, {result.job_changes} job changes."
        )
        for error in result.errors:
            self.stdout.write(f"  line {error['row']}: {error['message']}")
