"""Sign-up and password-reset submissions are limited per client address, in the cache every
process shares, by the same throttles as the API (the web form and the API share sign-ups)."""

import pytest
from rest_framework.test import APIClient

SIGN_UP = {"username": "grace", "email": "grace@example.com", "password": "123"}  # refused: too short


@pytest.fixture(autouse=True)
def two_a_day(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "signup": "2/day", "password_reset": "2/day"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.mark.django_db
def test_sign_ups_from_one_address_are_limited(client):
    statuses = [client.post("/signup/", SIGN_UP, REMOTE_ADDR="198.51.100.1").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    refused = client.post("/signup/", SIGN_UP, REMOTE_ADDR="198.51.100.1")
    assert 86390 < int(refused["Retry-After"]) <= 86400
    assert "Please wait" in refused.content.decode()
    assert client.post("/signup/", SIGN_UP, REMOTE_ADDR="198.51.100.2").status_code == 400


@pytest.mark.django_db
def test_the_sign_up_form_itself_is_not_limited(client):
    assert [client.get("/signup/", REMOTE_ADDR="198.51.100.1").status_code for _ in range(3)] == [200] * 3


@pytest.mark.django_db
def test_the_api_and_the_web_form_share_the_sign_up_count(client):
    assert client.post("/signup/", SIGN_UP, REMOTE_ADDR="198.51.100.1").status_code == 400
    api = APIClient()
    body = {**SIGN_UP, "password": "a-long-unusual-passphrase-42"}
    assert api.post("/api/v1/auth/register/", body, format="json", REMOTE_ADDR="198.51.100.1").status_code == 201
    refused = api.post("/api/v1/auth/register/", body, format="json", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert "Retry-After" in refused


@pytest.mark.django_db
def test_password_reset_requests_from_one_address_are_limited(client):
    emails = ["a@example.com", "b@example.com", "c@example.com"]
    statuses = [
        client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR="198.51.100.1").status_code
        for email in emails
    ]
    assert statuses == [302, 302, 429]
