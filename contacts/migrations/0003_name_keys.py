# Companies and tags are matched by a normalised key (Unicode NFKC + case folding), the same
# on PostgreSQL and SQLite, and the key is unique per owner (issue #15). Before the new
# constraint, the rows that already collide under it (possible on SQLite, whose LOWER() folds
# only ASCII, e.g. "Zoë Ltd" and "ZOË LTD") are merged into the oldest one: every foreign key
# that points at a duplicate (contacts, opportunities, whatever references the table) is
# moved to the survivor, empty details are filled in from the duplicate, and tag links are
# carried over. Then the duplicate is deleted. The constraints come in 0004: on PostgreSQL a
# table whose rows this migration changed cannot be altered in the same transaction.

import unicodedata

from django.db import migrations, models


def text_key(value: str) -> str:
    # A frozen copy of contacts.models.text_key: a migration must not change if that does.
    folded = unicodedata.normalize("NFKC", " ".join((value or "").split())).casefold()
    return unicodedata.normalize("NFKC", folded)


def _references(schema_editor, table: str) -> list[tuple[str, str]]:
    """(table, column) of every foreign key in the database that points at `table`."""
    connection = schema_editor.connection
    found = []
    with connection.cursor() as cursor:
        for other in connection.introspection.table_names(cursor):
            for column, (_, target) in connection.introspection.get_relations(cursor, other).items():
                if target == table:
                    found.append((other, column))
    return found


def _groups(model):
    """{(owner, key): [rows, oldest first]} for the groups with more than one row."""
    groups: dict[tuple, list] = {}
    for row in model.objects.order_by("id"):
        row.name_key = text_key(row.name)
        row.save(update_fields=["name_key"])
        groups.setdefault((row.owner_id, row.name_key), []).append(row)
    return [rows for rows in groups.values() if len(rows) > 1]


def _move_references(schema_editor, table: str, survivor_id: int, duplicate_id: int) -> None:
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for other, column in _references(schema_editor, table):
            if other == "contacts_contact_tags":
                continue  # tag links are merged below, without creating a link twice
            cursor.execute(
                f"UPDATE {quote(other)} SET {quote(column)} = %s WHERE {quote(column)} = %s",
                [survivor_id, duplicate_id],
            )


def merge_companies(apps, schema_editor):
    Company = apps.get_model("contacts", "Company")
    for survivor, *duplicates in _groups(Company):
        for duplicate in duplicates:
            _move_references(schema_editor, Company._meta.db_table, survivor.pk, duplicate.pk)
            for field in ("website", "industry", "notes"):
                if not getattr(survivor, field) and getattr(duplicate, field):
                    setattr(survivor, field, getattr(duplicate, field))
            survivor.save(update_fields=["website", "industry", "notes"])
            duplicate.delete()


def merge_tags(apps, schema_editor):
    Tag = apps.get_model("contacts", "Tag")
    Link = apps.get_model("contacts", "Contact").tags.through
    for survivor, *duplicates in _groups(Tag):
        for duplicate in duplicates:
            tagged = set(Link.objects.filter(tag_id=survivor.pk).values_list("contact_id", flat=True))
            moved = Link.objects.filter(tag_id=duplicate.pk).exclude(contact_id__in=tagged)
            Link.objects.bulk_create(
                [Link(contact_id=c, tag_id=survivor.pk) for c in moved.values_list("contact_id", flat=True)]
            )
            _move_references(schema_editor, Tag._meta.db_table, survivor.pk, duplicate.pk)
            duplicate.delete()  # its remaining links go with it


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_import_job_partial"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=600),
        ),
        migrations.AddField(
            model_name="tag",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=600),
        ),
        migrations.RemoveConstraint(model_name="company", name="company_unique_name_per_owner"),
        migrations.RemoveConstraint(model_name="tag", name="tag_unique_name_per_owner"),
        migrations.RunPython(merge_companies, migrations.RunPython.noop),
        migrations.RunPython(merge_tags, migrations.RunPython.noop),
    ]
