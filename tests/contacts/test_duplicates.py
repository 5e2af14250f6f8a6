"""GET /api/v1/contacts/duplicates/ (issue #10): groups of contacts that look like one person."""

import pytest

from contacts.models import Contact
from contacts.services import company_create, contact_create
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _groups(client, **query):
    response = client.get("/api/v1/contacts/duplicates/", query)
    assert response.status_code == 200, response.content
    return response.json()


def _names(group):
    return sorted(c["first_name"] + " " + c["last_name"] for c in group["contacts"])


def test_the_same_email_in_any_case_is_a_duplicate(api_client, user):
    contact_create(owner=user, first_name="Ana", last_name="One", email="Ana@Example.com")
    contact_create(owner=user, first_name="Anna", last_name="Two", email="ana@example.COM")
    contact_create(owner=user, first_name="Bob", email="bob@example.com")
    body = _groups(api_client)
    assert body["count"] == 1
    [group] = body["results"]
    assert group["reasons"] == ["email"] and group["reason"] == "email"
    assert group["size"] == 2
    assert _names(group) == ["Ana One", "Anna Two"]


def test_the_same_linkedin_profile_once_normalised_is_a_duplicate(api_client, user):
    first = contact_create(owner=user, first_name="Chen", linkedin_url="https://www.linkedin.com/in/chen-li")
    second = contact_create(owner=user, first_name="C.", last_name="Li")
    # A URL stored before normalisation (an old import): it differs as text, not as a profile.
    Contact.objects.filter(pk=second.pk).update(linkedin_url="http://uk.linkedin.com/in/Chen-Li/?trk=x")
    [group] = _groups(api_client)["results"]
    assert group["reasons"] == ["linkedin_url"]
    assert {c["id"] for c in group["contacts"]} == {first.pk, second.pk}


def test_the_same_name_at_the_same_company_is_a_duplicate_but_not_at_another(api_client, user):
    acme = company_create(owner=user, name="Acme")
    other_co = company_create(owner=user, name="Globex")
    contact_create(owner=user, first_name="Zoë", last_name="Adams", company=acme)
    contact_create(owner=user, first_name="ZOE\u0308", last_name="adams", company=acme)
    contact_create(owner=user, first_name="Zoë", last_name="Adams", company=other_co)
    contact_create(owner=user, first_name="Zoë", last_name="Adams")  # no company: no evidence
    [group] = _groups(api_client)["results"]
    assert group["reasons"] == ["name_and_company"]
    assert group["size"] == 2
    assert {c["company_name"] for c in group["contacts"]} == {"Acme"}


def test_groups_sharing_a_contact_are_one_group_with_every_reason(api_client, user):
    acme = company_create(owner=user, name="Acme")
    contact_create(owner=user, first_name="Dee", last_name="Ray", email="dee@x.com")
    contact_create(owner=user, first_name="Dee", last_name="Ray", email="DEE@x.com", company=acme)
    contact_create(owner=user, first_name="dee", last_name="ray", company=acme)
    body = _groups(api_client)
    assert body["count"] == 1
    [group] = body["results"]
    assert group["reasons"] == ["email", "name_and_company"]
    assert group["size"] == 3


def test_no_duplicates_is_an_empty_list(api_client, user):
    contact_create(owner=user, first_name="Solo", email="solo@x.com")
    assert _groups(api_client) == {"count": 0, "next": None, "previous": None, "results": []}


def test_another_users_lookalikes_never_show(api_client, user, other_user):
    contact_create(owner=user, first_name="Mine", email="same@x.com")
    ContactFactory(owner=other_user, first_name="Theirs", email="same@x.com")
    ContactFactory(owner=other_user, first_name="Theirs2", email="SAME@x.com")
    assert _groups(api_client)["count"] == 0


def test_groups_are_paginated_and_bounded(api_client, user, django_assert_max_num_queries):
    acme = company_create(owner=user, name="Acme")
    for i in range(30):
        contact_create(owner=user, first_name=f"P{i}", email=f"p{i}@x.com")
        contact_create(owner=user, first_name=f"Q{i}", email=f"P{i}@X.com")
    for i in range(15):  # one big group: only the first 10 contacts are listed
        contact_create(owner=user, first_name="Big", last_name="Group", company=acme)
    with django_assert_max_num_queries(12):
        body = _groups(api_client, page_size=50)
    assert body["count"] == 31
    assert len(body["results"]) == 31
    big = next(g for g in body["results"] if g["size"] == 15)
    assert len(big["contacts"]) == 10
    first_page = _groups(api_client)
    assert len(first_page["results"]) == 20 and first_page["next"]
    assert len(_groups(api_client, page_size=1000)["results"]) == 31  # capped at 50 a page


@pytest.mark.slow
def test_ten_thousand_contacts_are_grouped_quickly(api_client, user):
    import time

    Contact.objects.bulk_create(
        [Contact(owner=user, first_name=f"N{i}", email=f"n{i // 2}@x.com") for i in range(10_000)]
    )
    started = time.monotonic()
    body = _groups(api_client)
    assert body["count"] == 5_000
    assert time.monotonic() - started < 5
