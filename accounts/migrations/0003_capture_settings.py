# Issue #13: the user's own LinkedIn profile (to read messages.csv) and a secret mail-in token.
# The token is unique, so existing profiles get their own value before the constraint is added.

from django.db import migrations, models

import accounts.models


def give_each_profile_a_token(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    for profile in Profile.objects.filter(mail_in_token__isnull=True).only("pk"):
        profile.mail_in_token = accounts.models.new_mail_in_token()
        profile.save(update_fields=["mail_in_token"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_idempotency_keys")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="linkedin_url",
            field=models.CharField(blank=True, max_length=200, validators=[accounts.models.validate_linkedin_profile]),
        ),
        migrations.AddField(
            model_name="profile",
            name="mail_in_token",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        # Reversible: going back drops the column, and the tokens with it.
        migrations.RunPython(give_each_profile_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="profile",
            name="mail_in_token",
            field=models.CharField(
                default=accounts.models.new_mail_in_token, editable=False, max_length=64, unique=True
            ),
        ),
    ]
