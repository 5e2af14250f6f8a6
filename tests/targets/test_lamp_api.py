"""LAMP on companies (issue #14): target, motivation, posting, and the computed contacts / alumni."""

from contacts.models import Company
from tests.factories import CompanyFactory, ContactFactory


def _company(owner, name, *, target=True, motivation=0, posting=0, alumni=0, others=0, archived_alumni=0):
    company = CompanyFactory(owner=owner, name=name, target=target, motivation=motivation, posting=posting)
    for _ in range(alumni):
        ContactFactory(owner=owner, company=company, relationship="alumni")
    for _ in range(others):
        ContactFactory(owner=owner, company=company, relationship="engineer")
    for _ in range(archived_alumni):
        ContactFactory(owner=owner, company=company, relationship="alumni", archived=True)
    return company


def test_lamp_ordering_is_motivation_then_posting_then_alumni_then_name(user, api_client):
    _company(user, "Zeta", motivation=3, posting=1, alumni=0)
    _company(user, "Beta", motivation=3, posting=2, alumni=0)
    _company(user, "Alpha", motivation=3, posting=2, alumni=0)
    _company(user, "Gamma", motivation=3, posting=2, alumni=2)
    _company(user, "Delta", motivation=2, posting=3, alumni=5)
    _company(user, "Not a target", target=False, motivation=3, posting=3, alumni=9)
    response = api_client.get("/api/v1/companies/", {"target": "true", "ordering": "lamp"})
    assert response.status_code == 200
    # Gamma (3,2,2) > Alpha, Beta (3,2,0, by name) > Zeta (3,1) > Delta (2,…).
    assert [row["name"] for row in response.json()["results"]] == ["Gamma", "Alpha", "Beta", "Zeta", "Delta"]


def test_target_false_lists_the_other_companies(user, api_client):
    _company(user, "Target")
    _company(user, "Other", target=False)
    names = [row["name"] for row in api_client.get("/api/v1/companies/", {"target": "false"}).json()["results"]]
    assert names == ["Other"]


def test_company_objects_carry_lamp_fields_and_counts_without_archived_contacts(user, api_client):
    company = _company(user, "Acme", motivation=2, posting=1, alumni=2, others=1, archived_alumni=1)
    row = api_client.get(f"/api/v1/companies/{company.pk}/").json()
    assert row["target"] is True
    assert (row["motivation"], row["posting"]) == (2, 1)
    # Four contacts in all (contact_count, the spec's field), three active, two of them alumni.
    assert (row["contact_count"], row["contacts"], row["alumni"]) == (4, 3, 2)


def test_lamp_fields_are_written_through_the_api(user, api_client):
    response = api_client.post("/api/v1/companies/", {"name": "Acme", "target": True, "motivation": 3}, format="json")
    assert response.status_code == 201
    assert (response.json()["target"], response.json()["motivation"], response.json()["posting"]) == (True, 3, 0)
    pk = response.json()["id"]
    response = api_client.patch(f"/api/v1/companies/{pk}/", {"posting": 2, "target": False}, format="json")
    assert response.status_code == 200
    company = Company.objects.get(pk=pk)
    assert (company.target, company.motivation, company.posting) == (False, 3, 2)


def test_scores_outside_0_to_3_are_a_400_that_says_the_range(user, api_client):
    company = _company(user, "Acme", motivation=1)
    for field, value in [("motivation", 4), ("posting", -1), ("motivation", "high")]:
        response = api_client.patch(f"/api/v1/companies/{company.pk}/", {field: value}, format="json")
        assert response.status_code == 400, (field, value)
        assert "from 0 to 3" in str(response.json()), response.json()
    company.refresh_from_db()
    assert (company.motivation, company.posting) == (1, 0)


def test_the_computed_counts_are_read_only(user, api_client):
    company = _company(user, "Acme")
    api_client.patch(f"/api/v1/companies/{company.pk}/", {"alumni": 7, "contacts": 9}, format="json")
    row = api_client.get(f"/api/v1/companies/{company.pk}/").json()
    assert (row["contacts"], row["alumni"]) == (0, 0)


def test_the_lamp_list_runs_as_many_queries_for_30_targets_as_for_3(
    user,
    api_client,
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = api_client.get("/api/v1/companies/", {"target": "true", "ordering": "lamp", "page_size": 100})
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    for i in range(3):
        _company(user, f"Few {i}", alumni=1, others=1)
    few = count()
    for i in range(27):
        _company(user, f"Many {i}", alumni=1, others=1)
    many = count()
    assert few[1] == 3 and many[1] == 30
    assert few[0] == many[0] <= 2


def test_backup_round_trip_keeps_lamp_fields(user, other_user):
    from crm.backup import backup_build, backup_restore

    _company(user, "Acme", motivation=3, posting=2)
    data = backup_build(user)
    row = next(row for row in data["companies"] if row["name"] == "Acme")
    assert (row["target"], row["motivation"], row["posting"]) == (True, 3, 2)
    backup_restore(user=other_user, data=data)
    restored = Company.objects.get(owner=other_user, name="Acme")
    assert (restored.target, restored.motivation, restored.posting) == (True, 3, 2)


def test_a_backup_with_a_score_out_of_range_is_refused(user, other_user):
    from accounts.errors import ApplicationError
    from crm.backup import backup_build, backup_restore

    _company(user, "Acme", motivation=3)
    data = backup_build(user)
    data["companies"][0]["motivation"] = 9
    try:
        backup_restore(user=other_user, data=data)
    except ApplicationError as exc:
        assert "companies[0]" in str(exc)
    else:
        raise AssertionError("a motivation of 9 was restored")
    assert not Company.objects.filter(owner=other_user).exists()
