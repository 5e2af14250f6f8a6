"""Reads for contacts, companies and tags: always one user's rows, joins done up front."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Company, Contact, ContactEvent, Tag


def company_list(*, user) -> QuerySet[Company]:
    """The user's companies with `contact_count` (their contacts at that company)."""
    return Company.objects.filter(owner=user).annotate(contact_count=Count("contacts", distinct=True))


def tag_list(*, user) -> QuerySet[Tag]:
    """The user's tags with `contact_count`."""
    return Tag.objects.filter(owner=user).annotate(contact_count=Count("contacts", distinct=True))


def contact_list(*, user) -> QuerySet[Contact]:
    """The user's contacts (archived included), with company, referrer and tags loaded."""
    return Contact.objects.filter(owner=user).select_related("company", "referred_by").prefetch_related("tags")


def reconnect_due_q(now: datetime | None = None) -> Q:
    """Active contacts whose reconnect cadence says it is time to get back in touch."""
    return Q(archived=False, reconnect_due_at__lte=now or timezone.now())


def contact_reconnect_due_list(*, user, now: datetime | None = None) -> QuerySet[Contact]:
    return contact_list(user=user).filter(reconnect_due_q(now))


def contact_event_list(*, user) -> QuerySet[ContactEvent]:
    return ContactEvent.objects.filter(owner=user).select_related("contact")
