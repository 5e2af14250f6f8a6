"""Reads for the account: the profile and the API tokens, scoped to the user."""

from django.db.models import QuerySet

from .models import Profile


def profile_get(*, user) -> Profile:
    return Profile.objects.select_related("user").get(user=user)


def api_token_list(*, user) -> QuerySet:
    """The user's API tokens (django-rest-knox rows; only a hash of each secret is stored)."""
    from knox.models import get_token_model

    return get_token_model().objects.filter(user=user).order_by("-created")
