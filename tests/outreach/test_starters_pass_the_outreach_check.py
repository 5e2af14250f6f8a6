"""Our own starter messages follow the method the outreach check teaches (issue #14): a new user's
first ask gets no hints, whatever the contact's fields hold."""

import pytest

from outreach.checks import FIRST_CONTACT_KINDS
from outreach.models import MessageTemplate
from outreach.services import template_render
from tests.factories import CompanyFactory, ContactFactory


@pytest.mark.parametrize("how_we_met", ["We met at the ProductCamp Toronto meetup", ""])
@pytest.mark.parametrize("with_company", [True, False])
@pytest.mark.parametrize("source", ["linkedin", "other"])
def test_every_first_contact_starter_passes_the_check(user, how_we_met, with_company, source):
    contact = ContactFactory(
        owner=user,
        first_name="Priya",
        title="Senior PM" if with_company else "",
        company=CompanyFactory(owner=user, name="Shopify") if with_company else None,
        how_we_met=how_we_met,
        source=source,
    )
    starters = MessageTemplate.objects.filter(owner=user, kind__in=FIRST_CONTACT_KINDS)
    assert starters.count() == 3
    for template in starters:
        rendered = template_render(template=template, contact=contact)
        assert rendered["checks"] == [], (template.name, rendered["body"])


def test_the_migration_updates_untouched_starters_and_leaves_edited_ones(user):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("outreach.migrations.0013_first_contact_starters_pass_the_check")
    (old_subject, old_body), (_, new_body) = migration.STARTER_TEXTS[0]
    untouched = MessageTemplate.objects.get(owner=user, subject=old_subject)
    untouched.body = old_body  # as an account made before the change holds it
    untouched.save()
    edited = MessageTemplate.objects.create(owner=user, name="Mine", kind="coffee_chat", subject="Hi", body="My own")
    migration.use_new_texts(apps, None)
    untouched.refresh_from_db()
    edited.refresh_from_db()
    assert untouched.body == new_body
    assert edited.body == "My own"
    migration.restore_old_texts(apps, None)
    untouched.refresh_from_db()
    assert untouched.body == old_body
