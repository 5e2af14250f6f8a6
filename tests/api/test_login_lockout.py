"""Repeated failed log-ins lock out one (username, client address) pair, on the API and the web
log-in form alike (one count in the database), with 429 and Retry-After; a higher per-account
ceiling catches guessing spread over many addresses. Limits are small here (3 and 6)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

PASSWORD = "correct horse battery staple"
STRANGER, OWNER = "198.51.100.66", "203.0.113.7"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def api_log_in(address: str, password: str = "wrong", username: str = "ada", **headers):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def web_log_in(address: str, password: str = "wrong", client=None):
    client = client or Client()
    return client.post(reverse("login"), {"username": "ada", "password": password}, REMOTE_ADDR=address)


def test_the_limit_th_failure_locks_the_pair_out_with_429_and_retry_after(user):
    statuses = [api_log_in(STRANGER).status_code for _ in range(2)]
    locked = api_log_in(STRANGER)
    assert statuses == [400, 400]
    assert locked.status_code == 429
    assert 890 < int(locked["Retry-After"]) <= 900
    assert locked.json()["detail"].startswith("Too many failed log-ins for this account.")


def test_a_locked_out_pair_is_refused_even_with_the_right_password(user):
    for _ in range(3):
        api_log_in(STRANGER)
    response = api_log_in(STRANGER, PASSWORD)
    assert response.status_code == 429
    assert "token" not in response.json()


def test_the_pair_can_log_in_again_once_the_lockout_time_has_passed(user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            api_log_in(STRANGER)
        clock.shift(timedelta(minutes=14))
        assert api_log_in(STRANGER, PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=1, seconds=1))
        assert api_log_in(STRANGER, PASSWORD).status_code == 201


def test_retry_after_counts_down_and_refused_tries_do_not_extend_the_lockout(user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            api_log_in(STRANGER)
        clock.shift(timedelta(minutes=10))
        response = api_log_in(STRANGER)
    assert response["Retry-After"] == "300"


def test_the_owner_at_another_address_logs_in_while_a_stranger_is_locked_out(user):
    # The stranger keeps going long after the lockout: refused tries are not counted, so one
    # address never reaches the account-wide ceiling (6) on its own.
    statuses = [api_log_in(STRANGER).status_code for _ in range(10)]
    assert statuses == [400, 400] + [429] * 8
    assert api_log_in(OWNER, PASSWORD).status_code == 201
    assert web_log_in(OWNER, PASSWORD).status_code == 302


def test_failures_from_many_addresses_lock_the_account_everywhere(user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        statuses = []
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            clock.shift(timedelta(minutes=5))
            statuses += [api_log_in(address).status_code for _ in range(2)]
        locked = api_log_in(OWNER, PASSWORD)
        # Below the ceiling again when the first address's failures age out, 15 minutes after them.
        clock.shift(timedelta(minutes=5, seconds=1))
        again = api_log_in(OWNER, PASSWORD)
    assert statuses == [400] * 5 + [429]  # the sixth failure reaches the ceiling
    assert locked.status_code == 429
    assert locked["Retry-After"] == "300"
    assert again.status_code == 201


def test_a_successful_log_in_clears_the_pairs_count(user):
    assert [api_log_in(OWNER).status_code for _ in range(2)] == [400, 400]
    assert api_log_in(OWNER, PASSWORD).status_code == 201
    assert [api_log_in(OWNER).status_code for _ in range(2)] == [400, 400]


def test_the_web_log_in_form_locks_out_with_a_429_page(user):
    client = Client()
    statuses = [web_log_in(STRANGER, client=client).status_code for _ in range(3)]
    locked = web_log_in(STRANGER, PASSWORD, client=client)
    assert statuses == [200, 200, 429]
    assert locked.status_code == 429
    assert 890 < int(locked["Retry-After"]) <= 900
    assert "Too many failed log-ins" in locked.content.decode()
    assert "Please wait 15 minutes" in locked.content.decode()
    assert client.get(reverse("today")).status_code == 302  # not logged in


def test_failures_on_the_api_and_the_web_form_count_together(user):
    api_log_in(STRANGER)
    web_log_in(STRANGER)
    assert api_log_in(STRANGER).status_code == 429
    assert web_log_in(STRANGER, PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_does_not_make_a_new_client(user):
    statuses = [api_log_in(STRANGER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(3)]
    assert statuses == [400, 400, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(user):
    with override_settings(REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "NUM_PROXIES": 1}):
        first = [api_log_in("10.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER).status_code for _ in range(3)]
        owner = api_log_in("10.0.0.1", PASSWORD, HTTP_X_FORWARDED_FOR=OWNER).status_code
    assert first == [400, 400, 429]
    assert owner == 201
