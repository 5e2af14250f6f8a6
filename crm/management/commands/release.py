"""`python manage.py release`: everything a deploy needs before the new code serves (the
Procfile's release step). Safe to run on every release: each step is idempotent."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Prepare a deploy: apply migrations, create the cache table, collect static files."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=verbosity)
        call_command("createcachetable", verbosity=verbosity)
        # With DEBUG off, pages link to hashed file names from the manifest collectstatic writes;
        # without it every page fails with "Missing staticfiles manifest entry".
        call_command("collectstatic", interactive=False, verbosity=verbosity)
