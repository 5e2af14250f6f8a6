"""Warm intros (issue #14): intro paths to a company on a small hand-built graph."""

from contacts.models import ContactEvent
from tests.factories import CompanyFactory, ContactFactory, aware


def _person(owner, first, last, company=None, **fields):
    return ContactFactory(owner=owner, first_name=first, last_name=last, company=company, **fields)


def _left(contact, previous, when):
    event = ContactEvent.objects.create(
        owner=contact.owner,
        contact=contact,
        kind="job_change",
        summary="moved",
        previous_company=previous,
        new_company="Beta",
    )
    ContactEvent.objects.filter(pk=event.pk).update(created_at=when)


def test_intro_paths_on_a_hand_built_graph(user, other_user, api_client):
    acme = CompanyFactory(owner=user, name="Acme", target=True)
    beta = CompanyFactory(owner=user, name="Beta")
    dana = _person(user, "Dana", "Diaz", acme)  # works at Acme: reached, never an introducer
    sam = _person(user, "Sam", "Smith", beta)
    _left(sam, "ACME", aware(2025, 3, 3, 12))  # the name key matches in any case
    rita = _person(user, "Rita", "Ray", beta)
    dana.referred_by = rita
    dana.save()
    otto = _person(user, "Otto", "Olsen", beta)
    sam.referred_by = otto
    sam.save()
    _person(user, "Paula", "Park", beta, referred_by=dana)
    archie = _person(user, "Archie", "Archived", beta, archived=True)
    _left(archie, "Acme", aware(2025, 1, 1))
    _person(user, "Archy", "Gone", beta, referred_by=dana, archived=True)
    _person(user, "Una", "Unlinked", beta)
    # Another user's contact who left "Acme": never a path of this user's.
    mallory_contact = _person(other_user, "Mal", "Other", CompanyFactory(owner=other_user, name="X"))
    _left(mallory_contact, "Acme", aware(2025, 2, 2))

    response = api_client.get(f"/api/v1/companies/{acme.pk}/intro-paths/")

    assert response.status_code == 200
    assert [(row["contact_name"], row["kind"], row["reason"]) for row in response.json()] == [
        ("Sam Smith", "worked_there", "Sam Smith worked at Acme until 2025 (job change seen 3 Mar 2025)"),
        ("Rita Ray", "referral_reached", "Rita Ray introduced you to Dana Diaz, who works at Acme"),
        ("Otto Olsen", "second_degree", "Otto Olsen introduced you to Sam Smith, who worked at Acme"),
        ("Paula Park", "second_degree", "Paula Park was introduced to you by Dana Diaz, who works at Acme"),
    ]
    assert response.json()[0]["contact"] == sam.pk


def test_a_contact_with_two_paths_is_listed_once_with_the_strongest(user, api_client):
    acme = CompanyFactory(owner=user, name="Acme")
    dana = _person(user, "Dana", "Diaz", acme)
    sam = _person(user, "Sam", "Smith", None)
    _left(sam, "Acme", aware(2024, 6, 1))
    dana.referred_by = sam  # Sam also referred Dana, who works there
    dana.save()
    rows = api_client.get(f"/api/v1/companies/{acme.pk}/intro-paths/").json()
    assert [(row["contact_name"], row["kind"]) for row in rows] == [("Sam Smith", "worked_there")]


def test_intro_paths_are_bounded_to_20(user, api_client):
    acme = CompanyFactory(owner=user, name="Acme")
    for i in range(23):
        _left(_person(user, f"P{i:02d}", "Alum", None), "Acme", aware(2025, 1, 1))
    rows = api_client.get(f"/api/v1/companies/{acme.pk}/intro-paths/").json()
    assert len(rows) == 20
    assert rows[0]["contact_name"] == "P00 Alum" and rows[-1]["contact_name"] == "P19 Alum"


def test_another_users_company_is_404(user, other_user, api_client):
    theirs = CompanyFactory(owner=other_user, name="Acme")
    assert api_client.get(f"/api/v1/companies/{theirs.pk}/intro-paths/").status_code == 404
