from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="crm.profile_setup")
def _setup_new_user(sender, instance, created, raw=False, **kwargs):
    # Covers every way an account appears: sign-up, the API, createsuperuser, the admin.
    if created and not raw:
        from .services import profile_setup

        profile_setup(user=instance)
