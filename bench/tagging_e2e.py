"""Tagging end to end: Reuters ModApte via `tidings ingest`, `tidings enrich --retrain`, the API.

    .venv/bin/python -m bench.tagging_e2e [--data ../shared/data] [--limit N]

The training stories are ingested with their TOPICS (the 90 shared categories; a story with
none of them is ingested with ``"topics": []``, "tagged by the source: none"), the test
stories without a ``topics`` field. ``tidings enrich --retrain`` then trains the tagger from
the stored source tags and enriches every story; the predicted topics of each test story are
read from ``GET /api/articles/{id}`` and scored with the pure benchmark's ``score`` (micro-
and macro-F1 over the 90 topics). A fresh data folder and SQLite database each run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from bench.tagging_reuters import DEFAULT_DATA, read_modapte, score
from tidings.enrichment.types import TaggedText


def newsroom_setup() -> Path:
    """A fresh data folder and SQLite database, migrated; jobs are left queued, not run."""
    folder = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    os.environ["TIDINGS_DATA_DIR"] = str(folder)
    os.environ["DATABASE_URL"] = ""
    os.environ["REDIS_URL"] = ""
    os.environ["JOBS_IMMEDIATE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return folder


def cli(*args: str) -> str:
    """Run one `tidings` subcommand in this process; its stdout."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def story_record(key: str, story: TaggedText, *, with_topics: bool) -> dict[str, object]:
    headline = story.headline or " ".join(story.text.split()[:12]) or f"Reuters story {key}"
    record: dict[str, object] = {
        "external_id": key,
        "headline": headline,
        "body_text": story.text,
        "source": "Reuters",
    }
    if with_topics:
        record["topics"] = list(story.topics)
    return record


def ingest(folder: Path, train: list[TaggedText], test: list[TaggedText]) -> dict[str, int]:
    lines = [story_record(f"train-{i}", s, with_topics=True) for i, s in enumerate(train)]
    lines += [story_record(f"test-{i}", s, with_topics=False) for i, s in enumerate(test)]
    path = folder / "modapte.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    results = [json.loads(line) for line in cli("ingest", "--jsonl", str(path)).splitlines()]
    return {r["external_id"]: r["article_id"] for r in results if r["article_id"]}


def predicted_topics(ids: list[int]) -> list[set[str]]:
    """The predicted topic slugs of each article, read through the JSON API."""
    from django.test import Client

    client = Client()
    found = []
    for article_id in ids:
        topics = client.get(f"/api/articles/{article_id}").json()["topics"]
        found.append({t["slug"] for t in topics if t["origin"] == "predicted"})
    return found


def label_slugs(labels: list[str]) -> dict[str, str]:
    """The slug each Reuters category got when ingested as a source topic."""
    from django.utils.text import slugify

    from tidings.common.text import normalise_name

    return {label: slugify(normalise_name(label))[:200] for label in labels}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="first N of each split (smoke)")
    args = parser.parse_args()
    train, test, topics = read_modapte(args.data)
    if args.limit:
        train, test = train[: args.limit], test[: args.limit]
    folder = newsroom_setup()
    started = time.perf_counter()
    ids = ingest(folder, train, test)
    ingest_seconds = time.perf_counter() - started
    started = time.perf_counter()
    summary = cli("enrich", "--retrain")
    enrich_seconds = time.perf_counter() - started
    slugs = label_slugs(topics)
    predicted = predicted_topics([ids[f"test-{i}"] for i in range(len(test))])
    gold = [[slugs[t] for t in story.topics] for story in test]
    scores = score(gold=gold, predicted=predicted, topics=sorted(set(slugs.values())))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ModApte: {len(train)} train, {len(test)} test stories, {len(topics)} topics")
    print(summary.strip())
    print(
        f"end to end: micro-F1 {scores.micro_f1:.4f}  macro-F1 {scores.macro_f1:.4f}  "
        f"| labelled only: micro {scores.micro_f1_labelled:.4f} "
        f"macro {scores.macro_f1_labelled:.4f}"
    )
    print(
        f"ingest {ingest_seconds:.0f} s, enrich --retrain {enrich_seconds:.0f} s, "
        f"peak RSS {peak_mb:,.0f} MB"
    )


if __name__ == "__main__":
    main()
