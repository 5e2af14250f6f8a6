"""Writes for the account: registration, profile and settings, passwords, deletion, API and
calendar tokens, and `model_update`, the one way every app updates a row."""

import logging
from importlib import import_module
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate, get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import models, transaction
from django.template import loader
from knox.models import get_token_model

from . import selectors
from .models import Profile, new_calendar_token, new_mail_in_token
from .signals import account_created, profile_changed
from .text import one_line

logger = logging.getLogger(__name__)


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


EMAIL_TAKEN = "Another account uses that e-mail address."


def _email_taken(email: str, *, exclude_pk=None) -> bool:
    """E-mail addresses are one account's each, in any letter case (Ada@X.org is ada@x.org)."""
    users = get_user_model().objects.filter(email__iexact=email)
    return users.exclude(pk=exclude_pk).exists() if exclude_pk else users.exists()


def registration_errors(*, username: str = "", email: str = "", password: str = "") -> dict[str, list[str]]:
    """Every reason these values cannot make an account, per field, all at once (so a page or
    a client can show them together): a username or e-mail taken in any letter case, and the
    password validators. A field left empty is not checked (the caller's form requires it)."""
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    if username and User.objects.filter(username__iexact=username).exists():
        # "Sam" and "sam" would be two accounts that log in almost alike: refuse the second.
        errors["username"] = ["That username is taken."]
    if email and _email_taken(email):
        errors["email"] = [EMAIL_TAKEN]
    if password:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            errors["password"] = exc.messages
    return errors


@transaction.atomic
def user_register(*, username: str, email: str, password: str, timezone: str = ""):
    """A new account with its profile, on the user's clock when `timezone` is given.

    Every refusal of `registration_errors` comes back at once. The post_save handler sets up
    the profile, and `account_created` lets the other apps add their part (the starter templates).
    """
    User = get_user_model()
    email = User.objects.normalize_email(email)
    errors = registration_errors(username=username, email=email, password=password)
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    if timezone:
        profile_update(profile=user.profile, timezone=timezone)
    return user


@transaction.atomic
def user_email_change(*, user, email: str):
    """The address reminders and password resets go to. Refused when it is not an address or
    another account uses it in any letter case; the domain is stored in lower case."""
    User = get_user_model()
    email = User.objects.normalize_email((email or "").strip())
    if not email:
        raise ValidationError({"email": "Give an e-mail address."})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from None
    if _email_taken(email, exclude_pk=user.pk):
        raise ValidationError({"email": EMAIL_TAKEN})
    model_update(instance=user, fields=("email",), data={"email": email})
    return user


@transaction.atomic
def profile_setup(*, user) -> Profile:
    """Every user has a profile (and what other apps add), however the account was created."""
    profile, created = Profile.objects.get_or_create(user=user)
    user.profile = profile
    account_created.send(sender=Profile, user=user)
    return profile


def password_confirmed(*, request, user, password: str) -> bool:
    """Whether `password` is the user's own, re-entered to confirm a destructive step.

    Checked through `authenticate`, like a log-in: every configured backend applies, a wrong
    guess is reported as a failed log-in (`user_login_failed`), and a lock-out tool such as
    django-axes counts it, so the confirmation is no easier to brute-force than the log-in.
    """
    if not password:
        return False
    confirmed = authenticate(request, username=user.get_username(), password=password)
    return confirmed is not None and confirmed.pk == user.pk


@transaction.atomic
def account_delete(*, user) -> dict[str, int]:
    """Delete the account and everything it owns, in one transaction; returns rows deleted per model.

    Every owned row points at the user with on_delete=CASCADE (OwnedModel.owner, the profile,
    django-rest-knox tokens, the admin log), so deleting the user deletes them all, with the
    rows below them (stage changes, reminders, import jobs and the uploads they keep).
    tests/accounts/test_account_delete.py proves it for every model. What is not linked by a key
    is deleted here: the user's sessions and, if django-axes is installed, its log-in records.
    """
    User = get_user_model()
    # The account's row lock, the one every import takes: a background import batch that is
    # writing commits first, and no later batch can write rows for an owner that is gone.
    locked = User.objects.select_for_update().get(pk=user.pk)
    sessions = _user_sessions_delete(user_id=locked.pk)
    attempts = _login_records_delete(username=locked.get_username())
    _, counts = locked.delete()
    counts = {**counts, "sessions": sessions, "login_records": attempts}
    logger.info("Account %s deleted: %s", user.pk, counts)
    return counts


def _user_sessions_delete(*, user_id) -> int:
    """Delete the user's stored sessions, expired ones included (they still hold what the
    user's pages put in them, and nothing here runs clearsessions).

    Session rows are not keyed by user, so each is decoded, in batches, to read its user id.
    That costs one pass over the session table, acceptable for an action this rare, and it
    needs nothing new stored at log-in. Sessions are only invalid anyway once the user row
    is gone (Django finds no user for the id, and a reused id fails the session's password
    hash); deleting them also removes their data. Nothing to do for signed-cookie sessions.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    decoder = store_class()
    wanted = str(user_id)
    keys = [
        key
        for key, data in model.objects.values_list("session_key", "session_data").iterator(chunk_size=2000)
        if str(decoder.decode(data).get(SESSION_KEY)) == wanted
    ]
    for key in keys:
        store_class(session_key=key).delete()  # a cached_db session also leaves the cache
    return len(keys)


def _login_records_delete(*, username: str) -> int:
    """django-axes keeps failed log-ins (and, optionally, a log of log-ins) by username, not by key."""
    if not apps.is_installed("axes"):
        return 0
    deleted = 0
    for model in apps.get_app_config("axes").get_models():
        if any(field.name == "username" for field in model._meta.concrete_fields):
            deleted += model.objects.filter(username__iexact=username).delete()[0]
    return deleted


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


# --- passwords ---------------------------------------------------------------------------


@transaction.atomic
def password_changed(*, user, keep_session_key: str | None = None) -> None:
    """After a password change or reset: every API token of the user stops working and every
    session but `keep_session_key` ends, so whoever held the old password is out everywhere.

    Called for every real change (accounts.signals: the change and reset forms, the admin,
    `changepassword`, the shell), never for Django's silent re-hashing of the same password.
    The password-change page keeps its own browser logged in through Django's
    update_session_auth_hash, which moves that session to a new key after this has run.
    """
    get_token_model().objects.filter(user=user).delete()
    ended = [key for key in selectors.session_keys_for(user=user) if key != keep_session_key]
    Session.objects.filter(session_key__in=ended).delete()


def password_reset_request(*, email: str) -> None:
    """Queue the reset e-mail for whoever uses this address, once the transaction commits.

    Nothing is looked up here, so the request takes the same time whether or not an account
    uses the address (no telling which addresses have accounts by timing the answer).
    """
    from .tasks import send_password_reset

    send_password_reset.delay_on_commit(email)


class _PasswordResetMail(PasswordResetForm):
    """Django's reset e-mail (its rules for who gets one, its token), except that a refused send
    raises, so the task retries it, instead of being logged and lost."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        EmailMultiAlternatives(subject, body, from_email, [to_email]).send()


def password_reset_send(*, email: str) -> None:
    """Mail a reset link to each active account with this address (usually one or none), with
    links on SITE_URL, never on whatever Host header a request carried."""
    form = _PasswordResetMail({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        extra_email_context={"site_name": "Coffeechat"},
    )


# --- tokens ------------------------------------------------------------------------------


def api_token_create(*, user) -> tuple[object, str]:
    """A new API token; only its hash is stored, so the key is returned once, here."""
    return get_token_model().objects.create(user=user)


def api_token_revoke(*, token) -> None:
    """Requests made with this token are refused from now on."""
    token.delete()


def mail_in_token_rotate(*, profile: Profile) -> Profile:
    """A new private mail-in address; mail to the old one is refused (550) from now on."""
    profile.mail_in_token = new_mail_in_token()
    profile.save(update_fields=["mail_in_token"])
    return profile


def calendar_token_rotate(*, profile: Profile) -> Profile:
    """A new secret feed URL; the old one stops working at once."""
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token"])
    return profile
