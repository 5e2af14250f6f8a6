from django.apps import AppConfig


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"

    def ready(self):
        from . import signals  # noqa: F401
        from .capture import linkedin_messages  # noqa: F401  (registers the messages.csv job runner)
