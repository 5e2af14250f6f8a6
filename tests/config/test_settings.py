"""Production settings pass Django's deploy checklist; development needs no configuration."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="coffeechat.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_development_needs_no_configuration():
    result = _manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_models_and_migrations_agree(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_checks_pass(db):
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")


@pytest.mark.slow  # two new processes: migrate a new database, then load the demo (~8 s)
def test_make_demo_works_on_a_fresh_database(tmp_path):
    """`make demo` in a new process: catches import cycles that a warm test process hides."""
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    migrated = _manage("migrate", "--no-input", "-v0", **env)
    assert migrated.returncode == 0, migrated.stderr
    demo = _manage("load_demo", **env)
    assert demo.returncode == 0, demo.stderr
    assert "log in as demo / demo" in demo.stdout
