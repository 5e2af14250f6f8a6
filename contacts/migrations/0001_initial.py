# Initial schema, regenerated when the accounts app took Profile and OwnedModel and outreach took
# PortfolioItem (architecture issue #9): the app graph is accounts <- contacts <- outreach <- crm.

import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Company",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200)),
                ("website", models.URLField(blank=True)),
                ("industry", models.CharField(blank=True, max_length=100)),
                ("notes", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "companies",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Contact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("first_name", models.CharField(max_length=100)),
                ("last_name", models.CharField(blank=True, max_length=100)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("linkedin_url", models.URLField(blank=True, max_length=300)),
                ("title", models.CharField(blank=True, max_length=200)),
                (
                    "relationship",
                    models.CharField(
                        choices=[
                            ("product_manager", "Product Manager"),
                            ("designer", "Designer"),
                            ("engineer", "Engineer"),
                            ("analyst", "Analyst"),
                            ("recruiter", "Recruiter"),
                            ("hiring_manager", "Hiring Manager"),
                            ("internal_colleague", "Internal Colleague"),
                            ("alumni", "Alumni"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=32,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("linkedin", "LinkedIn"),
                            ("slack_community", "PM community Slack"),
                            ("internal", "Internal"),
                            ("event", "Event"),
                            ("referral", "Referral"),
                            ("cold_email", "Cold Email"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=32,
                    ),
                ),
                ("how_we_met", models.TextField(blank=True)),
                ("connected_on", models.DateField(blank=True, null=True)),
                ("reconnect_every_days", models.PositiveIntegerField(blank=True, null=True)),
                ("last_contacted_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("reconnect_due_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("archived", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "company",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="contacts",
                        to="contacts.company",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "referred_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="referrals",
                        to="contacts.contact",
                    ),
                ),
            ],
            options={
                "ordering": ["first_name", "last_name", "id"],
            },
        ),
        migrations.CreateModel(
            name="ContactEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("job_change", "Job Change")], max_length=32)),
                ("summary", models.CharField(max_length=300)),
                ("previous_company", models.CharField(blank=True, max_length=200)),
                ("previous_title", models.CharField(blank=True, max_length=200)),
                ("new_company", models.CharField(blank=True, max_length=200)),
                ("new_title", models.CharField(blank=True, max_length=200)),
                ("acknowledged", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="events", to="contacts.contact"
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[("linkedin", "LinkedIn"), ("csv", "Csv"), ("vcard", "Vcard")], max_length=16
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("dry_run", models.BooleanField(default=False)),
                ("filename", models.CharField(blank=True, max_length=255)),
                ("content", models.BinaryField(blank=True, null=True)),
                ("total_rows", models.PositiveIntegerField(default=0)),
                ("processed_rows", models.PositiveIntegerField(default=0)),
                ("result", models.JSONField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="contact",
            name="tags",
            field=models.ManyToManyField(blank=True, related_name="contacts", to="contacts.tag"),
        ),
        migrations.AddConstraint(
            model_name="company",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                models.F("owner"),
                name="company_unique_name_per_owner",
                violation_error_code="duplicate_company",
                violation_error_message="You already have a company with this name.",
            ),
        ),
        migrations.AddConstraint(
            model_name="company",
            constraint=models.CheckConstraint(
                condition=models.Q(("name", ""), _negated=True), name="company_name_not_empty"
            ),
        ),
        migrations.AddIndex(
            model_name="contactevent",
            index=models.Index(
                fields=["owner", "kind", "acknowledged", "-created_at"], name="contacts_co_owner_i_0ca6e0_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="contactevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["job_change"])), name="contact_event_kind_valid"
            ),
        ),
        migrations.AddIndex(
            model_name="importjob",
            index=models.Index(fields=["owner", "-created_at"], name="contacts_im_owner_i_14fd89_idx"),
        ),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["linkedin", "csv", "vcard"])), name="import_job_kind_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["pending", "running", "done", "failed"])),
                name="import_job_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                models.F("owner"),
                name="tag_unique_name_per_owner",
                violation_error_code="duplicate_tag",
                violation_error_message="You already have a tag with this name.",
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.CheckConstraint(
                condition=models.Q(("name", ""), _negated=True), name="tag_name_not_empty"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "archived", "first_name"], name="contacts_co_owner_i_cd0917_idx"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "email"], name="contacts_co_owner_i_d0f936_idx"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "reconnect_due_at"], name="contacts_co_owner_i_751114_idx"),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("linkedin_url", ""), _negated=True),
                fields=("owner", "linkedin_url"),
                name="contact_unique_linkedin_per_owner",
                violation_error_code="duplicate_linkedin_url",
                violation_error_message="You already have a contact with this LinkedIn profile.",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "relationship__in",
                        [
                            "product_manager",
                            "designer",
                            "engineer",
                            "analyst",
                            "recruiter",
                            "hiring_manager",
                            "internal_colleague",
                            "alumni",
                            "other",
                        ],
                    )
                ),
                name="contact_relationship_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "source__in",
                        ["linkedin", "slack_community", "internal", "event", "referral", "cold_email", "other"],
                    )
                ),
                name="contact_source_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("reconnect_every_days__isnull", True), ("reconnect_every_days__gte", 1), _connector="OR"
                ),
                name="contact_reconnect_every_days_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(("first_name", ""), _negated=True), name="contact_first_name_not_empty"
            ),
        ),
    ]
