"""The web dashboard's views: thin, they parse input, call selectors and services, and render."""

from .account_settings import (
    account_delete_view,
    backup_restore_view,
    calendar_rotate,
    email_change,
    settings_page,
    token_create,
    token_revoke,
)
from .accounts import PasswordResetView, signup
from .contacts import (
    contact_archive,
    contact_bulk,
    contact_delete,
    contact_detail,
    contact_duplicates,
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
from .contacts import (
    contact_merge_view as contact_merge,
)
from .follow_ups import follow_up_complete, follow_up_draft, follow_up_edit, follow_up_list, follow_up_snooze
from .insights import insights_page
from .message_templates import (
    template_create_view as template_create,
)
from .message_templates import (
    template_delete,
    template_edit,
    template_list,
    template_preview,
)
from .named import company_views, tag_views
from .notes import note_delete, note_detail, note_edit, note_restore
from .opportunities import (
    note_opportunity,
    opportunity_board,
    opportunity_create_view,
    opportunity_delete_view,
    opportunity_edit,
    opportunity_move_view,
)
from .pipeline import conversation_delete, conversation_detail, conversation_move, pipeline
from .playbook import playbook
from .portfolio import portfolio_detail, portfolio_list, portfolio_status
from .today import today
from .touches import contact_touch_create, touch_contact_picker, touch_delete_view, touch_event_create

__all__ = [
    "PasswordResetView",
    "account_delete_view",
    "calendar_rotate",
    "company_views",
    "email_change",
    "insights_page",
    "backup_restore_view",
    "contact_archive",
    "contact_bulk",
    "contact_delete",
    "conversation_delete",
    "follow_up_edit",
    "note_delete",
    "note_detail",
    "note_edit",
    "note_restore",
    "tag_views",
    "contact_create",
    "contact_detail",
    "contact_duplicates",
    "contact_edit",
    "contact_follow_up_create",
    "contact_list",
    "contact_merge",
    "contact_log_chat",
    "contact_note_create",
    "contact_plan",
    "contact_request",
    "contact_touch_create",
    "job_change_seen",
    "conversation_detail",
    "conversation_move",
    "follow_up_complete",
    "follow_up_draft",
    "follow_up_list",
    "follow_up_snooze",
    "pipeline",
    "playbook",
    "note_opportunity",
    "opportunity_board",
    "opportunity_create_view",
    "opportunity_delete_view",
    "opportunity_edit",
    "opportunity_move_view",
    "portfolio_detail",
    "portfolio_list",
    "portfolio_status",
    "settings_page",
    "signup",
    "template_create",
    "template_delete",
    "template_edit",
    "template_list",
    "template_preview",
    "today",
    "touch_contact_picker",
    "touch_delete_view",
    "touch_event_create",
    "token_create",
    "token_revoke",
]
