"""Registration, tokens (list, revoke), 401s, throttling and CSRF for session clients."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from outreach.models import MessageTemplate

PASSWORD = "a-long-unusual-passphrase-42"


def register(client, **fields):
    body = {"username": "grace", "email": "grace@example.com", "password": PASSWORD, **fields}
    return client.post("/api/v1/auth/register/", body, format="json")


def get_token(client, username="grace", password=PASSWORD):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


@pytest.mark.django_db
def test_register_creates_an_account_with_profile_and_starter_templates():
    response = register(APIClient())
    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "username": "grace", "email": "grace@example.com"}
    user = get_user_model().objects.get(username="grace")
    assert user.check_password(PASSWORD)
    assert user.profile.timezone == "UTC"
    assert MessageTemplate.objects.filter(owner=user).count() >= 3


@pytest.mark.django_db
def test_register_applies_the_password_validators():
    response = register(APIClient(), password="password")
    assert response.status_code == 400
    assert "too common" in " ".join(response.json()["password"])
    assert not get_user_model().objects.filter(username="grace").exists()


@pytest.mark.django_db
def test_register_refuses_a_taken_username(user):
    response = register(APIClient(), username="ada")
    assert response.status_code == 400
    assert "taken" in response.json()["username"][0]


@pytest.mark.django_db
def test_register_needs_a_valid_email():
    response = register(APIClient(), email="not-an-email")
    assert response.status_code == 400
    assert "email" in response.json()


@pytest.mark.django_db
def test_a_token_authenticates_and_lists_itself_as_current():
    client = APIClient()
    register(client)
    created = get_token(client)
    assert created.status_code == 201
    token = created.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "grace"
    tokens = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [(t["id"], t["current"]) for t in tokens] == [(created.json()["id"], True)]
    assert token.startswith(created.json()["id"])


@pytest.mark.django_db
def test_wrong_password_gets_no_token():
    client = APIClient()
    register(client)
    response = get_token(client, password="nope")
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["non_field_errors"][0]


@pytest.mark.django_db
def test_a_revoked_token_stops_working_and_others_keep_working():
    client = APIClient()
    register(client)
    first, second = get_token(client).json(), get_token(client).json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")
    assert client.get("/api/v1/auth/tokens/").json()["count"] == 2
    assert client.delete(f"/api/v1/auth/tokens/{first['id']}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 200
    stale = APIClient()
    stale.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert stale.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Token not-a-real-token", "Token", "Bearer abc"])
def test_unauthenticated_requests_get_401_with_www_authenticate(header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_auth_endpoints_are_throttled():
    from rest_framework.throttling import ScopedRateThrottle

    client = APIClient()
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "auth": "3/min"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
        statuses = [get_token(client, "nobody", "x").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


@pytest.mark.django_db
def test_session_clients_need_the_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 200
    response = client.post("/api/v1/companies/", {"name": "Acme"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.django_db
def test_the_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/conversations/{id}/transition/" in schema.json()["paths"]
    assert "knoxApiToken" in schema.json()["components"]["securitySchemes"]
    docs = api_client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
