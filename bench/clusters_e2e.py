"""Story clusters end to end: ECB+ through `tidings ingest --jsonl`, `tidings enrich`, the API.

    .venv/bin/python -m bench.clusters_e2e [--data ../shared/data] [--seed 0]

Every ECB+ document (detokenised) is ingested in one deterministic shuffle (``--seed``), one
minute apart, so the newsroom's clusterer sees them in that order; ``tidings enrich`` assigns
the stories, and each document's ``story_id`` is read from ``GET /api/articles/{id}``. B-cubed
F1 and ARI (gold = subtopic) are reported on the tuning topics 1-10, the held-out topics
11-22 and all of them, next to the pure clusterer fed the same order and the TF-IDF +
agglomerative baseline (threshold chosen on topics 1-10), all in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.story_clusters import (
    DEFAULT_DATA,
    TUNE_TOPICS,
    baseline,
    load_ecbplus,
    scores,
    tuned_baseline_threshold,
)
from bench.tagging_e2e import cli, newsroom_setup
from tidings.enrichment.clusters import StoryClusterer
from tidings.enrichment.types import ClusterDoc

START = datetime(2024, 1, 1, tzinfo=UTC)


def headline_of(text: str) -> str:
    return " ".join(text.split()[:12])


def ingest_in_order(folder: Path, records: list[dict], order: list[int]) -> dict[int, int]:
    lines = []
    for position, i in enumerate(order):
        text = records[i]["clean"]
        lines.append(
            {
                "external_id": records[i]["doc_id"],
                "headline": headline_of(text),
                "body_text": text,
                "source": "ECB+",
                "published": (START + timedelta(minutes=position)).isoformat(),
            }
        )
    path = folder / "ecbplus.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    stored = [json.loads(line) for line in cli("ingest", "--jsonl", str(path)).splitlines()]
    by_doc = {r["external_id"]: r["article_id"] for r in stored}
    return {i: by_doc[records[i]["doc_id"]] for i in range(len(records))}


def stories_from_api(article_ids: dict[int, int]) -> list[int]:
    from django.test import Client

    client = Client()
    found = []
    for i in range(len(article_ids)):
        data = client.get(f"/api/articles/{article_ids[i]}").json()
        found.append(data["story_id"] if data["story_id"] is not None else -article_ids[i])
    return found


def pure_stories(records: list[dict], order: list[int]) -> list[int]:
    clusterer = StoryClusterer()
    for position, i in enumerate(order):
        text = records[i]["clean"]
        at = START + timedelta(minutes=position)
        doc = ClusterDoc(id=i, text=text, headline=headline_of(text), published_at=at)
        clusterer.assign(article=doc)
    return [clusterer.story_of[i] for i in range(len(records))]


def report(records: list[dict], predicted: dict[str, list[int]], threshold: float) -> None:
    parts = {
        "tune (topics 1-10)": [i for i, r in enumerate(records) if r["topic"] in TUNE_TOPICS],
        "held-out (topics 11-22)": [
            i for i, r in enumerate(records) if r["topic"] not in TUNE_TOPICS
        ],
        "all": list(range(len(records))),
    }
    print(f"{'part':25} {'method':22} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'ARI':>6}")
    for name, members in parts.items():
        part = [records[i] for i in members]
        rows = {method: [found[i] for i in members] for method, found in predicted.items()}
        rows["tf-idf agglomerative"] = baseline(part, threshold)
        for method, found in rows.items():
            s = scores(part, found)
            print(
                f"{name:25} {method:22} {s['P']:6.3f} {s['R']:6.3f} {s['F1']:6.3f} {s['ARI']:6.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    records = load_ecbplus(args.data)
    order = list(range(len(records)))
    random.Random(args.seed).shuffle(order)
    folder = newsroom_setup()
    article_ids = ingest_in_order(folder, records, order)
    started = time.perf_counter()
    summary = cli("enrich").strip()
    seconds = time.perf_counter() - started
    print(f"ECB+: {len(records)} documents, order seed {args.seed}; {summary} ({seconds:.0f} s)")
    threshold = tuned_baseline_threshold([r for r in records if r["topic"] in TUNE_TOPICS])
    predicted = {
        "tidings (API story_id)": stories_from_api(article_ids),
        "pure clusterer": pure_stories(records, order),
    }
    report(records, predicted, threshold)


if __name__ == "__main__":
    main()
