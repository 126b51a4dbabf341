"""MinHash-LSH near-duplicates: syndicated copies are found, different stories are not."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from tests.conftest import shared_path
from tidings.enrichment.near_duplicates import (
    PERMUTATIONS,
    NearDuplicateIndex,
    estimated_jaccard,
    shingles,
    signature,
)

REUTERS = shared_path("articles", "reuters21578")
WIRE = (
    "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought "
    "since early January and improving prospects for the coming temporao, although normal "
    "humidity levels have not been restored, Comissaria Smith said in its weekly review. "
    "The dry period means the temporao will be late this year. Arrivals for the week ended "
    "February 22 were 155,221 bags of 60 kilos making a cumulative total for the season."
)


def exact_jaccard(first: str, second: str) -> float:
    a, b = shingles(text=first), shingles(text=second)
    return len(a & b) / len(a | b)


def test_signature_is_deterministic_and_fixed_size() -> None:
    """Signatures are stored on articles, so they must not change between processes."""
    assert signature(text=WIRE) == signature(text=WIRE)
    assert len(signature(text=WIRE)) == PERMUTATIONS * 4
    assert estimated_jaccard(signature(text=WIRE), signature(text=WIRE)) == 1.0


def test_estimate_tracks_exact_jaccard() -> None:
    """A lightly edited copy is estimated close to its exact shingle Jaccard."""
    edited = WIRE.replace("Comissaria Smith", "the exporter Comissaria Smith").replace("60", "61")
    exact = exact_jaccard(WIRE, edited)
    estimate = estimated_jaccard(signature(text=WIRE), signature(text=edited))
    assert 0.5 < exact < 0.95
    assert estimate == pytest.approx(exact, abs=0.15)


def test_index_returns_copies_but_not_other_stories() -> None:
    index = NearDuplicateIndex()
    index.add(article_id=1, signature=signature(text=WIRE))
    index.add(article_id=2, signature=signature(text=WIRE + " Reuter"))
    index.add(article_id=3, signature=signature(text="The striker scored twice in the cup final."))
    hits = index.query(signature=signature(text=WIRE))
    assert [hit[0] for hit in hits] == [1, 2]
    assert hits[0][1] == 1.0


@pytest.fixture(scope="module")
def reuters_pairs() -> tuple[dict[int, str], list[tuple[int, int, float]]]:
    pairs_path = REUTERS / "derived_near_duplicate_pairs.tsv"
    if not pairs_path.is_file():
        pytest.skip(f"Reuters-21578 near-duplicate pairs absent at {pairs_path}")
    rows = [line.split("\t") for line in pairs_path.read_text().splitlines()[1:]]
    pairs = [(int(r[0]), int(r[1]), float(r[2])) for r in rows][:150]
    wanted = {i for a, b, _ in pairs for i in (a, b)} | set(range(1, 1500))
    with gzip.open(REUTERS / "derived_reuters21578.jsonl.gz", "rt", encoding="utf-8") as lines:
        stories = (json.loads(line) for line in lines)
        bodies = {s["newid"]: s["body"] for s in stories if s["newid"] in wanted and s["body"]}
    return bodies, [(a, b, j) for a, b, j in pairs if a in bodies and b in bodies]


def test_reuters_pairs_at_high_jaccard_are_found(reuters_pairs) -> None:
    """Derived Reuters pairs with J >= 0.8 are found; random story pairs are not."""
    bodies, pairs = reuters_pairs
    index = NearDuplicateIndex()
    for article_id, body in bodies.items():
        index.add(article_id=article_id, signature=signature(text=body))
    high = [(a, b) for a, b, j in pairs if j >= 0.8]
    found = sum(b in {i for i, _ in index.query(signature=index.signatures[a])} for a, b in high)
    assert len(high) >= 50
    assert found / len(high) >= 0.95
    rng = random.Random(0)
    ids = sorted(bodies)
    known = {(a, b) for a, b, _ in pairs} | {(b, a) for a, b, _ in pairs}
    sample = [tuple(rng.sample(ids, 2)) for _ in range(2000)]
    false_hits = [
        p
        for p in sample
        if p not in known
        and estimated_jaccard(index.signatures[p[0]], index.signatures[p[1]]) >= index.threshold
        and exact_jaccard(bodies[p[0]], bodies[p[1]]) < 0.5
    ]
    assert len(false_hits) <= 2
