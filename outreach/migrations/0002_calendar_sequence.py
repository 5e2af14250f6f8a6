# A stored iCalendar SEQUENCE per chat, bumped by every change a calendar shows (issue #15).
# Existing chats start from the number the feed showed until now (one per reschedule, one
# more once cancelled), so no calendar that already has a chat sees its SEQUENCE go down.

from django.db import migrations, models
from django.db.models import Count, Q


def start_from_the_published_sequence(apps, schema_editor):
    Conversation = apps.get_model("outreach", "Conversation")
    chats = Conversation.objects.filter(scheduled_for__isnull=False).annotate(
        schedules=Count("stage_changes", filter=Q(stage_changes__stage="scheduled"))
    )
    for chat in chats.iterator(chunk_size=1000):
        sequence = max(chat.schedules - 1, 0) + (chat.stage == "cancelled")
        if sequence:
            Conversation.objects.filter(pk=chat.pk).update(calendar_sequence=sequence)


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(start_from_the_published_sequence, migrations.RunPython.noop),
    ]
