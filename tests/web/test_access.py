"""Every page needs a login, and nobody reaches another user's rows (404, never 403 or a leak)."""

import pytest
from django.urls import reverse

PAGES = [
    "today",
    "contact_list",
    "contact_create",
    "pipeline",
    "follow_up_list",
    "template_list",
    "template_create",
    "playbook",
    "settings",
    "password_change",
]


@pytest.mark.parametrize("name", PAGES)
def test_logged_out_visitors_are_sent_to_log_in(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", ["login", "signup", "password_reset"])
def test_auth_pages_are_public(client, db, name):
    assert client.get(reverse(name)).status_code == 200


def _other_users_urls(other_contact, other_conversation, other_follow_up, other_template):
    return [
        ("get", reverse("contact_detail", args=[other_contact.pk]), {}),
        ("get", reverse("contact_edit", args=[other_contact.pk]), {}),
        (
            "post",
            reverse("contact_edit", args=[other_contact.pk]),
            {"first_name": "Hacked", "relationship": "other", "source": "other"},
        ),
        ("post", reverse("contact_archive", args=[other_contact.pk]), {}),
        ("post", reverse("contact_note_create", args=[other_contact.pk]), {"kind": "general", "body": "x"}),
        (
            "post",
            reverse("contact_follow_up_create", args=[other_contact.pk]),
            {"fu-title": "x", "fu-kind": "other", "fu-due_on": "2030-01-01"},
        ),
        (
            "post",
            reverse("contact_request", args=[other_contact.pk]),
            {"rq-template": other_template.pk, "rq-channel": "email"},
        ),
        ("get", reverse("conversation_detail", args=[other_conversation.pk]), {}),
        ("post", reverse("conversation_detail", args=[other_conversation.pk]), {"agenda": "x"}),
        ("post", reverse("conversation_move", args=[other_conversation.pk]), {"stage": "requested"}),
        ("get", reverse("conversation_move", args=[other_conversation.pk]) + "?stage=requested", {}),
        ("post", reverse("follow_up_complete", args=[other_follow_up.pk]), {}),
        ("post", reverse("follow_up_snooze", args=[other_follow_up.pk]), {"due_on": "2030-01-01"}),
        ("get", reverse("template_edit", args=[other_template.pk]), {}),
        ("post", reverse("template_edit", args=[other_template.pk]), {"name": "x", "kind": "nudge", "body": "x"}),
        ("post", reverse("template_delete", args=[other_template.pk]), {}),
    ]


@pytest.fixture
def other_template(other_user):
    from outreach.models import MessageTemplate

    return MessageTemplate.objects.filter(owner=other_user, kind="coffee_chat").first()


def test_another_users_rows_are_404_and_untouched(
    web, other_contact, other_conversation, other_follow_up, other_template
):
    for method, url, data in _other_users_urls(other_contact, other_conversation, other_follow_up, other_template):
        response = getattr(web, method)(url, data)
        assert response.status_code == 404, (method, url)
    other_contact.refresh_from_db()
    other_conversation.refresh_from_db()
    other_follow_up.refresh_from_db()
    assert other_contact.first_name == "Mallory" and not other_contact.archived
    assert other_conversation.stage == "planned" and other_conversation.agenda == ""
    assert other_follow_up.status == "open"
    assert other_contact.notes.count() == 0
    assert other_template.__class__.objects.filter(pk=other_template.pk).exists()


def test_another_users_job_change_is_404(web, other_user, other_contact):
    from contacts.models import ContactEvent

    event = ContactEvent.objects.create(owner=other_user, contact=other_contact, kind="job_change", summary="moved")
    assert web.post(reverse("job_change_seen", args=[event.pk])).status_code == 404
    event.refresh_from_db()
    assert event.acknowledged is False


def test_template_preview_ignores_another_users_contact(web, other_contact):
    response = web.post(
        reverse("template_preview"), {"subject": "Hi {first_name}", "body": "b", "preview_contact": other_contact.pk}
    )
    assert response.status_code == 200
    assert "Mallory" not in response.content.decode()


def test_another_users_token_cannot_be_revoked(web, other_user):
    from knox.models import get_token_model

    from accounts.selectors import api_token_list

    token, _ = get_token_model().objects.create(user=other_user)
    assert web.post(reverse("settings_token_revoke"), {"token": token.token_key}).status_code == 404
    assert api_token_list(user=other_user).count() == 1
