"""Cost of scoring "Read more" for one article: a cold pool, the same pool again, and a
neighbouring article's overlapping pool (what a second reader of the same story costs).

    .venv/bin/python -m bench.related_speed [--data ../shared/data] [--repeat 7]

Real stories (news-articles-2017 and Reuters, as in bench/story_clusters.py), first 6,000
characters each, with their word-embedding vectors computed beforehand (enrichment stores
them). Timed: `related_articles` (the pure stage behind the article page's rail and
`GET /api/articles/{id}/related`) for a 60-story pool (the rail: `limit` ≤ 20) and a
1,500-story pool (the API's `limit=500`). Medians over `--repeat` runs, cold runs once each
on a fresh process cache. Baseline in the same run: TF-IDF cosine alone over the same pool.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from bench.story_clusters import DEFAULT_DATA, dated_stream
from tidings.enrichment import related
from tidings.enrichment.types import RelatedDoc
from tidings.enrichment.vectors import word_embeddings


def _ms(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    texts = [text for _, text in dated_stream(args.data, 3_200)][:3_002]
    docs = [
        RelatedDoc(id=i, headline=text.split("\n")[0][:200], text=text[:6_000])
        for i, text in enumerate(texts)
    ]
    meanings = dict(
        enumerate(word_embeddings().transform([f"{d.headline}\n{d.text}" for d in docs]))
    )
    for size in (60, 1_500):
        time_pool(docs, meanings, size, args.repeat)


def time_pool(docs: list[RelatedDoc], meanings: dict, size: int, repeat: int) -> None:
    pool = docs[1 : size + 1]
    other = docs[size + 1 : 2 * size + 1]

    def score(article: RelatedDoc, candidates: list[RelatedDoc]) -> None:
        related.related_articles(
            article=article, candidates=candidates, k=min(size, 500), meanings=meanings
        )

    def tfidf_alone() -> None:
        texts = [f"{d.headline}\n{d.text}" for d in [docs[0], *pool]]
        matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
        (matrix[1:] @ matrix[0].T).toarray()

    related._terms.cache_clear()
    related._markers.cache_clear()
    cold = _ms(lambda: score(docs[0], pool))
    warm = statistics.median(_ms(lambda: score(docs[0], pool)) for _ in range(repeat))
    neighbour = _ms(lambda: score(docs[size + 1], pool))
    other_cold = _ms(lambda: score(docs[0], other))
    baseline = statistics.median(_ms(tfidf_alone) for _ in range(repeat))
    print(
        f"pool {size:>5}: cold {cold:7.1f} ms  same pool again {warm:7.1f} ms  "
        f"another article, same pool {neighbour:7.1f} ms  another cold pool {other_cold:7.1f} "
        f"ms | baseline, TF-IDF cosine alone {baseline:7.1f} ms "
        f"(cold {cold / baseline:.1f}x, again {warm / baseline:.1f}x)"
    )


if __name__ == "__main__":
    main()
