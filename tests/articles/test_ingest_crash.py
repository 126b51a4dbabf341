"""J3 / issue 3: killing `tidings ingest` mid-batch and re-running loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow


def test_kill_mid_batch_then_rerun_stores_every_item_once(tmp_path):
    env = {**os.environ, "TIDINGS_DATA_DIR": str(tmp_path), "TIDINGS_ENV": "test"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    tidings = [sys.executable, "-m", "tidings.cli"]
    subprocess.run([*tidings, "migrate", "-v0"], env=env, check=True, timeout=180)
    items = tmp_path / "batch.jsonl"
    with items.open("w") as handle:
        for number in range(400):
            record = {
                "external_id": f"item-{number}",
                "headline": f"Story {number}",
                "body_text": "A paragraph of the story.\nAnother paragraph.",
                "section": "World News",
                "source": "Wire",
                "topics": ["Economy"],
            }
            handle.write(json.dumps(record) + "\n")
    worker = subprocess.Popen(
        [*tidings, "ingest", "--jsonl", str(items)], env=env, stdout=subprocess.PIPE, text=True
    )
    for seen, _line in enumerate(worker.stdout, start=1):  # type: ignore[arg-type]
        if seen == 60:
            worker.send_signal(signal.SIGKILL)
            break
    worker.wait(timeout=60)
    time.sleep(0.2)
    database = tmp_path / "tidings.sqlite3"
    with sqlite3.connect(database) as db:
        stored_after_kill = db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0]
    assert 60 <= stored_after_kill < 400
    rerun = subprocess.run(
        [*tidings, "ingest", "--jsonl", str(items)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    statuses = [json.loads(line)["status"] for line in rerun.stdout.splitlines()]
    assert statuses.count("unchanged") == stored_after_kill
    assert statuses.count("created") == 400 - stored_after_kill
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0] == 400
        assert (
            db.execute("SELECT COUNT(DISTINCT external_id) FROM articles_article").fetchone()[0]
            == 400
        )
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
