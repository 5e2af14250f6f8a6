"""`python manage.py send_reminders`: one reminder sweep, for people who run cron instead of beat."""

from django.core.management.base import BaseCommand

from outreach import emails, reminders
from outreach.tasks import sweep


class Command(BaseCommand):
    help = (
        "Run one reminder sweep: plan missing daily digests, claim the due reminders and queue "
        "them for the Celery worker. Safe to run from cron beside (or instead of) celery beat. "
        "With --inline the emails are sent by this process, so no worker is needed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help="Send the due reminders from this process instead of queueing them."
        )

    def handle(self, *args, inline=False, **options):
        if not inline:
            queued = sweep()
            self.stdout.write(f"Queued {queued} reminder(s).")
            return
        reminders.plan_missing_digests()
        outcomes: dict[str, int] = {}
        try:
            while ids := reminders.claim_due_reminders():
                for start in range(0, len(ids), reminders.SEND_BATCH):
                    for outcome, count in reminders.deliver_reminders(
                        ids[start : start + reminders.SEND_BATCH]
                    ).items():
                        outcomes[outcome] = outcomes.get(outcome, 0) + count
        finally:
            emails.close_shared_connection()
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(f"Reminders: {summary}.")
