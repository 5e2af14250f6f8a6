"""Integrity lives in the database: per-owner uniqueness and checks hold even past the services."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.linkedin import normalise_linkedin_url
from contacts.models import Company, Contact
from contacts.services import company_create, company_get_or_create, contact_create


def test_company_names_differing_in_case_are_refused_for_one_owner(user):
    company_create(owner=user, name="Shopify")
    with pytest.raises(ValidationError):
        company_create(owner=user, name="SHOPIFY")
    assert Company.objects.filter(owner=user).count() == 1


def test_the_database_itself_refuses_a_case_variant_company(user):
    Company.objects.create(owner=user, name="Shopify")
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(owner=user, name="shopify")


def test_the_same_company_name_is_allowed_across_owners(user, other_user):
    company_create(owner=user, name="Shopify")
    company_create(owner=other_user, name="shopify")
    assert Company.objects.count() == 2


def test_company_get_or_create_matches_case_insensitively(user):
    first = company_get_or_create(owner=user, name="Ritual, Inc.")
    assert company_get_or_create(owner=user, name="  ritual,   INC. ") == first


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.linkedin.com/in/priya-raman-pm/",
        "https://www.linkedin.com/in/Priya-Raman-PM",
        "https://www.linkedin.com/in/priya-raman-pm?utm_source=share&trk=abc",
        "http://linkedin.com/in/priya-raman-pm#about",
        "linkedin.com/in/priya-raman-pm",
        "https://ca.linkedin.com/in/priya-raman-pm/",
    ],
)
def test_linkedin_urls_differing_in_slash_case_or_query_are_one_person(user, variant):
    contact_create(owner=user, first_name="Priya", linkedin_url="https://www.linkedin.com/in/priya-raman-pm")
    with pytest.raises(ValidationError) as refused:
        contact_create(owner=user, first_name="Priya", linkedin_url=variant)
    assert "linkedin_url" in refused.value.message_dict
    assert Contact.objects.filter(owner=user).count() == 1


def test_the_database_refuses_a_duplicate_normalised_linkedin_url(user):
    url = normalise_linkedin_url("https://www.linkedin.com/in/priya/")
    Contact.objects.create(owner=user, first_name="Priya", linkedin_url=url)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(owner=user, first_name="P", linkedin_url=url)


def test_the_same_linkedin_url_is_allowed_across_owners(user, other_user):
    contact_create(owner=user, first_name="Priya", linkedin_url="https://www.linkedin.com/in/priya")
    contact_create(owner=other_user, first_name="Priya", linkedin_url="https://linkedin.com/in/PRIYA/")
    assert Contact.objects.count() == 2


def test_many_contacts_without_linkedin_url_are_fine(user):
    contact_create(owner=user, first_name="A")
    contact_create(owner=user, first_name="B")
    assert Contact.objects.filter(owner=user, linkedin_url="").count() == 2


@pytest.mark.parametrize("url", ["https://example.com/in/priya", "https://www.linkedin.com/", "not a url at all"])
def test_a_url_that_is_not_a_linkedin_profile_is_refused(user, url):
    with pytest.raises(ValidationError):
        contact_create(owner=user, first_name="Priya", linkedin_url=url)
    assert not Contact.objects.exists()


def test_normalised_form_is_canonical():
    assert normalise_linkedin_url(" HTTPS://WWW.LinkedIn.com/in/Dan-OConnor/?x=1 ") == (
        "https://www.linkedin.com/in/dan-oconnor"
    )


def test_a_contact_cannot_link_to_another_users_company(user, other_user):
    foreign = company_create(owner=other_user, name="Cohere")
    with pytest.raises(ValidationError) as refused:
        contact_create(owner=user, first_name="Li", company=foreign)
    assert "company" in refused.value.message_dict


def test_a_contact_cannot_be_referred_by_another_users_contact(user, other_user):
    foreign = contact_create(owner=other_user, first_name="Eve")
    with pytest.raises(ValidationError) as refused:
        contact_create(owner=user, first_name="Li", referred_by=foreign)
    assert "referred_by" in refused.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("relationship", "ceo"), ("source", "carrier_pigeon")],
)
def test_the_database_refuses_unknown_enum_values(user, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(owner=user, first_name="X", **{field: value})


def test_the_database_refuses_a_zero_reconnect_cadence(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(owner=user, first_name="X", reconnect_every_days=0)


def test_profile_digest_hour_out_of_range_is_refused_by_the_database(user):
    profile = user.profile
    profile.digest_hour = 24
    with pytest.raises(IntegrityError), transaction.atomic():
        profile.save()


def test_scheduled_conversation_without_a_time_is_refused_by_the_database(user):
    from outreach.models import Conversation

    contact = contact_create(owner=user, first_name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(owner=user, contact=contact, kind="coffee_chat", stage="scheduled")
