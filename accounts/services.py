"""Writes for the account: registration, profile and settings, API and calendar tokens, and
`model_update`, the one way every app updates a row."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from knox.models import get_token_model

from .models import Profile, new_calendar_token
from .signals import account_created, profile_changed
from .text import one_line


def model_update(*, instance: models.Model, fields: tuple[str, ...] | list[str], data: dict) -> set[str]:
    """Set `data` on `instance`, validate it, and save only the fields whose value changed.

    `fields` is what the caller allows to be written; anything else in `data` is a
    programming error. Many-to-many fields are set after the save. Returns the names of the
    fields that changed (empty when nothing did, and then nothing is written), so callers
    can skip work such as re-planning reminders. HackSoft's Django-Styleguide `model_update`.
    """
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"Not writable: {', '.join(sorted(unknown))}")
    changed: set[str] = set()
    many_to_many: dict[str, object] = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            many_to_many[name] = value
            continue
        # Compare foreign keys by id, so an unchanged link costs no query.
        new = value.pk if field.is_relation and isinstance(value, models.Model) else value
        if getattr(instance, field.attname) != new:
            setattr(instance, name, value)
            changed.add(name)
    if changed:
        instance.full_clean()
        update_fields = sorted(changed)
        if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
            update_fields.append("updated_at")  # auto_now fields are only written when listed
        instance.save(update_fields=update_fields)
    for name, values in many_to_many.items():
        manager = getattr(instance, name)
        if {obj.pk for obj in manager.all()} != {obj.pk for obj in values}:
            manager.set(values)
            changed.add(name)
    return changed


# --- accounts ----------------------------------------------------------------------------


@transaction.atomic
def user_register(*, username: str, email: str, password: str, timezone: str = ""):
    """A new account with its profile, on the user's clock when `timezone` is given.

    Password validators apply; a username taken in any letter case is refused. The post_save
    handler sets up the profile, and `account_created` lets the other apps add their part
    (the starter templates).
    """
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
    user.save()
    if timezone:
        profile_update(profile=user.profile, timezone=timezone)
    return user


@transaction.atomic
def profile_setup(*, user) -> Profile:
    """Every user has a profile (and what other apps add), however the account was created."""
    profile, created = Profile.objects.get_or_create(user=user)
    user.profile = profile
    account_created.send(sender=Profile, user=user)
    return profile


# The user's own name signs their messages ({my_name}) and greets them in e-mails.
NAME_FIELDS = ("first_name", "last_name")


@transaction.atomic
def profile_update(*, profile: Profile, **fields) -> Profile:
    """Change settings (and the user's name); listeners re-plan reminders for what changed."""
    user = profile.user
    names = {name: one_line(str(fields.pop(name))) for name in NAME_FIELDS if name in fields}
    unknown = set(fields) - set(Profile.SETTINGS)
    if unknown:
        raise TypeError(f"Not writable: {', '.join(sorted(unknown))}")
    if names:
        for name, value in names.items():
            setattr(user, name, value)
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(names))
    changed = model_update(instance=profile, fields=Profile.SETTINGS, data=fields)
    user.profile = profile
    profile_changed.send(sender=Profile, user=user, changed=changed)
    return profile


# --- tokens ------------------------------------------------------------------------------


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
