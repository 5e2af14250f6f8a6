"""The web dashboard's pages (the Import page lives in contacts/urls.py)."""

from django.urls import include, path

from crm import views
from crm.views import account_settings, capture

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
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/archive/", views.contact_archive, name="contact_archive"),
    path("contacts/<int:pk>/request/", views.contact_request, name="contact_request"),
    path("contacts/<int:pk>/notes/", views.contact_note_create, name="contact_note_create"),
    path("contacts/<int:pk>/follow-ups/", views.contact_follow_up_create, name="contact_follow_up_create"),
    path("job-changes/<int:pk>/seen/", views.job_change_seen, name="job_change_seen"),
    # Pipeline
    path("pipeline/", views.pipeline, name="pipeline"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("conversations/<int:pk>/move/", views.conversation_move, name="conversation_move"),
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
    # Templates
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    # Playbook
    path("playbook/", views.playbook, name="playbook"),
    # Settings
    path("settings/", views.settings_page, name="settings"),
    path("settings/calendar/rotate/", views.calendar_rotate, name="settings_calendar_rotate"),
    path("settings/mail-in/rotate/", account_settings.mail_in_rotate, name="settings_mail_in_rotate"),
    path("settings/tokens/", views.token_create, name="settings_token_create"),
    path("settings/tokens/revoke/", views.token_revoke, name="settings_token_revoke"),
    path("settings/delete/", views.account_delete_view, name="account_delete"),
]
