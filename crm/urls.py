"""The web dashboard's pages (the Import page lives in contacts/urls.py)."""

from django.urls import include, path

from crm import views
from crm.views import account_settings, capture, questions, targets

urlpatterns = [
    # Accounts
    path("signup/", views.signup, name="signup"),
    # Rate-limited; the e-mail is queued (same answer and work for any address), its link on SITE_URL.
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # Today
    path("", views.today, name="today"),
    # Contacts
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/duplicates/", views.contact_duplicates, name="contact_duplicates"),
    path("contacts/bulk/", views.contact_bulk, name="contact_bulk"),
    path("contacts/<int:pk>/merge/", views.contact_merge, name="contact_merge"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/archive/", views.contact_archive, name="contact_archive"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/request/", views.contact_request, name="contact_request"),
    path("contacts/<int:pk>/plan/", views.contact_plan, name="contact_plan"),
    path("contacts/<int:pk>/log-chat/", views.contact_log_chat, name="contact_log_chat"),
    path("contacts/<int:pk>/notes/", views.contact_note_create, name="contact_note_create"),
    path("contacts/<int:pk>/follow-ups/", views.contact_follow_up_create, name="contact_follow_up_create"),
    path("contacts/<int:pk>/touches/", views.contact_touch_create, name="contact_touch_create"),
    path("job-changes/<int:pk>/seen/", views.job_change_seen, name="job_change_seen"),
    # Touches: "Log an event" with several people, and its contact picker (htmx)
    path("touches/new/", views.touch_event_create, name="touch_event_create"),
    path("touches/picker/", views.touch_contact_picker, name="touch_contact_picker"),
    path("touches/<int:pk>/delete/", views.touch_delete_view, name="touch_delete"),
    # Notes (on a contact's timeline): edit in place, delete with a short Undo
    path("notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/<int:pk>/restore/", views.note_restore, name="note_restore"),
    # Companies and tags: list, rename, merge, delete
    path("companies/", views.company_views["list"], name="company_list"),
    path("companies/<int:pk>/rename/", views.company_views["edit"], name="company_edit"),
    path("companies/<int:pk>/merge/", views.company_views["merge"], name="company_merge"),
    path("companies/<int:pk>/delete/", views.company_views["delete"], name="company_delete"),
    path("tags/", views.tag_views["list"], name="tag_list"),
    path("tags/<int:pk>/rename/", views.tag_views["edit"], name="tag_edit"),
    path("tags/<int:pk>/merge/", views.tag_views["merge"], name="tag_merge"),
    path("tags/<int:pk>/delete/", views.tag_views["delete"], name="tag_delete"),
    # Targets (issue #14): LAMP list, inline edits, add five more
    path("targets/", targets.targets, name="targets"),
    path("targets/add/", targets.targets_add, name="targets_add"),
    path("targets/<int:pk>/", targets.target_edit, name="target_edit"),
    # Pipeline
    path("pipeline/", views.pipeline, name="pipeline"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("conversations/<int:pk>/move/", views.conversation_move, name="conversation_move"),
    path("conversations/<int:pk>/delete/", views.conversation_delete, name="conversation_delete"),
    path("conversations/<int:pk>/reply/", capture.conversation_reply_view, name="conversation_reply"),
    # Capture (issue #13)
    path("import/linkedin-messages/", capture.import_messages, name="import_messages"),
    path("import/eml/", capture.import_eml, name="import_eml"),
    path("mails/<int:pk>/", capture.stored_mail, name="stored_mail"),
    path("people/new/", capture.new_people, name="new_people"),
    path("people/new/<int:pk>/", capture.new_person_decide, name="new_person_decide"),
    path("suggestions/<int:pk>/", capture.capture_offer_decide, name="capture_offer_decide"),
    # Follow-ups
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/complete/", views.follow_up_complete, name="follow_up_complete"),
    path("follow-ups/<int:pk>/snooze/", views.follow_up_snooze, name="follow_up_snooze"),
    path("follow-ups/<int:pk>/edit/", views.follow_up_edit, name="follow_up_edit"),
    path("follow-ups/<int:pk>/draft/", views.follow_up_draft, name="follow_up_draft"),
    # Templates
    path("insights/", views.insights_page, name="insights"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    # Question bank and agendas (#14)
    path("questions/", questions.question_list, name="question_list"),
    path("questions/<int:pk>/edit/", questions.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", questions.question_delete_view, name="question_delete"),
    path("questions/<int:pk>/move/", questions.question_move_view, name="question_move"),
    path(
        "conversations/<int:pk>/build-agenda/",
        questions.conversation_build_agenda_view,
        name="conversation_build_agenda",
    ),
    path("contacts/<int:pk>/request/check/", questions.contact_request_check, name="contact_request_check"),
    # Playbook
    path("playbook/", views.playbook, name="playbook"),
    # Opportunities board and the portfolio's pages (issue #14)
    path("opportunities/", views.opportunity_board, name="opportunity_board"),
    path("opportunities/new/", views.opportunity_create_view, name="opportunity_create"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move_view, name="opportunity_move"),
    path("opportunities/<int:pk>/delete/", views.opportunity_delete_view, name="opportunity_delete"),
    path("notes/<int:pk>/opportunity/", views.note_opportunity, name="note_opportunity"),
    path("portfolio/", views.portfolio_list, name="portfolio_list"),
    path("portfolio/<int:pk>/", views.portfolio_detail, name="portfolio_detail"),
    path("portfolio/<int:pk>/status/", views.portfolio_status, name="portfolio_status"),
    # Settings
    path("settings/", views.settings_page, name="settings"),
    path("settings/email/", views.email_change, name="settings_email"),
    path("settings/calendar/rotate/", views.calendar_rotate, name="settings_calendar_rotate"),
    path("settings/mail-in/rotate/", account_settings.mail_in_rotate, name="settings_mail_in_rotate"),
    path("settings/tokens/", views.token_create, name="settings_token_create"),
    path("settings/tokens/revoke/", views.token_revoke, name="settings_token_revoke"),
    path("settings/delete/", views.account_delete_view, name="account_delete"),
    path("settings/restore/", views.backup_restore_view, name="backup_restore"),
]
