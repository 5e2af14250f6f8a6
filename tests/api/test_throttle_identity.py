"""Rate limits identify a client by its real address: a forged X-Forwarded-For changes nothing."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle


@pytest.fixture(autouse=True)
def three_log_ins_a_minute(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "auth": "3/min"})
    yield
    cache.clear()


def _wrong_password(client, forwarded_for: str):
    return client.post(
        "/api/v1/auth/token/",
        {"username": "ada", "password": "wrong"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded_for,
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.mark.django_db
def test_a_new_forwarded_for_header_on_each_try_is_still_the_same_client(user):
    client = APIClient()
    statuses = [_wrong_password(client, f"198.51.100.{n}").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 429, 429]


@pytest.mark.django_db
def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(user, monkeypatch):
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    with override_settings(REST_FRAMEWORK={"NUM_PROXIES": 1}):
        client = APIClient()
        # The proxy appends the real address last; clients before it are counted separately.
        first = [_wrong_password(client, "198.51.100.1").status_code for _ in range(4)]
        other = _wrong_password(client, "198.51.100.2").status_code
    assert first == [400, 400, 400, 429]
    assert other == 400
