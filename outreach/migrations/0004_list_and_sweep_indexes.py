# Indexes for the flat sweep (partial on pending rows) and owner-first API list orderings (#12).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0003_touches_and_sent_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="reminder",
            name="reminder_sweep_idx",
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["owner", "-created_at", "-id"], name="conversation_owner_list_idx"),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(fields=["owner", "due_at", "id"], name="follow_up_owner_list_idx"),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("status", "pending")), fields=["send_at", "id"], name="reminder_pending_send_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("kind", "daily_digest"), ("status", "pending")),
                fields=["owner"],
                name="reminder_pending_digest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("status", "failed")), fields=["owner", "-send_at"], name="reminder_failed_idx"
            ),
        ),
    ]
