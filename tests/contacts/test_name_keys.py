"""Companies and tags match by one normalised key (NFKC + case folding) on every database:
"Zoë Ltd", "ZOË LTD" and a decomposed "Zoe\u0308 Ltd" are one company on SQLite as on
PostgreSQL. Contacts match by the same key and may still share a name."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contacts.models import Company, Contact, Tag, text_key
from tests.imports.conftest import upload

pytestmark = pytest.mark.django_db

SPELLINGS = "first_name,last_name,company,tags\n" + "\n".join(
    [
        "Élise,Dupont,Zoë Ltd,Café",
        "ÉLISE,DUPONT,ZOË LTD,CAFÉ",
        "e\u0301lise,dupont,Zoe\u0308   Ltd,Cafe\u0301",
        "Jürgen,Groß,Straße GmbH,ﬁntech",
        "JÜRGEN,GROSS,STRASSE GMBH,FINTECH",
    ]
)


def test_the_key_folds_case_compatibility_forms_and_spaces():
    assert text_key("Zoë Ltd") == text_key("ZOË LTD") == text_key("Zoe\u0308   Ltd") == "zoë ltd"
    assert text_key("Straße") == text_key("STRASSE") == "strasse"
    assert text_key("ﬁntech") == text_key("FINTECH") == "fintech"


def test_one_import_of_many_spellings_gives_one_row_each_on_this_database(api_client, user):
    response = upload(api_client, "csv", SPELLINGS.encode(), name="contacts.csv")
    assert response.status_code == 200, response.content
    assert sorted(Company.objects.filter(owner=user).values_list("name", flat=True)) == ["Straße GmbH", "Zoë Ltd"]
    assert sorted(Tag.objects.filter(owner=user).values_list("name", flat=True)) == ["Café", "ﬁntech"]
    # One person each (a CSV may correct the spelling of a name; it never makes a second person).
    people = Contact.objects.filter(owner=user)
    assert sorted((text_key(c.first_name), c.company.name) for c in people) == [
        ("jürgen", "Straße GmbH"),
        ("élise", "Zoë Ltd"),
    ]
    assert response.json()["created"] == 2 and response.json()["skipped"] + response.json()["updated"] == 3


def test_a_company_or_tag_under_another_spelling_is_refused_by_the_api(api_client, user):
    assert api_client.post("/api/v1/companies/", {"name": "Zoë Ltd"}, format="json").status_code == 201
    refused = api_client.post("/api/v1/companies/", {"name": "ZOË  LTD"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"name": ["You already have a company with this name."]}
    assert api_client.post("/api/v1/tags/", {"name": "Café"}, format="json").status_code == 201
    assert api_client.post("/api/v1/tags/", {"name": "CAFE\u0301"}, format="json").status_code == 400
    assert Company.objects.filter(owner=user).count() == 1 and Tag.objects.filter(owner=user).count() == 1


def test_filters_find_a_tag_by_any_spelling(api_client, user):
    api_client.post("/api/v1/contacts/", {"first_name": "Ana", "tags": ["Café"]}, format="json")
    assert api_client.get("/api/v1/contacts/", {"tag": "CAFÉ"}).json()["count"] == 1
    assert api_client.get("/api/v1/tags/", {"name": "cafe\u0301"}).json()["count"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_rows_that_collide_under_the_key_before_the_constraint():
    before = [("contacts", "0002_import_job_partial"), ("crm", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate([("contacts", "0002_import_job_partial")])
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("auth", "User")
    OldCompany, OldContact, OldTag = (apps.get_model("contacts", m) for m in ("Company", "Contact", "Tag"))
    Opportunity = apps.get_model("crm", "Opportunity")
    owner = User.objects.create(username="legacy")
    # Distinct under LOWER() on both databases, one under the new key.
    first = OldCompany.objects.create(owner=owner, name="Straße GmbH")
    second = OldCompany.objects.create(owner=owner, name="STRASSE GMBH", website="https://strasse.example")
    cafe = OldTag.objects.create(owner=owner, name="Café")
    cafe_decomposed = OldTag.objects.create(owner=owner, name="Cafe\u0301")
    a = OldContact.objects.create(owner=owner, first_name="A", company=first)
    b = OldContact.objects.create(owner=owner, first_name="B", company=second)
    a.tags.add(cafe, cafe_decomposed)
    b.tags.add(cafe_decomposed)
    role = Opportunity.objects.create(owner=owner, title="APM", company=second)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from crm.models import Opportunity as CurrentOpportunity

    [company] = Company.objects.filter(owner_id=owner.pk)
    assert (company.pk, company.name, company.website) == (first.pk, "Straße GmbH", "https://strasse.example")
    assert set(Contact.objects.filter(owner_id=owner.pk).values_list("company_id", flat=True)) == {first.pk}
    assert CurrentOpportunity.objects.get(pk=role.pk).company_id == first.pk
    [tag] = Tag.objects.filter(owner_id=owner.pk)
    assert tag.pk == cafe.pk
    assert sorted(tag.contacts.values_list("first_name", flat=True)) == ["A", "B"]
