"""D1: concurrent read-then-write transactions on the embedded database never see "locked"."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "tidings.config.settings"
    django.setup()
    from django.db import OperationalError, transaction
    from tidings.sources.models import Source
    failures = 0
    for number in range(int(sys.argv[1])):
        try:
            with transaction.atomic():
                Source.objects.count()
                Source.objects.create(name="s", slug=f"w{os.getpid()}-{number}")
        except OperationalError as error:
            failures += 1
            print(error, file=sys.stderr)
    print(failures)
    """
)


@pytest.mark.slow
def test_six_processes_writing_at_once_see_no_locked_errors(tmp_path):
    env = {**os.environ, "TIDINGS_DATA_DIR": str(tmp_path), "TIDINGS_ENV": "test"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "tidings.cli", "migrate", "-v0"], env=env, check=True, timeout=120
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, "300"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    failures = [
        int(worker.communicate(timeout=240)[0].strip().splitlines()[-1]) for worker in workers
    ]
    assert failures == [0] * 6
    import sqlite3

    with sqlite3.connect(tmp_path / "tidings.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM sources_source").fetchone()[0] == 1800
