# Initial schema, regenerated when the accounts app took Profile and OwnedModel and outreach took
# PortfolioItem (architecture issue #9): the app graph is accounts <- contacts <- outreach <- crm.

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contacts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Conversation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("coffee_chat", "Coffee Chat"),
                            ("informational_interview", "Informational Interview"),
                            ("case_study_feedback", "Case Study Feedback"),
                            ("referral_request", "Referral Request"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("linkedin", "LinkedIn"),
                            ("email", "Email"),
                            ("slack", "Slack"),
                            ("in_person", "In Person"),
                            ("phone", "Phone"),
                            ("video", "Video"),
                            ("other", "Other"),
                        ],
                        default="linkedin",
                        max_length=16,
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("requested", "Requested"),
                            ("scheduled", "Scheduled"),
                            ("held", "Held"),
                            ("thanked", "Thanked"),
                            ("declined", "Declined"),
                            ("no_response", "No Response"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        editable=False,
                        max_length=16,
                    ),
                ),
                ("requested_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("scheduled_for", models.DateTimeField(blank=True, editable=False, null=True)),
                ("held_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("duration_minutes", models.PositiveIntegerField(default=30)),
                ("location", models.CharField(blank=True, max_length=500)),
                ("agenda", models.TextField(blank=True)),
                ("outcome", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="conversations", to="contacts.contact"
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
            name="FollowUp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("nudge", "Nudge"),
                            ("thank_you", "Thank You"),
                            ("send_material", "Send Material"),
                            ("reconnect", "Reconnect"),
                            ("apply", "Apply"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=16,
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("due_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        editable=False,
                        max_length=16,
                    ),
                ),
                ("completed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="follow_ups", to="contacts.contact"
                    ),
                ),
                (
                    "conversation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_ups",
                        to="outreach.conversation",
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
                "ordering": ["due_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="MessageTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("coffee_chat", "Coffee Chat"),
                            ("informational_interview", "Informational Interview"),
                            ("case_study_feedback", "Case Study Feedback"),
                            ("referral_request", "Referral Request"),
                            ("thank_you", "Thank You"),
                            ("nudge", "Nudge"),
                            ("reconnect", "Reconnect"),
                        ],
                        max_length=32,
                    ),
                ),
                ("subject", models.CharField(blank=True, max_length=200)),
                ("body", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["kind", "name"],
            },
        ),
        migrations.AddField(
            model_name="conversation",
            name="template",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="conversations",
                to="outreach.messagetemplate",
            ),
        ),
        migrations.CreateModel(
            name="PortfolioItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("case_study", "Case Study"),
                            ("prototype", "Prototype"),
                            ("feature_proposal", "Feature Proposal"),
                            ("redesign", "Redesign"),
                            ("course", "Course"),
                            ("certification", "Certification"),
                        ],
                        max_length=32,
                    ),
                ),
                ("url", models.URLField(blank=True)),
                ("summary", models.TextField(blank=True)),
                (
                    "status",
                    models.CharField(
                        choices=[("idea", "Idea"), ("drafting", "Drafting"), ("ready", "Ready"), ("shared", "Shared")],
                        default="idea",
                        max_length=16,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
        migrations.AddField(
            model_name="conversation",
            name="portfolio_item",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="conversations",
                to="outreach.portfolioitem",
            ),
        ),
        migrations.CreateModel(
            name="Reminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("follow_up_due", "Follow Up Due"),
                            ("chat_prep", "Chat Prep"),
                            ("chat_soon", "Chat Soon"),
                            ("daily_digest", "Daily Digest"),
                        ],
                        max_length=16,
                    ),
                ),
                ("send_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("dedupe_key", models.CharField(max_length=200, unique=True)),
                ("local_date", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "conversation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="outreach.conversation",
                    ),
                ),
                (
                    "follow_up",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="outreach.followup",
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
                "ordering": ["-send_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="StageChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "from_stage",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("planned", "Planned"),
                            ("requested", "Requested"),
                            ("scheduled", "Scheduled"),
                            ("held", "Held"),
                            ("thanked", "Thanked"),
                            ("declined", "Declined"),
                            ("no_response", "No Response"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("requested", "Requested"),
                            ("scheduled", "Scheduled"),
                            ("held", "Held"),
                            ("thanked", "Thanked"),
                            ("declined", "Declined"),
                            ("no_response", "No Response"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=16,
                    ),
                ),
                ("at", models.DateTimeField()),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stage_changes",
                        to="outreach.conversation",
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
                "ordering": ["at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(fields=["owner", "status", "due_at"], name="outreach_fo_owner_i_0d9446_idx"),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(fields=["contact", "kind", "status"], name="outreach_fo_contact_e65250_idx"),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["nudge", "thank_you", "send_material", "reconnect", "apply", "other"])
                ),
                name="follow_up_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "done", "cancelled"])), name="follow_up_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "done"), _negated=True), ("completed_at__isnull", False), _connector="OR"
                ),
                name="follow_up_done_has_completed_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="messagetemplate",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), models.F("owner"), name="template_unique_name_per_owner"
            ),
        ),
        migrations.AddConstraint(
            model_name="messagetemplate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "coffee_chat",
                            "informational_interview",
                            "case_study_feedback",
                            "referral_request",
                            "thank_you",
                            "nudge",
                            "reconnect",
                        ],
                    )
                ),
                name="template_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="portfolioitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["case_study", "prototype", "feature_proposal", "redesign", "course", "certification"])
                ),
                name="portfolio_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="portfolioitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["idea", "drafting", "ready", "shared"])),
                name="portfolio_status_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["owner", "stage"], name="outreach_co_owner_i_ac19bd_idx"),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["owner", "scheduled_for"], name="outreach_co_owner_i_148c55_idx"),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["owner", "requested_at"], name="outreach_co_owner_i_25221a_idx"),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "stage__in",
                        [
                            "planned",
                            "requested",
                            "scheduled",
                            "held",
                            "thanked",
                            "declined",
                            "no_response",
                            "cancelled",
                        ],
                    )
                ),
                name="conversation_stage_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["coffee_chat", "informational_interview", "case_study_feedback", "referral_request"])
                ),
                name="conversation_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("channel__in", ["linkedin", "email", "slack", "in_person", "phone", "video", "other"])
                ),
                name="conversation_channel_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=models.Q(("duration_minutes__gte", 1), ("duration_minutes__lte", 1440)),
                name="conversation_duration_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("stage", "scheduled"), _negated=True), ("scheduled_for__isnull", False), _connector="OR"
                ),
                name="conversation_scheduled_has_time",
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["status", "send_at"], name="reminder_sweep_idx"),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["owner", "-send_at"], name="outreach_re_owner_i_0f3f26_idx"),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["follow_up_due", "chat_prep", "chat_soon", "daily_digest"])),
                name="reminder_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["pending", "sent", "failed", "cancelled"])),
                name="reminder_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "sent"), _negated=True), ("sent_at__isnull", False), _connector="OR"
                ),
                name="reminder_sent_has_sent_at",
            ),
        ),
        migrations.AddIndex(
            model_name="stagechange",
            index=models.Index(fields=["owner", "stage", "at"], name="outreach_st_owner_i_d1e93d_idx"),
        ),
        migrations.AddConstraint(
            model_name="stagechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "stage__in",
                        [
                            "planned",
                            "requested",
                            "scheduled",
                            "held",
                            "thanked",
                            "declined",
                            "no_response",
                            "cancelled",
                        ],
                    )
                ),
                name="stage_change_stage_valid",
            ),
        ),
    ]
