"""The log-in lockout holds across processes: failures counted by one server lock the
(username, address) pair out on another, because django-axes keeps the count in the database
they share. Two real gunicorn servers on one SQLite file."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.integration.conftest import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.slow


def _post_json(url: str, body: dict) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def two_servers(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL", "DATABASE_URL"}}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="15",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True, timeout=60)
    create = (
        "import django; django.setup(); from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('ada', 'ada@example.com', {PASSWORD!r})"
    )
    subprocess.run([sys.executable, "-c", create], cwd=ROOT, env=env, check=True, timeout=60)
    servers, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"server-{name}.log", "ab")
            servers.append(
                subprocess.Popen(
                    [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            wait_for(lambda url=url: _up(f"{url}/healthz"), timeout=60, message=f"{url} did not start")
        yield urls
    finally:
        for server in servers:
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            server.wait(timeout=10)


def test_failures_counted_on_one_server_lock_the_pair_out_on_the_other(two_servers):
    a, b = two_servers
    wrong = [_post_json(f"{a}/api/v1/auth/token/", {"username": "ada", "password": "wrong"})[0] for _ in range(3)]
    status, headers, body = _post_json(f"{b}/api/v1/auth/token/", {"username": "ada", "password": PASSWORD})
    assert wrong == [400, 400, 429]
    assert status == 429
    assert 0 < int(headers["Retry-After"]) <= 900
    assert body["detail"].startswith("Too many failed log-ins")
