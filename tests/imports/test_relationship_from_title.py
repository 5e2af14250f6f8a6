"""Imports guess a contact's relationship from their title (contacts/titles.py), only over the
default `other`; an explicit relationship in the file wins, and one the user set stays (#10)."""

import pytest

from contacts.models import Contact
from contacts.services import contact_create, contact_update
from contacts.titles import relationship_from_title

from .conftest import upload

# Real-world titles as people write them on LinkedIn, and what each should read as.
TITLES = [
    # product managers
    ("Senior Product Manager", "product_manager"),
    ("Product Manager II, Payments", "product_manager"),
    ("APM", "product_manager"),
    ("Associate Product Manager", "product_manager"),
    ("Group Product Manager", "product_manager"),
    ("GPM - Growth", "product_manager"),
    ("Head of Product", "product_manager"),
    ("VP, Product", "product_manager"),
    ("Director of Product Management", "product_manager"),
    ("CPO", "product_manager"),
    ("Chief Product Officer & Co-founder", "product_manager"),
    ("Product Owner", "product_manager"),
    ("Technical Product Manager (Data Platform)", "product_manager"),
    ("Sr. PM, Checkout", "product_manager"),
    ("Principal PM Manager", "product_manager"),
    ("Product @ Stripe", "product_manager"),
    ("Product Lead", "product_manager"),
    ("Produktmanagerin", "product_manager"),
    ("Chef de produit", "product_manager"),
    ("Gerente de Producto", "product_manager"),
    # designers (false friend: "Product Designer" is a designer)
    ("Product Designer", "designer"),
    ("Senior UX Designer", "designer"),
    ("UX Researcher", "designer"),
    ("User Researcher", "designer"),
    ("Head of Product Design", "designer"),
    ("UI/UX Designer", "designer"),
    ("UX-Designerin", "designer"),
    ("Diseñador UX", "designer"),
    # engineers
    ("Staff Software Engineer", "engineer"),
    ("Frontend Developer", "engineer"),
    ("Full-Stack Developer", "engineer"),
    ("Engineering Manager", "engineer"),
    ("SRE", "engineer"),
    ("Data Engineer", "engineer"),
    ("Machine Learning Engineer", "engineer"),
    ("UI Engineer", "engineer"),
    ("CTO", "engineer"),
    ("Softwareentwickler", "engineer"),
    ("Ingénieur logiciel", "engineer"),
    ("Développeuse web", "engineer"),
    # analysts
    ("Data Scientist", "analyst"),
    ("Business Analyst", "analyst"),
    ("Product Analyst", "analyst"),
    ("Senior Analytics Manager", "analyst"),
    ("BI Lead", "analyst"),
    ("Analista de datos", "analyst"),
    # recruiters
    ("Technical Recruiter", "recruiter"),
    ("Talent Partner", "recruiter"),
    ("Talent Acquisition Lead", "recruiter"),
    ("Engineering Recruiter", "recruiter"),
    ("Sourcer", "recruiter"),
    ("Recrutadora", "recruiter"),
    # no guess: the contact stays `other`
    ("Product Marketing Manager", ""),
    ("Senior Product Marketing Manager", ""),
    ("VP Product Marketing", ""),
    ("Project Manager", ""),
    ("Technical Program Manager", ""),
    ("Business Development Manager", ""),
    ("Founder & CEO", ""),
    ("Marketing Manager", ""),
    ("Scrum Master", ""),
    ("Student", ""),
    ("npm maintainer", ""),
    ("", ""),
    ("   ", ""),
]


@pytest.mark.parametrize(("title", "expected"), TITLES, ids=[t or "(empty)" for t, _ in TITLES])
def test_a_real_title_reads_as_its_relationship(title, expected):
    assert relationship_from_title(title) == expected


def test_the_table_of_titles_is_large_and_covers_every_guess():
    assert len(TITLES) >= 30
    assert {expected for _, expected in TITLES} == {
        "product_manager",
        "designer",
        "engineer",
        "analyst",
        "recruiter",
        "",
    }


def test_a_guess_is_always_a_relationship_the_model_accepts():
    assert {relationship_from_title(title) for title, _ in TITLES} - {""} <= set(Contact.Relationship.values)


# --- through the imports ------------------------------------------------------------------

LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def linkedin(*rows: str) -> bytes:
    return ('Notes:\n"Export"\n\n' + LINKEDIN_HEADER + "".join(row + "\n" for row in rows)).encode()


def by_name(user, first_name) -> Contact:
    return Contact.objects.get(owner=user, first_name=first_name)


def test_a_linkedin_import_labels_new_contacts_from_their_position(api_client, user):
    content = linkedin(
        "Priya,Raman,https://www.linkedin.com/in/priya,,Acme,Senior Product Manager,12 Mar 2024",
        "Dan,Lee,https://www.linkedin.com/in/dan,,Acme,Product Designer,12 Mar 2024",
        "Mo,Ali,https://www.linkedin.com/in/mo,,Acme,Product Marketing Manager,12 Mar 2024",
        "Tess,Ng,https://www.linkedin.com/in/tess,,Acme,Talent Partner,12 Mar 2024",
    )
    response = upload(api_client, "linkedin", content)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 4
    assert by_name(user, "Priya").relationship == "product_manager"
    assert by_name(user, "Dan").relationship == "designer"
    assert by_name(user, "Mo").relationship == "other"
    assert by_name(user, "Tess").relationship == "recruiter"


def test_a_dry_run_reports_and_writes_nothing(api_client, user):
    content = linkedin("Priya,Raman,https://www.linkedin.com/in/priya,,Acme,APM,12 Mar 2024")
    assert upload(api_client, "linkedin", content, dry_run="true").json()["created"] == 1
    assert not Contact.objects.filter(owner=user).exists()


def test_a_reimport_labels_a_contact_still_at_other(api_client, user):
    contact = contact_create(
        owner=user, first_name="Priya", last_name="Raman", linkedin_url="https://www.linkedin.com/in/priya"
    )
    assert contact.relationship == "other"
    content = linkedin("Priya,Raman,https://www.linkedin.com/in/priya,,Acme,Head of Product,12 Mar 2024")
    assert upload(api_client, "linkedin", content).json()["updated"] == 1
    assert by_name(user, "Priya").relationship == "product_manager"


def test_a_reimport_never_overwrites_a_relationship_the_user_set(api_client, user):
    content = linkedin("Priya,Raman,https://www.linkedin.com/in/priya,,Acme,Senior Product Manager,12 Mar 2024")
    upload(api_client, "linkedin", content)
    priya = by_name(user, "Priya")
    contact_update(contact=priya, relationship="alumni")
    # A later export shows a new title: the job change is recorded, the relationship stays.
    content = linkedin("Priya,Raman,https://www.linkedin.com/in/priya,,Acme,Data Scientist,12 Mar 2024")
    assert upload(api_client, "linkedin", content).json()["updated"] == 1
    priya.refresh_from_db()
    assert (priya.title, priya.relationship) == ("Data Scientist", "alumni")


def test_an_earlier_guess_is_not_redone_when_the_title_changes(api_client, user):
    first = linkedin("Priya,Raman,https://www.linkedin.com/in/priya,,Acme,Software Engineer,12 Mar 2024")
    upload(api_client, "linkedin", first)
    later = linkedin("Priya,Raman,https://www.linkedin.com/in/priya,,Acme,Product Manager,12 Mar 2024")
    upload(api_client, "linkedin", later)
    # The stored value is no longer `other`: the user may have confirmed it; it stays.
    assert by_name(user, "Priya").relationship == "engineer"


CSV_HEADER = "first_name,last_name,title,relationship\n"


def test_a_csv_relationship_column_wins_over_the_title(api_client, user):
    content = (CSV_HEADER + "Priya,Raman,Senior Product Manager,alumni\nDan,Lee,UX Researcher,\n").encode()
    response = upload(api_client, "csv", content, name="contacts.csv")
    assert response.status_code == 200, response.content
    assert by_name(user, "Priya").relationship == "alumni"
    assert by_name(user, "Dan").relationship == "designer"


def test_a_csv_relationship_column_overrides_a_stored_value(api_client, user):
    contact_create(owner=user, first_name="Priya", last_name="Raman", relationship="designer")
    content = (CSV_HEADER + "Priya,Raman,Senior Product Manager,recruiter\n").encode()
    assert upload(api_client, "csv", content, name="contacts.csv").json()["updated"] == 1
    assert by_name(user, "Priya").relationship == "recruiter"


def test_a_csv_row_without_relationship_leaves_a_set_value(api_client, user):
    contact_create(owner=user, first_name="Priya", last_name="Raman", relationship="hiring_manager")
    content = (CSV_HEADER + "Priya,Raman,Senior Product Manager,\n").encode()
    upload(api_client, "csv", content, name="contacts.csv")
    assert by_name(user, "Priya").relationship == "hiring_manager"


def test_a_vcard_title_labels_a_new_contact(api_client, user):
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Raman;Priya;;;\r\nFN:Priya Raman\r\n"
        "TITLE:Staff Software Engineer\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Dan;;;\r\nFN:Dan Lee\r\nTITLE:Product Owner\r\n"
        "X-COFFEECHAT-RELATIONSHIP:alumni\r\nEND:VCARD\r\n"
    ).encode()
    response = upload(api_client, "vcard", card, name="contacts.vcf")
    assert response.status_code == 200, response.content
    assert by_name(user, "Priya").relationship == "engineer"
    assert by_name(user, "Dan").relationship == "alumni"
