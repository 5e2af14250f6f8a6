"""The Coffeechat CSV and vCard: exports that are safe to open and import back unchanged."""

import csv
import io
from datetime import date, datetime, timezone

import pytest
import vobject
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from contacts.importers.csv_format import COLUMNS, neutralise, tags_decode, tags_encode, unneutralise
from contacts.models import Company, Contact, Tag
from contacts.services import contact_create
from tests.factories import ContactFactory, UserFactory

from .conftest import sample, upload


def export_csv(client) -> str:
    response = client.get("/api/v1/export/contacts.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode("utf-8")


def export_vcf(client) -> str:
    response = client.get("/api/v1/export/contacts.vcf")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_csv_export_has_the_documented_columns_and_every_field(api_client, user):
    referrer = ContactFactory(owner=user, first_name="Rita", linkedin_url="https://www.linkedin.com/in/rita")
    contact = contact_create(
        owner=user,
        first_name="Priya",
        last_name="Raman",
        email="priya@example.com",
        linkedin_url="https://linkedin.com/in/priya/",
        company=referrer.company,
        title="PM",
        relationship="product_manager",
        source="referral",
        how_we_met="Line one\nline two, with comma",
        connected_on=date(2024, 3, 12),
        reconnect_every_days=30,
        referred_by=referrer,
        tags=["mentor", "a;b"],
    )
    text = export_csv(api_client)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    priya = next(r for r in rows(text) if r["first_name"] == "Priya")
    assert priya == {
        "first_name": "Priya",
        "last_name": "Raman",
        "email": "priya@example.com",
        "linkedin_url": "https://www.linkedin.com/in/priya",
        "company": contact.company.name,
        "title": "PM",
        "relationship": "product_manager",
        "source": "referral",
        "tags": "a\\;b;mentor",
        "how_we_met": "Line one\nline two, with comma",
        "connected_on": "2024-03-12",
        "reconnect_every_days": "30",
        "archived": "false",
        "referred_by": "https://www.linkedin.com/in/rita",
        "last_contacted_at": "",
    }


@pytest.mark.parametrize("dangerous", ["=1+1", "+33 6 12", "-2", "@SUM(A1)", "\tx", "\rx", "'=already"])
def test_the_csv_export_neutralises_formulas(api_client, user, dangerous):
    ContactFactory(owner=user, first_name="Eve", title=dangerous, company=None)
    eve = rows(export_csv(api_client))[0]
    assert eve["title"] == "'" + dangerous


def test_neutralising_is_undone_exactly():
    for value in ["=1", "'=1", "''=1", "'abc", "abc", "", "-", "'", "@", "a=b"]:
        assert unneutralise(neutralise(value)) == value


def test_tag_lists_round_trip_with_separators_inside_names():
    names = ["a;b", "back\\slash", "plain"]
    assert tags_decode(tags_encode(names)) == names


def test_the_csv_export_never_contains_another_users_contacts(api_client, user, other_user):
    ContactFactory(owner=user, first_name="Mine")
    ContactFactory(owner=other_user, first_name="Theirs")
    assert [r["first_name"] for r in rows(export_csv(api_client))] == ["Mine"]
    assert "Theirs" not in export_vcf(api_client)


def test_exports_need_a_login(client):
    assert client.get("/api/v1/export/contacts.csv").status_code == 401
    assert client.get("/api/v1/export/contacts.vcf").status_code == 401


def test_csv_import_reports_bad_rows_by_line_and_imports_the_rest(api_client, user):
    content = (
        "first_name,last_name,email,relationship,reconnect_every_days,archived\n"
        "Ann,A,ann@example.com,designer,14,false\n"
        "Bob,B,bob@,,,\n"
        "Cy,C,,astronaut,,\n"
        "Di,D,,,-3,\n"
        "Ed,E,,,,maybe\n"
    ).encode()
    body = upload(api_client, "csv", content, name="contacts.csv").json()
    assert body["created"] == 1
    assert [e["row"] for e in body["errors"]] == [3, 4, 5, 6]
    ann = Contact.objects.get(owner=user)
    assert (ann.relationship, ann.reconnect_every_days, ann.source) == ("designer", 14, "other")
    assert ann.reconnect_due_at is not None


def test_csv_import_without_first_name_column_names_it(api_client):
    response = upload(api_client, "csv", b"last_name,email\nA,a@example.com\n")
    assert response.status_code == 400
    assert "first_name" in response.json()["detail"]


def test_csv_import_accepts_a_linkedin_style_header(api_client, user):
    upload(api_client, "csv", b"First Name,Last Name,Email Address,Company,Position\nAnn,A,ann@example.com,Acme,PM\n")
    ann = Contact.objects.get(owner=user)
    assert (ann.email, ann.company.name, ann.title) == ("ann@example.com", "Acme", "PM")


def test_csv_import_links_referrers_and_adds_tags_without_removing_any(api_client, user):
    content = (
        "first_name,last_name,email,tags,referred_by\nAnn,A,ann@example.com,mentor;pm,Bob B\nBob,B,bob@example.com,,\n"
    ).encode()
    assert upload(api_client, "csv", content).json()["created"] == 2
    ann = Contact.objects.get(owner=user, first_name="Ann")
    assert ann.referred_by.first_name == "Bob"
    assert sorted(ann.tags.values_list("name", flat=True)) == ["mentor", "pm"]
    again = upload(api_client, "csv", content.replace(b"mentor;pm", b"mentor")).json()
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 2)
    assert ann.tags.count() == 2


# --- vCard ---------------------------------------------------------------------------------


def test_the_sample_vcards_3_and_4_import(api_client, user):
    response = upload(api_client, "vcard", sample("contacts.vcf"), name="contacts.vcf")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    priya = Contact.objects.get(owner=user, first_name="Priya")
    assert (priya.last_name, priya.company.name, priya.email) == ("Raman", "Shopify", "priya.raman@example.com")
    assert priya.linkedin_url == "https://www.linkedin.com/in/priya-raman-pm"
    assert priya.how_we_met.startswith("Met at a product community meetup.")
    assert Contact.objects.get(owner=user, first_name="Marcus").title == "Product Manager, Growth"


def test_vcard_after_linkedin_enriches_instead_of_duplicating(api_client, user):
    upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    body = upload(api_client, "vcard", sample("contacts.vcf"), name="contacts.vcf").json()
    assert (body["created"], body["updated"]) == (0, 2)
    assert Contact.objects.get(owner=user, first_name="Marcus").email == "marcus@example.net"


def test_a_file_without_vcards_is_refused(api_client):
    response = upload(api_client, "vcard", b"hello, world\n", name="x.vcf")
    assert response.status_code == 400
    assert "BEGIN:VCARD" in response.json()["detail"]


def test_a_card_without_a_name_is_reported_by_line(api_client, user):
    content = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:x@example.com\r\nEND:VCARD\r\n"
    body = upload(api_client, "vcard", content, name="x.vcf").json()
    assert body["created"] == 1 and body["errors"] == [{"row": 5, "message": "The card has no name (N or FN)."}]


def test_the_vcf_export_parses_as_vcard_and_round_trips(api_client, user):
    referrer = ContactFactory(owner=user, first_name="Rita", last_name="Ref", email="rita@example.com")
    contact_create(
        owner=user,
        first_name="Zoë",
        last_name="D'Arcy; Jr.",
        email="zoe@example.com",
        linkedin_url="https://www.linkedin.com/in/zoe",
        title="Head of Product, Platform",
        how_we_met="Line one\nline two; three, four",
        connected_on=date(2024, 3, 12),
        reconnect_every_days=30,
        archived=True,
        relationship="alumni",
        source="event",
        referred_by=referrer,
        tags=["mentor", "a,b"],
    )
    text = export_vcf(api_client)
    cards = list(vobject.readComponents(text))
    assert len(cards) == 2
    fresh = UserFactory(username="fresh")
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(fresh)
    body = upload(client, "vcard", text.encode(), name="contacts.vcf").json()
    assert (body["created"], body["errors"]) == (2, [])
    assert export_vcf(client) == text


# --- property: export, import into a fresh account, export again -> identical ---------------

# Names as people type them: printable, no leading/trailing blanks or runs of spaces.
_word = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters="\u0085"),
    min_size=1,
    max_size=12,
)
_name = st.lists(_word, min_size=1, max_size=3).map(" ".join)
# Company and tag names match case-insensitively; SQLite's LOWER() folds ASCII only, so
# generated ones stay ASCII (plus punctuation that CSV and the tag list must escape).
_label = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,;\\\"'=+@-]{0,20}[A-Za-z0-9]|[A-Za-z0-9]", fullmatch=True).map(
    lambda s: " ".join(s.split())
)
_free_text = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\n\r\t")), max_size=60
)
_contact = st.fixed_dictionaries(
    {
        "first_name": _name.filter(lambda s: len(s) <= 100),
        "last_name": st.one_of(st.just(""), _name.filter(lambda s: len(s) <= 100)),
        "email": st.one_of(st.just(""), st.from_regex(r"[a-z0-9]{1,10}@example\.(com|org)", fullmatch=True)),
        "slug": st.one_of(st.none(), st.from_regex(r"[a-z0-9\-]{1,20}", fullmatch=True)),
        "company": st.one_of(st.none(), _label),
        "title": st.one_of(st.just(""), _name.filter(lambda s: len(s) <= 200)),
        "relationship": st.sampled_from(Contact.Relationship.values),
        "source": st.sampled_from(Contact.Source.values),
        "how_we_met": _free_text,
        "connected_on": st.one_of(st.none(), st.dates(min_value=date(2003, 1, 1), max_value=date(2030, 1, 1))),
        "reconnect_every_days": st.one_of(st.none(), st.integers(min_value=1, max_value=3650)),
        "archived": st.booleans(),
        "tags": st.lists(_label, max_size=3),
        "last_contacted_at": st.one_of(
            st.none(),
            st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 1, 1)).map(
                lambda d: d.replace(microsecond=0, tzinfo=timezone.utc)
            ),
        ),
        "referrer": st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    }
)


def _make(owner, specs):
    made = []
    for index, spec in enumerate(specs):
        spec = dict(spec)
        slug, company, referrer = spec.pop("slug"), spec.pop("company"), spec.pop("referrer")
        tags, last = spec.pop("tags"), spec.pop("last_contacted_at")
        if slug and not any(c.linkedin_url.endswith("/" + slug) for c in made):
            spec["linkedin_url"] = f"https://www.linkedin.com/in/{slug}"
        if company:
            from contacts.services import company_get_or_create

            spec["company"] = company_get_or_create(owner=owner, name=company)
        contact = contact_create(owner=owner, tags=tags, **spec)
        if last:
            Contact.objects.filter(pk=contact.pk).update(last_contacted_at=last)
        if referrer is not None and made:
            ref = made[referrer % len(made)]
            if ref.linkedin_url or ref.email:  # name-only referrers can be ambiguous
                Contact.objects.filter(pk=contact.pk).update(referred_by=ref)
        made.append(contact)


def _unique_identities(specs):
    """Upsert keys must tell the generated people apart, as they do real ones."""
    seen = set()
    for spec in specs:
        keys = [("email", spec["email"].lower())] if spec["email"] else []
        keys.append(("name", spec["first_name"].lower(), spec["last_name"].lower(), (spec["company"] or "").lower()))
        if any(key in seen for key in keys):
            return False
        seen.update(keys)
    return True


def _sorted_export(client) -> list[dict]:
    exported = rows(export_csv(client))
    return sorted(exported, key=lambda r: tuple(r.values()))


# A property test over export, import into a new account and export again, through the API:
# 25 accounts, ~15 s; `make test` runs it.
@pytest.mark.slow
@pytest.mark.django_db
@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(specs=st.lists(_contact, min_size=1, max_size=6).filter(_unique_identities))
def test_csv_export_imported_into_a_fresh_account_exports_identically(specs):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()
    source, target = UserFactory(), UserFactory()
    try:
        _make(source, specs)
        a, b = APIClient(), APIClient()
        a.force_authenticate(source)
        b.force_authenticate(target)
        before = _sorted_export(a)
        text = export_csv(a)
        body = upload(b, "csv", text.encode("utf-8"), name="contacts.csv").json()
        assert body["errors"] == [] and body["created"] == len(specs)
        assert _sorted_export(b) == before
        # And importing it again into the account it came from changes nothing.
        again = upload(a, "csv", text.encode("utf-8"), name="contacts.csv").json()
        assert (again["created"], again["updated"], again["errors"]) == (0, 0, [])
        assert _sorted_export(a) == before
    finally:
        for user in (source, target):
            Contact.objects.filter(owner=user).delete()
            Company.objects.filter(owner=user).delete()
            Tag.objects.filter(owner=user).delete()
            user.delete()
