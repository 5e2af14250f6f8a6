# Issue #10: what was sent on an ask, when the contact replied (#13), and touches outside asks.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0004_name_key_constraints"),
        ("outreach", "0002_calendar_sequence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="message_body",
            field=models.TextField(blank=True, max_length=20000),
        ),
        migrations.AddField(
            model_name="conversation",
            name="message_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="conversation",
            name="message_subject",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="conversation",
            name="replied_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="Touch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("linkedin", "LinkedIn"),
                            ("email", "E-mail"),
                            ("slack", "Slack"),
                            ("comment", "Comment"),
                            ("call", "Call"),
                            ("event", "Event"),
                            ("in_person", "In person"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=16,
                    ),
                ),
                ("at", models.DateTimeField()),
                ("summary", models.TextField(blank=True, max_length=20000)),
                ("external_key", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("contacts", models.ManyToManyField(related_name="touches", to="contacts.contact")),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["owner", "-at"], name="outreach_to_owner_i_a9f1d2_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "channel__in",
                                ["linkedin", "email", "slack", "comment", "call", "event", "in_person", "other"],
                            )
                        ),
                        name="touch_channel_valid",
                    ),
                    models.UniqueConstraint(
                        models.F("owner"),
                        models.F("external_key"),
                        condition=models.Q(("external_key", ""), _negated=True),
                        name="touch_unique_external_key",
                    ),
                ],
            },
        ),
    ]
