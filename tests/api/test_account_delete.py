"""DELETE /api/v1/me/: the password re-entered, everything deleted, 204; anything else deletes nothing."""

import pytest
from django.contrib.auth import get_user_model
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from contacts.models import Contact
from outreach.models import Conversation, Reminder
from tests.api.conftest import seed_account, token_client

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def delete_me(client, body=None):
    return client.delete("/api/v1/me/", body, format="json")


def account_exists(user) -> bool:
    return get_user_model().objects.filter(pk=user.pk).exists()


@pytest.fixture
def seeded_client(user):
    seed_account(user)
    return token_client(user)


def test_the_right_password_deletes_the_account_and_answers_204(user, seeded_client):
    response = delete_me(seeded_client, {"password": PASSWORD})
    assert response.status_code == 204
    assert response.content == b""
    assert not account_exists(user)
    assert not Contact.objects.filter(owner_id=user.pk).exists()
    assert not Reminder.objects.filter(owner_id=user.pk).exists()
    assert not AuthToken.objects.filter(user_id=user.pk).exists()


def test_after_deletion_the_token_and_the_old_credentials_no_longer_work(user, seeded_client):
    delete_me(seeded_client, {"password": PASSWORD})
    assert seeded_client.get("/api/v1/me/").status_code == 401
    response = APIClient().post("/api/v1/auth/token/", {"username": "ada", "password": PASSWORD}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [({"password": "not my password"}, "not your password"), ({}, "required"), (None, "required")],
    ids=["wrong", "missing", "no body"],
)
def test_a_wrong_or_missing_password_is_a_400_on_the_field_and_deletes_nothing(user, seeded_client, body, message):
    before = (Contact.objects.filter(owner=user).count(), Conversation.objects.filter(owner=user).count())
    response = delete_me(seeded_client, body)
    assert response.status_code == 400
    assert message in response.json()["password"][0]
    assert account_exists(user)
    assert (Contact.objects.filter(owner=user).count(), Conversation.objects.filter(owner=user).count()) == before
    assert seeded_client.get("/api/v1/me/").status_code == 200


def test_another_user_cannot_delete_you_even_with_your_password(user, other_user, seeded_client):
    """There is no id to aim at: DELETE /me/ is always the caller's own account, and the
    password must be the caller's."""
    user.set_password("the victim's own password")
    user.save(update_fields=["password"])
    response = delete_me(token_client(other_user), {"password": "the victim's own password"})
    assert response.status_code == 400
    assert account_exists(user) and account_exists(other_user)
    assert Contact.objects.filter(owner=user).exists()


def test_unauthenticated_is_401_and_deletes_nothing(user, seeded_client):
    response = delete_me(APIClient(), {"password": PASSWORD})
    assert response.status_code == 401
    assert account_exists(user)


def test_a_session_client_needs_the_csrf_token_and_is_logged_out_after(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert delete_me(client, {"password": PASSWORD}).status_code == 403
    assert account_exists(user)
    client.get("/settings/")  # any page sets the CSRF cookie, as a browser would have it
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert delete_me(client, {"password": PASSWORD}).status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_password_attempts_share_the_auth_rate_limit(user, seeded_client):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "auth": "3/min"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
        statuses = [delete_me(seeded_client, {"password": "guess"}).status_code for _ in range(3)]
        statuses.append(delete_me(seeded_client, {"password": PASSWORD}).status_code)
        # Reading and editing the profile are not limited by it.
        assert [seeded_client.get("/api/v1/me/").status_code for _ in range(4)] == [200] * 4
    assert statuses == [400, 400, 400, 429]
    assert account_exists(user)


def test_the_api_docs_say_to_download_the_backup_first(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/me/"]["delete"]
    assert "GET /api/v1/export/backup.json" in operation["description"]
    assert '{"password": "..."}' in operation["description"]
