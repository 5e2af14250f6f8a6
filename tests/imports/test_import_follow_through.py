"""Imports that change what other parts of the account depend on: reconnect follow-ups, referrers."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from contacts.models import Contact
from contacts.services import company_create, contact_create
from outreach.models import FollowUp
from outreach.services import follow_up_create
from tests.factories import digest_day

from .conftest import upload


def _export(client) -> str:
    response = client.get("/api/v1/export/contacts.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def _edit(text: str, first_name: str, **changes) -> bytes:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        if row["first_name"] == first_name:
            row.update(changes)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _with_reconnect(user):
    ann = contact_create(owner=user, first_name="Ann", last_name="Lee", reconnect_every_days=90)
    last = timezone.now() - timedelta(days=10)
    Contact.objects.filter(pk=ann.pk).update(last_contacted_at=last, reconnect_due_at=last + timedelta(days=90))
    follow_up = follow_up_create(
        owner=user,
        contact=ann,
        kind=FollowUp.Kind.RECONNECT,
        title="Reconnect with Ann Lee",
        due_at=last + timedelta(days=90),
    )
    return ann, last, follow_up


def test_archiving_a_contact_through_a_csv_import_closes_their_reconnect_follow_up(api_client, user):
    ann, _, follow_up = _with_reconnect(user)
    body = upload(api_client, "csv", _edit(_export(api_client), "Ann", archived="true"), name="contacts.csv").json()
    assert (body["updated"], body["errors"]) == (1, [])
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.CANCELLED


def test_a_new_cadence_from_a_csv_import_moves_the_reconnect_follow_up(api_client, user):
    ann, last, follow_up = _with_reconnect(user)
    body = upload(
        api_client, "csv", _edit(_export(api_client), "Ann", reconnect_every_days="30"), name="contacts.csv"
    ).json()
    assert (body["updated"], body["errors"]) == (1, [])
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN
    assert follow_up.due_at == digest_day(last, 30)


def test_a_dry_run_leaves_the_reconnect_follow_up_alone(api_client, user):
    ann, last, follow_up = _with_reconnect(user)
    content = _edit(_export(api_client), "Ann", archived="true")
    body = upload(api_client, "csv", content, name="contacts.csv", dry_run="true").json()
    assert body["updated"] == 1
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.due_at) == (FollowUp.Status.OPEN, last + timedelta(days=90))


def test_a_name_only_referrer_shared_by_two_people_survives_the_csv_round_trip(
    api_client, other_api_client, user, other_user
):
    # Two Bob Smiths, neither with a LinkedIn URL or e-mail; Ann was referred by the one at Beta.
    acme, beta = company_create(owner=user, name="Acme"), company_create(owner=user, name="Beta")
    contact_create(owner=user, first_name="Bob", last_name="Smith", company=acme)
    bob_beta = contact_create(owner=user, first_name="Bob", last_name="Smith", company=beta)
    ann = contact_create(owner=user, first_name="Ann", last_name="Lee")
    Contact.objects.filter(pk=ann.pk).update(referred_by=bob_beta)
    text = _export(api_client)

    body = upload(other_api_client, "csv", text.encode(), name="contacts.csv").json()
    assert (body["created"], body["errors"]) == (3, [])
    restored = Contact.objects.get(owner=other_user, first_name="Ann")
    assert restored.referred_by.company.name == "Beta"
    assert _export(other_api_client) == text
    # And the file imported back into the account it came from changes nothing.
    again = upload(api_client, "csv", text.encode(), name="contacts.csv").json()
    assert (again["created"], again["updated"], again["errors"]) == (0, 0, [])
