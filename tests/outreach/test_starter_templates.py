"""The starter templates read well for any contact (#10): every optional field has a fallback,
so a contact with only a first name gets no dangling " at ", no "()" and no double space; and
users who never edited their starters get the new texts from the data migration."""

import importlib
import re

import pytest
from django.apps import apps

from outreach.models import MessageTemplate
from outreach.services import template_render
from outreach.starter_templates import STARTER_TEMPLATES
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("outreach.migrations.0005_starter_template_fallbacks")
DANGLING = re.compile(r"  | at[ ,.)\n]*$| at [,.)\n]|\(\)| ,|[ \t]$", re.MULTILINE)


def _starter(user, name) -> MessageTemplate:
    return MessageTemplate.objects.get(owner=user, name=name)


@pytest.mark.parametrize("name", [data["name"] for data in STARTER_TEMPLATES])
def test_no_starter_leaves_a_gap_for_a_contact_with_every_optional_field_empty(user, name):
    bare = ContactFactory(owner=user, first_name="Sam", last_name="", title="", how_we_met="", company=None)
    rendered = template_render(template=_starter(user, name), contact=bare)
    assert rendered["empty"] == []
    for text in (rendered["subject"], rendered["body"]):
        assert not DANGLING.search(text), text
        assert "{" not in text


@pytest.mark.parametrize("name", [data["name"] for data in STARTER_TEMPLATES])
def test_a_full_contact_still_gets_their_own_details(user, name):
    contact = ContactFactory(
        owner=user,
        first_name="Priya",
        title="Senior PM",
        how_we_met="Mind the Product",
        company=CompanyFactory(owner=user, name="Shopify"),
    )
    template = _starter(user, name)
    rendered = template_render(template=template, contact=contact)
    assert rendered["empty"] == []
    text = rendered["subject"] + rendered["body"]
    if "{company" in template.subject + template.body:
        assert "Shopify" in text
    if "{title" in template.body:
        assert "Senior PM" in text
    assert "Priya" in text


def test_the_migration_updates_unedited_starters_and_leaves_edited_ones(user, other_user):
    (old_subject, old_body), (new_subject, new_body) = MIGRATION.STARTER_TEXTS[0]
    unedited = _starter(user, "Informational interview request")
    MessageTemplate.objects.filter(pk=unedited.pk).update(subject=old_subject, body=old_body)
    edited = _starter(other_user, "Informational interview request")
    MessageTemplate.objects.filter(pk=edited.pk).update(subject=old_subject, body=old_body + "\nP.S. mine")
    MIGRATION.use_fallbacks(apps, None)
    unedited.refresh_from_db()
    edited.refresh_from_db()
    assert (unedited.subject, unedited.body) == (new_subject, new_body)
    assert edited.body == old_body + "\nP.S. mine"


def test_the_migration_is_reversible(user):
    (old_subject, old_body), (new_subject, new_body) = MIGRATION.STARTER_TEXTS[0]
    template = _starter(user, "Informational interview request")
    MessageTemplate.objects.filter(pk=template.pk).update(subject=new_subject, body=new_body)
    MIGRATION.restore_old_texts(apps, None)
    template.refresh_from_db()
    assert (template.subject, template.body) == (old_subject, old_body)


# Every data migration that rewrote unedited starters, in order (#10, then #14's outreach check).
STARTER_MIGRATIONS = [
    MIGRATION,
    importlib.import_module("outreach.migrations.0013_first_contact_starters_pass_the_check"),
]


def test_an_unedited_starter_of_any_age_ends_as_todays_text():
    current = {(data["subject"], data["body"]) for data in STARTER_TEMPLATES}
    for old, _ in MIGRATION.STARTER_TEXTS:
        text = old
        for migration in STARTER_MIGRATIONS:
            text = dict(migration.STARTER_TEXTS).get(text, text)
        assert text in current, text
