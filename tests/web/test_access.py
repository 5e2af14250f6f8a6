"""Every page needs a login, and nobody reaches another user's rows (404, never 403 or a leak).

Routes that name a row in their URL are covered by the generated matrix in
test_access_matrix.py; the cases here send another user's id in a form instead."""

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
    "insights",
    "targets",
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
