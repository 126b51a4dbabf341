"""Story clustering on ECB+ (gold = subtopic): ours (online) next to TF-IDF + agglomerative.

    .venv/bin/python -m bench.story_clusters [--data ../shared/data] [--orders 7]
    .venv/bin/python -m bench.story_clusters --scale 100000   # throughput and memory

ECB+ documents have no dates, so the online clusterer sees them in deterministic shuffles
(seeds 0..orders-1); B-cubed and ARI are reported as the median and the range over orders.
Settings (ours and the baseline's distance threshold) are chosen on topics 1-10 only; topics
11-22 are held out. `--scale N` streams N dated articles (news-articles-2017 and Reuters
replicated, each copy shifted in time) through the LSA vectoriser and the clusterer.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import resource
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from tidings.enrichment.clusters import StoryClusterer
from tidings.enrichment.types import ClusterDoc
from tidings.enrichment.vectors import LsaVectoriser

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
TUNE_TOPICS = frozenset(range(1, 11))
BASELINE_THRESHOLDS = [round(0.60 + 0.025 * i, 3) for i in range(15)]


def detokenise(text: str) -> str:
    text = re.sub(r" ([,.;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$]) ", r"\1", text)
    text = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    text = text.replace("`` ", '"').replace(" ''", '"')
    return re.sub(r"(\w) - (\w)", r"\1-\2", text)


def load_ecbplus(data: Path) -> list[dict]:
    path = data / "clustering" / "ecbplus" / "ecbplus_docs.jsonl"
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    for record in records:
        record["clean"] = detokenise(record["text"])
    return records


def bcubed(gold: list[str], predicted: list[int]) -> tuple[float, float, float]:
    members = defaultdict(list)
    sizes = defaultdict(int)
    for g, p in zip(gold, predicted, strict=True):
        members[p].append(g)
        sizes[g] += 1
    precision = recall = 0.0
    for g, p in zip(gold, predicted, strict=True):
        correct = members[p].count(g)
        precision += correct / len(members[p])
        recall += correct / sizes[g]
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def ours(records: list[dict], seed: int) -> tuple[list[int], float]:
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    clusterer = StoryClusterer()
    started = time.process_time()  # CPU time: the shared machine's load is not ours
    for i in order:
        clusterer.assign(article=ClusterDoc(id=i, text=records[i]["clean"]))
    elapsed = time.process_time() - started
    return [clusterer.story_of[i] for i in range(len(records))], len(records) / elapsed


def baseline(records: list[dict], threshold: float) -> list[int]:
    """TF-IDF (sublinear, English stop words) + average-linkage agglomerative on cosine."""
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1)
    matrix = tfidf.fit_transform([r["clean"] for r in records]).toarray()
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
    )
    return model.fit_predict(matrix).tolist()


def scores(records: list[dict], predicted: list[int]) -> dict[str, float]:
    gold = [r["subtopic"] for r in records]
    precision, recall, f1 = bcubed(gold, predicted)
    ari = adjusted_rand_score(gold, predicted)
    return {"P": precision, "R": recall, "F1": f1, "ARI": ari, "clusters": len(set(predicted))}


def ours_over_orders(records: list[dict], orders: int) -> dict[str, object]:
    runs, speeds = [], []
    for seed in range(orders):
        predicted, speed = ours(records, seed)
        runs.append(scores(records, predicted))
        speeds.append(speed)
    f1s = [run["F1"] for run in runs]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return {
        **median,
        "F1_min": min(f1s),
        "F1_max": max(f1s),
        "docs_per_s": statistics.median(speeds),
    }


def tuned_baseline_threshold(records: list[dict]) -> float:
    best = max(BASELINE_THRESHOLDS, key=lambda t: scores(records, baseline(records, t))["F1"])
    return best


def ecb_report(data: Path, orders: int) -> None:
    records = load_ecbplus(data)
    parts = {
        "tune (topics 1-10)": [r for r in records if r["topic"] in TUNE_TOPICS],
        "held-out (topics 11-22)": [r for r in records if r["topic"] not in TUNE_TOPICS],
        "all 20 topics": records,
    }
    threshold = tuned_baseline_threshold(parts["tune (topics 1-10)"])
    print(f"baseline distance threshold chosen on tune topics: {threshold}")
    print(
        f"{'part':26} {'method':10} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'ARI':>6}",
        f"{'F1 range':>13}",
    )
    for name, part in parts.items():
        ours_row = ours_over_orders(part, orders)
        base = scores(part, baseline(part, threshold))
        started = time.process_time()
        baseline(part, threshold)
        base_speed = len(part) / (time.process_time() - started)
        _row(name, "ours", ours_row, f"{ours_row['F1_min']:.3f}-{ours_row['F1_max']:.3f}")
        _row(name, "baseline", base, "(batch)")
        print(
            f"{'':26} docs per CPU s: ours {ours_row['docs_per_s']:.0f} (online, one at a time), "
            f"baseline {base_speed:.0f} (batch, whole set at once)"
        )


def _row(name: str, method: str, row: dict, spread: str) -> None:
    print(
        f"{name:26} {method:10} {row['P']:6.3f} {row['R']:6.3f} {row['F1']:6.3f} "
        f"{row['ARI']:6.3f} {spread:>13}"
    )


def dated_stream(data: Path, total: int) -> list[tuple[datetime, str]]:
    """Real articles replicated to `total`, each copy moved a year on (a fresh news cycle)."""
    base = _news_2017(data) + _reuters(data)
    base.sort(key=lambda item: item[0])
    stream = []
    for copy in range(total // len(base) + 1):
        stream.extend((at + timedelta(days=400 * copy), text) for at, text in base)
    return stream[:total]


def _news_2017(data: Path) -> list[tuple[datetime, str]]:
    csv.field_size_limit(sys.maxsize)
    path = data / "articles" / "news-articles-2017" / "NewsArticles.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    items = []
    for row in rows:
        day = row["publish_date"].strip().split(" ")[0]
        if row["text"].strip():
            items.append((datetime.strptime(day, "%Y/%m/%d"), f"{row['title']}\n{row['text']}"))
    return items


def _reuters(data: Path) -> list[tuple[datetime, str]]:
    path = data / "articles" / "reuters21578" / "derived_reuters21578.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        stories = [json.loads(line) for line in lines]
    return [
        (datetime.fromisoformat(s["date"]) + timedelta(days=365 * 30), f"{s['title']}\n{s['body']}")
        for s in stories
        if s.get("date") and s.get("body")
    ]


def scale_report(data: Path, total: int) -> None:
    stream = dated_stream(data, total)
    fit_texts = [text for _, text in stream[:5000]]
    started = time.process_time()
    vectoriser = LsaVectoriser(dimensions=256).fit(fit_texts)
    fit_seconds = time.process_time() - started
    clusterer = StoryClusterer()
    vector_seconds = cluster_seconds = 0.0
    latencies = []
    # CPU time, not wall time: the shared machine's load would otherwise be measured.
    for i, (at, text) in enumerate(stream):
        t0 = time.process_time()
        vectoriser.transform([text])
        t1 = time.process_time()
        clusterer.assign(article=ClusterDoc(id=i, text=text, published_at=at))
        t2 = time.process_time()
        vector_seconds += t1 - t0
        cluster_seconds += t2 - t1
        latencies.append(t2 - t0)
        if (i + 1) % 10_000 == 0:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {i + 1} articles, {len(clusterer.stories)} stories, "
                f"{(i + 1) / (vector_seconds + cluster_seconds):.0f} articles per CPU s, "
                f"peak RSS {rss:.0f} MB",
                flush=True,
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles {len(stream)}; LSA fit on 5,000: {fit_seconds:.1f} CPU s")
    print(
        f"vectoriser {len(stream) / vector_seconds:.0f} articles/s, "
        f"clusterer {len(stream) / cluster_seconds:.0f} articles/s per CPU second"
    )
    print(
        f"per article (CPU) median {np.median(latencies) * 1000:.2f} ms, "
        f"p99 {np.percentile(latencies, 99) * 1000:.2f} ms"
    )
    print(
        f"stories {len(clusterer.stories)}; peak RSS {peak_mb:.0f} MB; "
        f"state JSON {len(json.dumps(clusterer.to_dict())) / 1e6:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--orders", type=int, default=7)
    parser.add_argument("--scale", type=int, default=0, help="articles for the throughput run")
    args = parser.parse_args()
    if args.scale:
        scale_report(args.data, args.scale)
    else:
        ecb_report(args.data, args.orders)


if __name__ == "__main__":
    main()
