"""Throttle counts live in a store every process shares: Redis when REDIS_URL is set, the
database otherwise; an unreachable Redis fails open instead of failing requests."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from rest_framework.throttling import ScopedRateThrottle

from config.cache import FailOpenRedisCache

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _cache_settings(**env) -> dict:
    """settings.CACHES as a fresh process sees it under this environment."""
    code = "import json, django; from django.conf import settings; django.setup(); print(json.dumps(settings.CACHES))"
    environment = {**os.environ, "DEBUG": "1", **env}
    environment.pop("REDIS_URL", None)
    environment.update(env)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])["default"]


def test_without_redis_the_counts_live_in_the_database():
    assert _cache_settings()["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_with_redis_the_counts_live_in_redis():
    cache = _cache_settings(REDIS_URL="redis://cache.internal:6379/0")
    assert cache["BACKEND"] == "config.cache.FailOpenRedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/0"


@pytest.mark.django_db
def test_the_database_cache_is_shared_by_every_process_on_the_database():
    # Written through one handle and read through a fresh one, as another process would.
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coffeechat_cache"}}
    ):
        call_command("createcachetable")  # the test database was built with the tests' own cache
        caches["default"].set("throttle_probe", [1, 2, 3], 60)
        fresh = caches.create_connection("default")
        assert fresh.get("throttle_probe") == [1, 2, 3]


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_an_unreachable_redis_reads_as_empty_and_drops_writes(caplog):
    cache = FailOpenRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 0.2}})
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert cache.get("throttle_x", []) == []
        cache.set("throttle_x", [1], 60)
        assert cache.add("throttle_y", 1) is False
    assert "limits are not enforced" in caplog.text


@pytest.mark.django_db
def test_throttled_endpoints_keep_serving_when_redis_is_down(api_client, monkeypatch, caplog):
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "exports": "1/hour"}
    )
    dead = {"default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": DEAD_REDIS}}
    with override_settings(CACHES=dead), caplog.at_level(logging.WARNING, logger="config.cache"):
        statuses = [api_client.get("/api/v1/export/contacts.csv").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert "Shared cache unreachable" in caplog.text


@pytest.mark.redis
def test_two_processes_share_one_count_in_redis(redis_url):
    """Counts written by one process are read by another: the limit is per account, not per worker."""
    code = (
        "import django, sys; django.setup(); from django.core.cache import cache; "
        "print(cache.get('shared_probe', 0)); cache.set('shared_probe', cache.get('shared_probe', 0) + 1, 60)"
    )
    environment = {**os.environ, "DEBUG": "1", "REDIS_URL": redis_url, "CACHE_URL": redis_url}
    seen = [
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
        for _ in range(2)
    ]
    cleanup = "import django; django.setup(); from django.core.cache import cache; cache.delete('shared_probe')"
    subprocess.run([sys.executable, "-c", cleanup], cwd=ROOT, env=environment, check=True)
    assert int(seen[1]) == int(seen[0]) + 1
