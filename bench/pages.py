"""Server time of the front page and an article page with 10,000 articles.

Usage: python -m bench.pages [--articles 10000] [--requests 200]
Runs on SQLite in a temporary data folder, or on PostgreSQL when DATABASE_URL is set
(a database named ``tidings_bench`` is created and dropped). Figures are medians of
in-process requests (Django's test client: no network), with /robots.txt measured in the
same run as the baseline of a minimal request.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta


def setup_django() -> None:
    os.environ.setdefault("TIDINGS_DATA_DIR", tempfile.mkdtemp(prefix="tidings-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.config.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/tidings_bench"
    import django

    django.setup()


def create_database() -> None:
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        admin = psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            dbname="postgres",
            autocommit=True,
        )
        admin.execute("DROP DATABASE IF EXISTS tidings_bench")
        admin.execute("CREATE DATABASE tidings_bench")
        admin.close()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def seed(count: int) -> list[int]:
    from django.utils import timezone

    from tidings.articles.models import Article, ArticleTopic, Byline, Media, Section, Topic
    from tidings.sources.models import Source

    rng = random.Random(7)
    sections = [
        Section.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for name in [
            "World News",
            "India",
            "Business",
            "Sport",
            "Technology",
            "Science",
            "Opinion",
            "Entertainment",
        ]
    ]
    sources = [
        Source.objects.create(name=f"Source {n}", slug=f"source-{n}", kind="feed")
        for n in range(20)
    ]
    topics = [Topic.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(500)]
    bylines = [Byline.objects.create(name=f"Writer {n}", slug=f"writer-{n}") for n in range(100)]
    paragraph = (
        "<p>" + "The minister said the talks would continue next week in the capital. " * 6 + "</p>"
    )
    now = timezone.now()
    media = Media.objects.bulk_create(
        [
            Media(url=f"https://img.example/{n}.jpg", caption="A caption.", credit="AFP")
            for n in range(count // 2)
        ]
    )
    articles = [
        Article(
            headline=f"Story number {n}: talks continue as ministers meet in the capital",
            slug=f"story-number-{n}",
            standfirst="The ministers met for a second day of talks.",
            body_html=paragraph * 8,
            body_text="text",
            source=rng.choice(sources),
            external_id=f"e{n}",
            section=rng.choice(sections),
            status="published",
            published_at=now - timedelta(minutes=n * 3),
            lead_media=media[n // 2] if n % 2 == 0 else None,
            agency="Reuters" if n % 3 == 0 else "",
        )
        for n in range(count)
    ]
    Article.objects.bulk_create(articles, batch_size=1000)
    ids = list(Article.objects.values_list("pk", flat=True))
    ArticleTopic.objects.bulk_create(
        [
            ArticleTopic(article_id=pk, topic=topic, origin="source")
            for pk in ids
            for topic in rng.sample(topics, 4)
        ],
        batch_size=2000,
    )
    Through = Article.bylines.through
    Through.objects.bulk_create(
        [Through(article_id=pk, byline=rng.choice(bylines)) for pk in ids], batch_size=2000
    )
    return ids


def median_ms(client: object, paths: list[str], requests: int) -> float:
    timings = []
    for number in range(requests):
        path = paths[number % len(paths)]
        started = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    create_database()
    from django.db import connection
    from django.test import Client

    from tidings.articles.models import Article

    started = time.perf_counter()
    ids = seed(args.articles)
    print(
        f"database: {connection.vendor}; seeded {len(ids)} articles"
        f" in {time.perf_counter() - started:.1f} s"
    )
    client = Client()
    sample = Article.objects.filter(pk__in=random.Random(3).sample(ids, 50)).select_related(
        "section"
    )
    article_paths = [article.get_absolute_url() for article in sample]
    for path in ["/", "/robots.txt", *article_paths[:5]]:  # warm caches and connections
        client.get(path)
    baseline = median_ms(client, ["/robots.txt"], args.requests)
    front = median_ms(client, ["/"], args.requests)
    article = median_ms(client, article_paths, args.requests)
    section = median_ms(client, ["/world-news/", "/business/"], args.requests)
    print(f"{'page':<14}{'median ms':>10}{'× baseline':>12}")
    for name, value in [
        ("baseline", baseline),
        ("front page", front),
        ("article page", article),
        ("section page", section),
    ]:
        print(f"{name:<14}{value:>10.2f}{value / baseline:>12.1f}")


if __name__ == "__main__":
    main()
