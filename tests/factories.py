"""factory_boy factories. Rows that carry pipeline state are built through the services."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from contacts.models import Company, Contact, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = "Ada"
    last_name = "Lovelace"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Company {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    owner = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company = factory.SubFactory(CompanyFactory, owner=factory.SelfAttribute("..owner"))
    title = "Product Manager"
    relationship = "product_manager"
    source = "linkedin"


def conversation(owner, contact=None, kind="coffee_chat", **fields):
    from outreach.services import conversation_create

    contact = contact or ContactFactory(owner=owner)
    # A builder of rows for tests: several asks of one contact are allowed here; the one-open-ask
    # rule (#10) has its own tests (tests/outreach/test_open_asks.py).
    fields.setdefault("allow_duplicate", True)
    return conversation_create(owner=owner, contact=contact, kind=kind, **fields)


def aware(*args, tz="UTC"):
    import zoneinfo

    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(tz))


def digest_day(moment, days: int = 0, *, hour: int = 8, tz: str = "UTC"):
    """When a follow-up planned `days` after `moment` falls due: that local day at the digest
    hour (default profile: 08:00 UTC), as the pipeline plans nudges and reconnects (issue #10)."""
    import zoneinfo

    zone = zoneinfo.ZoneInfo(tz)
    day = moment.astimezone(zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)
