from django.apps import AppConfig


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"

    def ready(self):
        from contacts.signals import contact_cadence_changed

        from .services import reconnect_follow_up_sync

        def _sync(sender, contact, **kwargs):
            reconnect_follow_up_sync(contact=contact)

        contact_cadence_changed.connect(_sync, weak=False, dispatch_uid="outreach.reconnect_follow_up_sync")
