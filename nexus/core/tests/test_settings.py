"""Settings as each run mode sees them, checked in fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "NEXUS_ENV": "production",
    "SECRET_KEY": "x" * 20 + "-a-real-production-secret-of-enough-length-" + "y" * 20,
    "ALLOWED_HOSTS": "nexus.example.org",
    "DATABASE_URL": "postgres://nexus@127.0.0.1:5432/nexus",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_with_the_development_secret_key():
    env = {**PRODUCTION}
    env.pop("SECRET_KEY")

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run_manage("check", env={**PRODUCTION, "DEBUG": "true"})

    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_boolean_setting_is_refused_clearly():
    result = run_manage("check", env={"DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_models_and_migrations_agree():
    result = run_manage("makemigrations", "--check", "--dry-run", env={})

    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_sqlite_survives_dozens_of_concurrent_writers(tmp_path):
    """Thirty threads write at once to a WAL database: nobody sees 'locked'."""
    database = tmp_path / "nexus.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    migrated = run_manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr

    script = """
import threading
from django.db import connection
from nexus.accounts.models import Cohort
from nexus.accounts import services

errors = []

def write(n):
    try:
        for i in range(5):
            Cohort.objects.create(name=f"c-{n}-{i}", slug=f"c-{n}-{i}")
        services.user_register(
            email=f"w{n}@example.org", username=f"writer{n}", password="a-long-pass-phrase-1"
        )
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n,)) for n in range(30)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print("mode", cursor.fetchone()[0])
print("cohorts", Cohort.objects.count())
print("errors", len(errors), errors[:3])
"""
    result = run_manage("shell", "-c", script, env=env)

    assert result.returncode == 0, result.stderr
    assert "mode wal" in result.stdout
    assert "cohorts 150" in result.stdout
    assert "errors 0 []" in result.stdout
