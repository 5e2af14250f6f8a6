"""The "Warm intro request" starter (issue #14): new accounts get it; existing accounts that
lack a template of kind intro_request get it from the data migration."""

import importlib

from django.apps import apps

from outreach.models import MessageTemplate
from outreach.starter_templates import STARTER_TEMPLATES

MIGRATION = importlib.import_module("outreach.migrations.0008_intro_request_starter_template")


def test_a_new_account_has_the_intro_starter(user):
    template = MessageTemplate.objects.get(owner=user, kind="intro_request")
    assert template.name == "Warm intro request"


def test_the_migration_gives_it_to_accounts_without_one_and_only_once(user, other_user):
    MessageTemplate.objects.filter(owner=user, kind="intro_request").delete()  # an account from before
    mine = MessageTemplate.objects.get(owner=other_user, kind="intro_request")
    MessageTemplate.objects.filter(pk=mine.pk).update(name="My own intro ask", body="Hi {first_name}, intro?")
    MIGRATION.add_starter(apps, None)
    MIGRATION.add_starter(apps, None)  # twice: still one each
    assert MessageTemplate.objects.filter(owner=user, kind="intro_request").count() == 1
    assert list(
        MessageTemplate.objects.filter(owner=other_user, kind="intro_request").values_list("name", flat=True)
    ) == ["My own intro ask"]


def test_the_reverse_removes_only_unedited_starters(user, other_user):
    mine = MessageTemplate.objects.get(owner=other_user, kind="intro_request")
    MessageTemplate.objects.filter(pk=mine.pk).update(body="Edited")
    MIGRATION.remove_starter(apps, None)
    assert not MessageTemplate.objects.filter(owner=user, kind="intro_request").exists()
    assert MessageTemplate.objects.filter(pk=mine.pk).exists()


def test_the_migrations_text_is_todays_starter():
    starter = next(data for data in STARTER_TEMPLATES if data["kind"] == "intro_request")
    assert (starter["name"], starter["subject"], starter["body"]) == (MIGRATION.NAME, MIGRATION.SUBJECT, MIGRATION.BODY)
