"""The fast list path (config/fastlist.py) sends exactly the JSON DRF's own serialiser does."""

from datetime import UTC, date, datetime

from rest_framework import serializers

from contacts.selectors import contact_list
from contacts.serializers import ContactSerializer
from contacts.services import contact_create
from tests.factories import CompanyFactory


class DrfContactSerializer(ContactSerializer):
    class Meta(ContactSerializer.Meta):
        list_serializer_class = serializers.ListSerializer


def test_a_contact_list_serialises_to_the_same_json_as_drf(user, other_user, api_client):
    company = CompanyFactory(owner=user, name="Acme")
    referrer = contact_create(owner=user, first_name="Ref")
    contact_create(
        owner=user,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        company=company,
        referred_by=referrer,
        tags=["mentor", "pm"],
        connected_on=date(2024, 5, 1),
        reconnect_every_days=30,
        how_we_met="A <meetup> & a talk",
        relationship="designer",
        source="event",
    )
    contact_create(owner=user, first_name="Zoë")  # every optional field empty or null
    rows = list(contact_list(user=user).order_by("first_name", "id"))
    assert ContactSerializer(rows, many=True).data == DrfContactSerializer(rows, many=True).data
    api = api_client.get("/api/v1/contacts/", {"ordering": "first_name"}).json()["results"]
    assert api == [dict(row) for row in DrfContactSerializer(rows, many=True).data]


def test_datetimes_match_drf_in_utc_and_in_another_current_zone(user):
    from django.utils import timezone

    from contacts.models import Contact

    contact_create(owner=user, first_name="Ada")
    # Microseconds and a DST-observing zone: the fast path must write exactly what DRF writes.
    Contact.objects.filter(owner=user).update(created_at=datetime(2026, 7, 1, 12, 30, 5, 123456, tzinfo=UTC))
    rows = list(contact_list(user=user))
    utc = ContactSerializer(rows, many=True).data
    assert utc[0]["created_at"] == "2026-07-01T12:30:05.123456Z"
    assert utc == DrfContactSerializer(rows, many=True).data
    with timezone.override("America/Toronto"):
        toronto = ContactSerializer(rows, many=True).data
        assert toronto[0]["created_at"] == "2026-07-01T08:30:05.123456-04:00"
        assert toronto == DrfContactSerializer(rows, many=True).data
