"""Shared fixtures. Service-backed tests skip with a reason when the service is absent,
unless REQUIRE_SERVICES=1 (CI), where an absent service fails the run."""

import os
import shutil
import smtplib
import socket
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _unavailable(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def require_postgres(db):
    if connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _unavailable("needs Redis: set REDIS_URL=redis://...")
    if not _reachable(url, 6379):
        _unavailable(f"Redis at {url} is not reachable")
    return url


@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _unavailable(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    # Marked tests pull in the matching fixture, so the marker alone gates them.
    for item in items:
        if "tests/integration/" in item.nodeid:
            # Real workers, beat, SMTP sinks and a Redis they stop: one at a time, on one xdist
            # worker (`--dist loadgroup`), while the other workers run the rest.
            item.add_marker(pytest.mark.xdist_group("integration"))
        if item.get_closest_marker("postgres"):
            item.fixturenames.insert(0, "require_postgres")
        if item.get_closest_marker("redis"):
            item.fixturenames.insert(0, "redis_url")
        if item.get_closest_marker("browser"):
            item.fixturenames.insert(0, "chromium_path")


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_SERVICES and connection.vendor != "postgresql" and exitstatus == 0:
        session.exitstatus = 1
        print("\nREQUIRE_SERVICES=1 but the suite ran on", connection.vendor, "- set DATABASE_URL to PostgreSQL")


@pytest.fixture
def user(db):
    return UserFactory(username="ada", email="ada@example.com")


@pytest.fixture
def other_user(db):
    return UserFactory(username="mallory", email="mallory@example.com")


@pytest.fixture
def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def other_api_client(other_user):
    client = APIClient()
    client.force_authenticate(other_user)
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters (API, imports, log-in) live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_celery(django_capture_on_commit_callbacks):
    """Queued tasks run in-process when the test's transaction "commits"; yields
    django_capture_on_commit_callbacks, so `with eager_celery(execute=True):` runs them."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield django_capture_on_commit_callbacks
    finally:
        app.conf.task_always_eager = previous


class FlakySMTPBackend(LocmemBackend):
    """Stands in for the mail server: the next `failures` sends raise `error`, then mail goes
    to django.core.mail.outbox as usual."""

    DEFAULT_ERROR = smtplib.SMTPDataError(451, b"4.3.0 Try again later")
    failures = 0
    error: Exception = DEFAULT_ERROR

    def send_messages(self, messages):
        if FlakySMTPBackend.failures > 0:
            FlakySMTPBackend.failures -= 1
            raise FlakySMTPBackend.error
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    """The FlakySMTPBackend class, installed, with four attempts a minute apart (doubling)."""
    settings.EMAIL_BACKEND = f"{FlakySMTPBackend.__module__}.{FlakySMTPBackend.__qualname__}"
    settings.REMINDER_MAX_ATTEMPTS = 4
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    yield FlakySMTPBackend
    FlakySMTPBackend.failures = 0
    FlakySMTPBackend.error = FlakySMTPBackend.DEFAULT_ERROR


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords at full strength makes every user fixture slow; tests do not need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counts: each test process keeps its own (tests clear them between tests), so a
    # run never flushes the Redis that CI's broker uses. The shared backends are tested in
    # tests/config/test_shared_cache.py.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Pages render {% static %} links; the manifest storage (production) needs collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
