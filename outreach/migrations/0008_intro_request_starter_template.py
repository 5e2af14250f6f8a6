# Issue #14: every existing account that has no template of kind "intro_request" gets the
# "Warm intro request" starter (new accounts get it from outreach/starter_templates.py).
# The text is frozen here, not imported, so a later change of the starters cannot change what
# this migration does. Reversible: the reverse deletes the starter rows that were never edited.

from django.conf import settings
from django.db import migrations

NAME = "Warm intro request"
SUBJECT = "A small favour: an intro at {company|a company I'm targeting}?"
BODY = (
    "Hi {first_name|there},\n\n"
    "I hope you're well. I'm working on my move into product management, and "
    "{company|one company} is high on my list. Would you be comfortable introducing me to "
    "someone there for a short conversation? I'm after their advice, not a job, and I'm "
    "happy to send a two-line note you can forward.\n\n"
    "Thank you either way,\n{my_name}"
)


def add_starter(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    has_one = set(MessageTemplate.objects.filter(kind="intro_request").values_list("owner_id", flat=True))
    # A user who already named a template "Warm intro request" keeps theirs (names are not unique, but clearer so).
    named = set(MessageTemplate.objects.filter(name=NAME).values_list("owner_id", flat=True))
    owners = User.objects.exclude(pk__in=has_one | named).values_list("pk", flat=True)
    MessageTemplate.objects.bulk_create(
        [
            MessageTemplate(owner_id=pk, name=NAME, kind="intro_request", subject=SUBJECT, body=BODY)
            for pk in owners.iterator()
        ],
        batch_size=1000,
    )


def remove_starter(apps, schema_editor):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    MessageTemplate.objects.filter(name=NAME, kind="intro_request", subject=SUBJECT, body=BODY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0007_intro_request_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(add_starter, remove_starter)]
