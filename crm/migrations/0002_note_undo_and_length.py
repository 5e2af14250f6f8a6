# Notes get a 10-second Undo (deleted_at, purged later; the default manager hides deleted
# notes) and a 20,000-character body limit (a validator: no schema change) (#10).

import django.core.validators
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="note",
            options={"base_manager_name": "all_objects", "ordering": ["-created_at", "-id"]},
        ),
        migrations.AlterModelManagers(
            name="note",
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_objects", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name="note",
            name="deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="note",
            name="body",
            field=models.TextField(validators=[django.core.validators.MaxLengthValidator(20000)]),
        ),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", False)), fields=["deleted_at"], name="note_deleted"
            ),
        ),
    ]
