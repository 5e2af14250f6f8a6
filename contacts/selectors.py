"""Reads for contacts, companies and tags: always one user's rows, joins done up front.

`*_get(*, user, pk)` getters answer Http404 alike for a missing row and another user's
(accounts.selectors.scoped_get); pages and views never look rows up by id themselves.
"""

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.selectors import scoped_get

from .models import Company, Contact, ContactEvent, ImportJob, Tag


def company_list(*, user) -> QuerySet[Company]:
    """The user's companies with `contact_count` (their contacts at that company)."""
    return Company.objects.filter(owner=user).annotate(contact_count=Count("contacts", distinct=True))


def tag_list(*, user) -> QuerySet[Tag]:
    """The user's tags with `contact_count`."""
    return Tag.objects.filter(owner=user).annotate(contact_count=Count("contacts", distinct=True))


def company_get(*, user, pk) -> Company:
    return scoped_get(company_list(user=user), pk=pk, not_found="No such company.")


def tag_get(*, user, pk) -> Tag:
    return scoped_get(tag_list(user=user), pk=pk, not_found="No such tag.")


def named_by(queryset: QuerySet, name: str):
    """The row of `queryset` (companies or tags, one user's) with this name in any case, or None."""
    from .models import text_key

    return queryset.filter(name_key=text_key(name)).first()


def contact_list(*, user) -> QuerySet[Contact]:
    """The user's contacts (archived included), with company, referrer and tags loaded."""
    return Contact.objects.filter(owner=user).select_related("company", "referred_by").prefetch_related("tags")


def contact_get(*, user, pk) -> Contact:
    """One of the user's contacts, with company, referrer and tags (by name) for its page."""
    contacts = (
        Contact.objects.filter(owner=user)
        .select_related("company", "referred_by")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    )
    return scoped_get(contacts, pk=pk, not_found="No such contact.")


def reconnect_due_q(now: datetime | None = None) -> Q:
    """Active contacts whose reconnect cadence says it is time to get back in touch."""
    return Q(archived=False, reconnect_due_at__lte=now or timezone.now())


def contact_reconnect_due_list(*, user, now: datetime | None = None) -> QuerySet[Contact]:
    return contact_list(user=user).filter(reconnect_due_q(now))


def contact_event_list(*, user) -> QuerySet[ContactEvent]:
    return ContactEvent.objects.filter(owner=user).select_related("contact")


def job_change_get(*, user, pk) -> ContactEvent:
    """One of the user's job changes (found by a LinkedIn re-import), with its contact."""
    events = contact_event_list(user=user).filter(kind=ContactEvent.Kind.JOB_CHANGE)
    return scoped_get(events, pk=pk, not_found="No such job change.")


def import_job_list(*, user) -> QuerySet[ImportJob]:
    """The user's imports, newest first, without the uploaded file's content."""
    return ImportJob.objects.filter(owner=user).defer("content")


def import_job_get(*, user, pk) -> ImportJob:
    return scoped_get(import_job_list(user=user), pk=pk, not_found="No such import.")
