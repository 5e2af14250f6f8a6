"""Reads for the account: the profile, the API tokens and sessions, scoped to the user; and scoped_get,
the one way every app's `<thing>_get(*, user, pk)` turns an id into one of the user's rows."""

from typing import TypeVar

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Profile

M = TypeVar("M", bound=Model)

MAX_ID = 2**63 - 1  # no row has a larger id, and SQLite refuses to compare with one


def first_rows(queryset: QuerySet[M], limit: int) -> tuple[list[M], int]:
    """The first `limit` rows of a queryset and how many it holds in all ("and 212 more"): one
    query when everything fits (limit + 1 rows read), a COUNT only when it does not."""
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], queryset.count()


def scoped_get(queryset: QuerySet[M], *, not_found: str = "Not found.", **lookup) -> M:
    """The row of a queryset that is already one user's rows matching `lookup` (its id), or Http404.

    A missing row and another user's row get the same answer (neither is in the queryset), so
    nobody learns which ids exist. Http404 is what Django's pages and DRF's views both turn
    into a 404 on their own, so the pages, the API, the calendar and the e-mail links agree
    without a mapping of their own. An id no row can have (out of range, or not a key at all)
    is simply not found either.
    """
    if any(isinstance(value, int) and not 0 < value <= MAX_ID for value in lookup.values()):
        raise Http404(not_found)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404(not_found) from None


def profile_get(*, user) -> Profile:
    return Profile.objects.select_related("user").get(user=user)


def api_token_list(*, user) -> QuerySet:
    """The user's API tokens (django-rest-knox rows; only a hash of each secret is stored)."""
    from knox.models import get_token_model

    return get_token_model().objects.filter(user=user).order_by("-created")


def api_token_get(*, user, token_key: str):
    """One of the user's API tokens, by the first characters shown on the settings page."""
    return scoped_get(api_token_list(user=user), token_key=token_key, not_found="No such token.")


def session_keys_for(*, user) -> list[str]:
    """The keys of the user's unexpired sessions in the database session store.

    Sessions are not indexed by user, so this decodes every live session: fine for what calls
    it (a password change, which is rare); expired rows are skipped (`clearsessions` deletes them).
    """
    user_id = str(user.pk)
    live = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    return [s.session_key for s in live.iterator(chunk_size=1000) if s.get_decoded().get(SESSION_KEY) == user_id]
