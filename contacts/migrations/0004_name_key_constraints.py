# The unique name keys per owner, once 0003 has merged the rows that collide under them.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0003_name_keys"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="company",
            constraint=models.UniqueConstraint(
                fields=("owner", "name_key"),
                name="company_unique_name_key_per_owner",
                violation_error_code="duplicate_company",
                violation_error_message="You already have a company with this name.",
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                fields=("owner", "name_key"),
                name="tag_unique_name_key_per_owner",
                violation_error_code="duplicate_tag",
                violation_error_message="You already have a tag with this name.",
            ),
        ),
    ]
