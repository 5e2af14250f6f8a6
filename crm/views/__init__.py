"""The web dashboard's views: thin, they parse input, call selectors and services, and render."""

from .account_settings import account_delete_view, calendar_rotate, settings_page, token_create, token_revoke
from .accounts import PasswordResetView, signup
from .contacts import (
    contact_archive,
    contact_detail,
    contact_edit,
    contact_follow_up_create,
    contact_list,
    contact_log_chat,
    contact_note_create,
    contact_plan,
    contact_request,
    job_change_seen,
)
from .contacts import (
    contact_create_view as contact_create,
)
from .follow_ups import follow_up_complete, follow_up_draft, follow_up_list, follow_up_snooze
from .message_templates import (
    template_create_view as template_create,
)
from .message_templates import (
    template_delete,
    template_edit,
    template_list,
    template_preview,
)
from .pipeline import conversation_detail, conversation_move, pipeline
from .playbook import playbook
from .today import today

__all__ = [
    "PasswordResetView",
    "account_delete_view",
    "calendar_rotate",
    "contact_archive",
    "contact_create",
    "contact_detail",
    "contact_edit",
    "contact_follow_up_create",
    "contact_list",
    "contact_log_chat",
    "contact_note_create",
    "contact_plan",
    "contact_request",
    "job_change_seen",
    "conversation_detail",
    "conversation_move",
    "follow_up_complete",
    "follow_up_draft",
    "follow_up_list",
    "follow_up_snooze",
    "pipeline",
    "playbook",
    "settings_page",
    "signup",
    "template_create",
    "template_delete",
    "template_edit",
    "template_list",
    "template_preview",
    "today",
    "token_create",
    "token_revoke",
]
