# Initial schema, regenerated when the accounts app took Profile and OwnedModel and outreach took
# PortfolioItem (architecture issue #9): the app graph is accounts <- contacts <- outreach <- crm.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import accounts.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Profile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "timezone",
                    models.CharField(default="UTC", max_length=64, validators=[accounts.models.validate_timezone]),
                ),
                (
                    "digest_hour",
                    models.PositiveSmallIntegerField(
                        default=8,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(23),
                        ],
                    ),
                ),
                ("email_reminders", models.BooleanField(default=True)),
                ("daily_digest", models.BooleanField(default=True)),
                (
                    "nudge_after_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ],
                    ),
                ),
                (
                    "weekly_request_goal",
                    models.PositiveSmallIntegerField(
                        default=3, validators=[django.core.validators.MaxValueValidator(100)]
                    ),
                ),
                (
                    "max_nudges",
                    models.PositiveSmallIntegerField(
                        default=2, validators=[django.core.validators.MaxValueValidator(10)]
                    ),
                ),
                (
                    "pathway",
                    models.CharField(
                        choices=[
                            ("product_trio", "Product Trio"),
                            ("internal_move", "Internal Move"),
                            ("build_experience", "Build Experience"),
                        ],
                        default="build_experience",
                        max_length=32,
                    ),
                ),
                (
                    "calendar_token",
                    models.CharField(
                        default=accounts.models.new_calendar_token, editable=False, max_length=64, unique=True
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="profile", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("digest_hour__gte", 0), ("digest_hour__lte", 23)),
                        name="profile_digest_hour_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("nudge_after_days__gte", 1), ("nudge_after_days__lte", 90)),
                        name="profile_nudge_after_days_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("max_nudges__lte", 10)), name="profile_max_nudges_range"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("weekly_request_goal__lte", 100)), name="profile_weekly_goal_range"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("pathway__in", ["product_trio", "internal_move", "build_experience"])),
                        name="profile_pathway_valid",
                    ),
                ],
            },
        ),
    ]
