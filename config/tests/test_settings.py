"""Production settings come from the environment and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANJIAN_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ANJIAN_ENV_FILE": os.devnull,
            **env_extra,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_profile_passes_check_deploy(tmp_path):
    result = _run(
        {
            "ANJIAN_SECRET_KEY": "x" * 60 + "production-secret-key-for-the-test",
            "ANJIAN_ALLOWED_HOSTS": "anjian.example.gov.cn",
            "ANJIAN_HTTPS": "true",
            "ANJIAN_DATA_DIR": str(tmp_path),
            "ANJIAN_TESTING": "false",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_secret_key_is_required_without_debug(tmp_path):
    result = _run({"ANJIAN_DATA_DIR": str(tmp_path), "ANJIAN_TESTING": "false"}, "check")
    assert result.returncode != 0
    assert "ANJIAN_SECRET_KEY is required" in result.stderr


def test_database_url_selects_postgresql(tmp_path):
    result = _run(
        {
            "ANJIAN_DEBUG": "true",
            "ANJIAN_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://anjian@db.internal:5432/anjian",
            "ANJIAN_TESTING": "false",
        },
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['HOST'], d['NAME'])",
    )
    assert (
        result.stdout.strip().splitlines()[-1] == "django.db.backends.postgresql db.internal anjian"
    ), result.stderr


def test_default_database_is_sqlite_in_the_data_dir(tmp_path):
    result = _run(
        {"ANJIAN_DEBUG": "true", "ANJIAN_DATA_DIR": str(tmp_path), "ANJIAN_TESTING": "false"},
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])",
    )
    assert (
        result.stdout.strip().splitlines()[-1]
        == f"django.db.backends.sqlite3 {tmp_path / 'db.sqlite3'}"
    ), result.stderr
