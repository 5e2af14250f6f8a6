"""Changing or resetting a password revokes every API token of the account and ends its other
sessions, however the password was changed; Django's re-hashing on log-in is not a change.
API tokens can also expire on their own (API_TOKEN_TTL_HOURS)."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import UserFactory

OLD, NEW = "correct horse battery staple", "brand new phrase 42"
ROOT = Path(__file__).resolve().parents[2]


def sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk))


def token_client(user) -> APIClient:
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def elsewhere(user, other_user):
    """The account in use elsewhere: a token client, another browser; and another account's."""
    return {
        "api": token_client(user),
        "browser": logged_in(user),
        "other_api": token_client(other_user),
        "other_browser": logged_in(other_user),
    }


def test_changing_the_password_keeps_this_browser_and_ends_everything_else(web, user, elsewhere):
    response = web.post(reverse("password_change"), {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert web.get(reverse("today")).status_code == 200
    assert elsewhere["browser"].get(reverse("today")).status_code == 302
    assert elsewhere["api"].get("/api/v1/me/").status_code == 401
    assert AuthToken.objects.filter(user=user).count() == 0
    assert sessions_of(user) == 1  # this browser's, under a new key


def test_resetting_the_password_ends_every_session_and_token(client, user, elsewhere, eager_celery):
    with eager_celery(execute=True):
        client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True).redirect_chain[-1][0]
    assert client.post(form, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    assert elsewhere["api"].get("/api/v1/me/").status_code == 401
    assert elsewhere["browser"].get(reverse("today")).status_code == 302
    assert AuthToken.objects.filter(user=user).count() == 0
    assert sessions_of(user) == 0


def test_another_accounts_tokens_and_sessions_are_untouched(web, user, other_user, elsewhere):
    web.post(reverse("password_change"), {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert elsewhere["other_api"].get("/api/v1/me/").status_code == 200
    assert elsewhere["other_browser"].get(reverse("today")).status_code == 200
    assert sessions_of(other_user) == 1


def test_an_admin_setting_the_password_ends_the_accounts_sessions_and_tokens(user, elsewhere):
    admin = logged_in(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = admin.post(f"/admin/auth/user/{user.pk}/password/", {"password1": NEW, "password2": NEW})
    assert response.status_code == 302
    assert elsewhere["api"].get("/api/v1/me/").status_code == 401
    assert sessions_of(user) == 0


def test_logging_in_and_rehashing_the_same_password_keeps_the_api_tokens(client, user, elsewhere, settings):
    # A stronger preferred hasher: logging in re-hashes the stored password, silently.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]
    assert client.post(reverse("login"), {"username": "ada", "password": OLD}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert elsewhere["api"].get("/api/v1/me/").status_code == 200


def test_with_a_token_lifetime_a_new_token_says_when_it_expires_and_then_stops_working(user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=1)}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        created = APIClient().post("/api/v1/auth/token/", {"username": "ada", "password": OLD}, format="json")
        assert created.status_code == 201
        assert created.json()["expiry"] is not None
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {created.json()['token']}")
        clock.shift(timedelta(minutes=59))
        assert client.get("/api/v1/me/").status_code == 200
        clock.shift(timedelta(minutes=2))
        assert client.get("/api/v1/me/").status_code == 401


def _token_ttl(**env) -> str:
    code = "import django; from django.conf import settings; django.setup(); print(settings.REST_KNOX['TOKEN_TTL'])"
    environment = {k: v for k, v in os.environ.items() if k != "API_TOKEN_TTL_HOURS"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**environment, "DEBUG": "1", **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_api_token_ttl_hours_sets_the_lifetime_and_unset_means_until_revoked():
    assert json.dumps([_token_ttl(API_TOKEN_TTL_HOURS="24"), _token_ttl()]) == json.dumps(["1 day, 0:00:00", "None"])
