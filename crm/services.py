"""Writes for the user's own side: registration, profile, notes, opportunities, portfolio."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from knox.models import get_token_model

from contacts.models import Contact
from outreach import reminders
from outreach.models import Conversation
from outreach.services import record_touch
from outreach.starter_templates import templates_seed_starter

from .models import Note, Opportunity, PortfolioItem, Profile, new_calendar_token

PROFILE_FIELDS = (
    "timezone",
    "digest_hour",
    "email_reminders",
    "daily_digest",
    "nudge_after_days",
    "weekly_request_goal",
    "max_nudges",
    "pathway",
)


@transaction.atomic
def user_register(*, username: str, email: str, password: str):
    """A new account with its profile and starter templates (password validators applied)."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        # "Sam" and "sam" would be two accounts that log in almost alike: refuse the second.
        raise ValidationError({"username": "That username is taken."})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()  # the post_save handler sets up the profile (see crm.signals)
    return user


@transaction.atomic
def profile_setup(*, user) -> Profile:
    """Every user has a profile and starter templates, however the account was created."""
    profile, _ = Profile.objects.get_or_create(user=user)
    templates_seed_starter(owner=user)
    return profile


# The user's own name signs their messages ({my_name}) and greets them in e-mails.
NAME_FIELDS = ("first_name", "last_name")


@transaction.atomic
def profile_update(*, profile: Profile, **fields) -> Profile:
    """Change settings (and the user's name); reminders are re-planned to match."""
    unknown = set(fields) - set(PROFILE_FIELDS) - set(NAME_FIELDS)
    if unknown:
        raise TypeError(f"Not writable: {', '.join(sorted(unknown))}")
    user = profile.user
    names = {name: " ".join(str(fields.pop(name)).split()) for name in NAME_FIELDS if name in fields}
    if names:
        for name, value in names.items():
            setattr(user, name, value)
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(names))
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save(update_fields=list(fields) or None)
    user.profile = profile
    reminders.profile_changed(user)
    return profile


def api_token_create(*, user) -> tuple[object, str]:
    """A new API token; only its hash is stored, so the key is returned once, here."""
    return get_token_model().objects.create(user=user)


def api_token_revoke(*, token) -> None:
    """Requests made with this token are refused from now on."""
    token.delete()


def calendar_token_rotate(*, profile: Profile) -> Profile:
    """A new secret feed URL; the old one stops working at once."""
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token"])
    return profile


# --- notes -------------------------------------------------------------------------------


@transaction.atomic
def note_create(
    *, owner, contact: Contact, body: str, kind: str = Note.Kind.GENERAL, conversation: Conversation | None = None
) -> Note:
    """A note; a note logged against a conversation counts as a touch with the contact."""
    note = Note(owner=owner, contact=contact, conversation=conversation, kind=kind, body=body)
    note.full_clean()
    note.save()
    if conversation is not None:
        record_touch(contact=contact, at=note.created_at)
    return note


@transaction.atomic
def note_update(*, note: Note, **fields) -> Note:
    added_conversation = "conversation" in fields and fields["conversation"] and not note.conversation_id
    for name, value in fields.items():
        setattr(note, name, value)
    note.full_clean()
    note.save(update_fields=list(fields) or None)
    if added_conversation:
        record_touch(contact=note.contact, at=note.created_at)
    return note


# --- opportunities and portfolio -----------------------------------------------------------


def _create(model, owner, fields):
    obj = model(owner=owner, **fields)
    obj.full_clean()
    obj.save()
    return obj


def _update(obj, fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save(update_fields=list(fields) or None)
    return obj


def opportunity_create(*, owner, **fields) -> Opportunity:
    return _create(Opportunity, owner, fields)


def opportunity_update(*, opportunity: Opportunity, **fields) -> Opportunity:
    return _update(opportunity, fields)


def portfolio_item_create(*, owner, **fields) -> PortfolioItem:
    return _create(PortfolioItem, owner, fields)


def portfolio_item_update(*, item: PortfolioItem, **fields) -> PortfolioItem:
    return _update(item, fields)
