"""Near-duplicate detection on Reuters-21578 and BBC News (MinHash-LSH).

    .venv/bin/python -m bench.near_duplicates [--data ../shared/data] [--random-pairs 200000]

Reports recall of the derived Reuters pairs (exact Jaccard over 5-word shingles) at J >= 0.8
and J >= 0.5, the recall of BBC's exact duplicate copies, the false-positive rate of the
query threshold on random pairs, the precision of everything the index returns (checked with
exact Jaccard), and signatures per second.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from pathlib import Path

from tidings.enrichment.near_duplicates import (
    NearDuplicateIndex,
    estimated_jaccard,
    shingles,
    signature,
)

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def reuters_bodies(data: Path) -> dict[int, str]:
    path = data / "articles" / "reuters21578" / "derived_reuters21578.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        stories = (json.loads(line) for line in lines)
        bodies = {s["newid"]: s["body"] for s in stories if s.get("text_type") == "NORM"}
    # Same normalisation as the derived pairs: bodies under 20 words are skipped.
    return {i: body for i, body in bodies.items() if len(body.split()) >= 20}


def gold_pairs(data: Path) -> list[tuple[int, int, float]]:
    path = data / "articles" / "reuters21578" / "derived_near_duplicate_pairs.tsv"
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return [(int(r.split("\t")[0]), int(r.split("\t")[1]), float(r.split("\t")[2])) for r in rows]


def exact_jaccard(first: str, second: str) -> float:
    a, b = shingles(text=first), shingles(text=second)
    return len(a & b) / len(a | b) if a | b else 1.0


def found_pairs(index: NearDuplicateIndex, threshold: float) -> set[tuple[int, int]]:
    pairs = set()
    for article_id, sig in index.signatures.items():
        for other, _score in index.query(signature=sig, threshold=threshold):
            if other != article_id:
                pairs.add((min(article_id, other), max(article_id, other)))
    return pairs


def reuters_report(data: Path, random_pairs: int, threshold: float) -> dict[str, float]:
    bodies = reuters_bodies(data)
    started = time.perf_counter()
    sigs = {i: signature(text=body) for i, body in bodies.items()}
    elapsed = time.perf_counter() - started
    index = NearDuplicateIndex(threshold=threshold)
    for i, sig in sigs.items():
        index.add(article_id=i, signature=sig)
    found = found_pairs(index, threshold)
    gold = [(min(a, b), max(a, b), j) for a, b, j in gold_pairs(data) if a in sigs and b in sigs]
    high = [(a, b) for a, b, j in gold if j >= 0.8]
    precise = sum(exact_jaccard(bodies[a], bodies[b]) >= 0.5 for a, b in found)
    rng = random.Random(0)
    ids = list(sigs)
    gold_set = {(a, b) for a, b, _ in gold}
    sample = [tuple(sorted(rng.sample(ids, 2))) for _ in range(random_pairs)]
    sample = [p for p in sample if p not in gold_set]
    false_hits = sum(estimated_jaccard(sigs[a], sigs[b]) >= threshold for a, b in sample)
    return {
        "stories": len(bodies),
        "signatures_per_second": len(bodies) / elapsed,
        "recall_j_ge_0.8": sum(p in found for p in high) / len(high),
        "pairs_j_ge_0.8": len(high),
        "recall_j_ge_0.5": sum((a, b) in found for a, b, _ in gold) / len(gold),
        "pairs_j_ge_0.5": len(gold),
        "returned_pairs": len(found),
        "precision_exact_j_ge_0.5": precise / len(found) if found else 1.0,
        "random_pairs": len(sample),
        "false_positive_rate_random": false_hits / len(sample),
    }


def bbc_report(data: Path, threshold: float) -> dict[str, float]:
    root = data / "articles" / "bbc-news"
    texts = {
        p.relative_to(root).as_posix(): p.read_text(encoding="latin-1")
        for p in root.glob("*/*.txt")
    }
    numbers = {name: n for n, name in enumerate(sorted(texts))}
    index = NearDuplicateIndex(threshold=threshold)
    for name, text in texts.items():
        index.add(article_id=numbers[name], signature=signature(text=text))
    rows = (root / "derived_exact_duplicate_groups.tsv").read_text().splitlines()[1:]
    groups = [re.split(r"\s+", row.strip()) for row in rows if row.strip()]
    hits = 0
    for group in groups:
        first, *rest = (numbers[name] for name in group)
        returned = {i for i, _ in index.query(signature=index.signatures[first])}
        hits += all(other in returned for other in rest)
    found = found_pairs(index, threshold)
    gold = {tuple(sorted(numbers[n] for n in group)) for group in groups}
    names = {n: name for name, n in numbers.items()}
    extra = [exact_jaccard(texts[names[a]], texts[names[b]]) for a, b in found - gold]
    return {
        "groups": len(groups),
        "recall": hits / len(groups),
        "returned_pairs": len(found),
        "returned_not_in_gold": len(found - gold),
        "of_those_exact_j_ge_0.5": sum(j >= 0.5 for j in extra),
        "of_those_min_exact_j": round(min(extra), 3) if extra else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--random-pairs", type=int, default=200_000)
    parser.add_argument("--threshold", type=float, default=NearDuplicateIndex().threshold)
    args = parser.parse_args()
    reuters = reuters_report(args.data, args.random_pairs, args.threshold)
    print("reuters21578", json.dumps({k: round(v, 4) for k, v in reuters.items()}, indent=1))
    bbc = bbc_report(args.data, args.threshold)
    print("bbc-news", json.dumps(bbc, indent=1))


if __name__ == "__main__":
    main()
