"""Enrichment at scale: throughput per core, memory, and the cost of one new article.

    .venv/bin/python -m bench.enrich_scale [--articles 100000] [--data ../shared/data]

Real stories (news-articles-2017 and Reuters, replicated and moved a year on per copy, as
in bench/story_clusters.py) are stored as published articles in a fresh SQLite newsroom;
the vectoriser is fitted once (`vectoriser_refit`, the newest 30,000), then every article
goes through `articles_enrich` (the service behind `tidings enrich`) in publication order.
Reported: articles per CPU second (one core; CPU time, so the shared machine's load is not
measured), peak RSS, the saved clusterer state's size, and then the median cost of
enriching one new article (`article_enrich`, what the job runs) with all the others stored.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import time
from datetime import UTC
from pathlib import Path

from bench.story_clusters import DEFAULT_DATA, dated_stream
from bench.tagging_e2e import newsroom_setup

REPORT_EVERY = 10_000


def store_articles(stream: list) -> list[int]:
    from django.utils.text import slugify

    from tidings.articles.models import Article
    from tidings.sources.models import Source

    source = Source.objects.create(name="Scale wire", slug="scale-wire")
    batch = []
    for number, (at, text) in enumerate(stream):
        headline, _, body = text.partition("\n")
        headline = (headline.strip() or body[:80])[:300]
        batch.append(
            Article(
                headline=headline,
                slug=slugify(headline)[:120] or "story",
                body_text=body,
                source=source,
                external_id=f"scale-{number}",
                status=Article.Status.PUBLISHED,
                published_at=at.replace(tzinfo=UTC),
                content_hash=hashlib.sha256(f"{number}:{text}".encode()).hexdigest(),
            )
        )
    Article.objects.bulk_create(batch, batch_size=2_000)
    return list(Article.objects.order_by("published_at", "pk").values_list("pk", flat=True))


def enrich_all(ids: list[int]) -> float:
    from tidings.articles.enrich import articles_enrich

    cpu = 0.0
    for start in range(0, len(ids), REPORT_EVERY):
        chunk = ids[start : start + REPORT_EVERY]
        began = time.process_time()
        articles_enrich(article_ids=chunk)
        cpu += time.process_time() - began
        done = start + len(chunk)
        print(
            f"  {done:,} articles: {done / cpu:.0f} articles per CPU second, "
            f"peak RSS {peak_mb():,.0f} MB, clusterer state {state_mb():.1f} MB",
            flush=True,
        )
    return cpu


def one_new_article(stream: list, repeats: int = 7) -> tuple[float, float]:
    """Median CPU and wall milliseconds of enriching one new article (the job's work)."""
    from tidings.articles.enrich import article_enrich
    from tidings.articles.models import Article

    cpu, wall = [], []
    for number in range(repeats):
        _, text = stream[number]
        headline, _, body = text.partition("\n")
        article = Article.objects.create(
            headline=headline[:300] or "New story",
            body_text=body,
            source_id=Article.objects.values_list("source_id", flat=True).first(),
            external_id=f"new-{number}",
            status=Article.Status.PUBLISHED,
            published_at=Article.objects.order_by("-published_at").first().published_at,
            content_hash=f"new-{number}",
        )
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        article_enrich(article_id=article.pk)
        cpu.append(time.process_time() - began_cpu)
        wall.append(time.perf_counter() - began_wall)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def state_mb() -> float:
    from tidings.search.models import EnrichmentModel

    row = EnrichmentModel.objects.filter(name=EnrichmentModel.Name.CLUSTERER).first()
    return len(bytes(row.payload)) / 1e6 if row else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    newsroom_setup()
    stream = dated_stream(args.data, args.articles)
    ids = store_articles(stream)
    del stream
    from tidings.articles.training import vectoriser_refit

    began = time.process_time()
    vectoriser_refit()
    fit_cpu = time.process_time() - began
    print(f"{len(ids):,} articles stored; vectoriser fitted in {fit_cpu:.0f} CPU s")
    cpu = enrich_all(ids)
    print(
        f"enriched {len(ids):,} articles in {cpu:.0f} CPU s: "
        f"{len(ids) / cpu:.0f} articles per second per core; peak RSS {peak_mb():,.0f} MB"
    )
    new_stories = dated_stream(args.data, 7)
    cpu_ms, wall_ms = one_new_article(new_stories)
    print(f"one new article after {len(ids):,}: median {cpu_ms:.0f} ms CPU, {wall_ms:.0f} ms wall")
    from tidings.articles.stories import stories_assign_pending

    began = time.process_time()
    created, _ = stories_assign_pending()
    print(
        f"the coalesced story job for those 7: {(time.process_time() - began) * 1000:.0f} ms CPU "
        f"({created} new stories; the clusterer state is saved once per job)"
    )


if __name__ == "__main__":
    main()
