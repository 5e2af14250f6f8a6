"""Accounts sit beneath every other app, so they announce rather than call upwards."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

#: Sent once a new user's profile exists, inside the same transaction. Arguments: user.
account_created = Signal()

#: Sent inside profile_update's transaction. Arguments: user, changed (set of setting names).
profile_changed = Signal()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.profile_setup")
def _setup_new_user(sender, instance, created, raw=False, **kwargs):
    # Covers every way an account appears: sign-up, the API, createsuperuser, the admin.
    if created and not raw:
        from .services import profile_setup

        profile_setup(user=instance)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.password_changed")
def _end_sessions_on_password_change(sender, instance, created, raw=False, **kwargs):
    # set_password() leaves the new password on `_password` until save() has run, and Django's
    # silent re-hashing of an unchanged password clears it first: so this is every real change
    # (change and reset forms, the admin, `changepassword`) and nothing else.
    if not created and not raw and getattr(instance, "_password", None) is not None:
        from .services import password_changed

        password_changed(user=instance)
