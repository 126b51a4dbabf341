"""Configuration comes only from the environment and fails loudly and clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tidings.common.env import parse_database_url


def run_tidings(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, "-m", "tidings.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@localhost/db",
        "postgres://user@host:99999999/db",
        "postgres://host/",
        "sqlite://",
        "nonsense",
    ],
)
def test_malformed_database_url_gives_a_clear_message(url, tmp_path):
    result = run_tidings("check", env={"DATABASE_URL": url, "TIDINGS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_data_folder_gives_a_clear_message(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    result = run_tidings("check", env={"TIDINGS_DATA_DIR": str(blocked / "data")})
    assert result.returncode == 2
    assert "TIDINGS_DATA_DIR" in result.stderr and "not a writable folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_requires_a_secret_key(tmp_path):
    result = run_tidings(
        "check", env={"TIDINGS_ENV": "production", "TIDINGS_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 2 and "SECRET_KEY is required" in result.stderr


def test_embedded_default_generates_the_secret_key_once(tmp_path):
    first = run_tidings("check", env={"TIDINGS_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50 and (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    run_tidings("check", env={"TIDINGS_DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == key


@pytest.mark.parametrize(
    "name,value", [("DEBUG", "maybe"), ("TIME_ZONE", "Mars/Olympus"), ("EMAIL_URL", "pigeon://x")]
)
def test_bad_values_name_the_variable(name, value, tmp_path):
    result = run_tidings("check", env={name: value, "TIDINGS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and name in result.stderr


def test_database_urls_are_parsed(tmp_path: Path):
    assert parse_database_url("X", "", data_dir=tmp_path).name == str(tmp_path / "tidings.sqlite3")
    assert parse_database_url("X", "sqlite:///news.db", data_dir=tmp_path).name == str(
        tmp_path / "news.db"
    )
    assert (
        parse_database_url("X", "sqlite:////var/news.db", data_dir=tmp_path).name == "/var/news.db"
    )
    pg = parse_database_url(
        "X", "postgres://ed:p%40ss@db.local:5433/news?sslmode=require", data_dir=tmp_path
    )
    assert (pg.engine, pg.user, pg.password, pg.host, pg.port, pg.name) == (
        "postgresql",
        "ed",
        "p@ss",
        "db.local",
        "5433",
        "news",
    )
    assert pg.options == {"sslmode": "require"}


@pytest.mark.django_db
def test_sqlite_connections_use_wal_normal_sync_and_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings apply to the embedded default only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
