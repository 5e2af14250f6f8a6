# Issue #14: a new kind of ask, "intro_request" (Ask for an intro), for conversations and templates.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_career_targets_and_responsiveness"),
        ("outreach", "0006_capture"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="conversation",
            name="conversation_kind_valid",
        ),
        migrations.RemoveConstraint(
            model_name="messagetemplate",
            name="template_kind_valid",
        ),
        migrations.AlterField(
            model_name="conversation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("coffee_chat", "Coffee Chat"),
                    ("informational_interview", "Informational Interview"),
                    ("case_study_feedback", "Case Study Feedback"),
                    ("referral_request", "Referral Request"),
                    ("intro_request", "Ask for an intro"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="kind",
            field=models.CharField(
                choices=[
                    ("coffee_chat", "Coffee Chat"),
                    ("informational_interview", "Informational Interview"),
                    ("case_study_feedback", "Case Study Feedback"),
                    ("referral_request", "Referral Request"),
                    ("intro_request", "Ask for an intro"),
                    ("thank_you", "Thank You"),
                    ("nudge", "Nudge"),
                    ("reconnect", "Reconnect"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "coffee_chat",
                            "informational_interview",
                            "case_study_feedback",
                            "referral_request",
                            "intro_request",
                        ],
                    )
                ),
                name="conversation_kind_valid",
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
                            "intro_request",
                            "thank_you",
                            "nudge",
                            "reconnect",
                        ],
                    )
                ),
                name="template_kind_valid",
            ),
        ),
    ]
