"""Server time to record a read event ("My Reads" line + interaction log) at 1 million events.

Usage: python -m bench.read_events [--events 1000000] [--requests 500]
SQLite in a temporary data folder, or PostgreSQL when DATABASE_URL is set (a database named
``tidings_bench`` is created and dropped). Two figures per size: the service alone
(``read_event_record``) and the whole ``POST /api/me/read-events`` through Django's test
client (token auth, JSON checks, no network). Baseline: the same calls on an empty log,
measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from bench.pages import create_database, setup_django

ARTICLES = 400
OTHER_READERS = 1000


def seed_newsroom() -> list[int]:
    from django.utils import timezone

    from tidings.articles.models import Article
    from tidings.sources.models import Source

    source = Source.objects.create(name="Wire", slug="wire", kind="feed")
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=f"Story {n}",
            slug=f"story-{n}",
            source=source,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n),
        )
        for n in range(ARTICLES)
    )
    return list(Article.objects.values_list("pk", flat=True))


def seed_readers() -> tuple[Any, str, list[int]]:
    from django.contrib.auth import get_user_model

    from tidings.readers.models import Profile
    from tidings.readers.services import api_token_create

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"reader{n}@example.org", email=f"reader{n}@example.org")
        for n in range(OTHER_READERS + 1)
    )
    ids = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True))
    Profile.objects.bulk_create(Profile(user_id=pk) for pk in ids)
    reader = get_user_model().objects.get(pk=ids[0])
    _, key = api_token_create(user=reader, name="bench")
    del users
    return reader, key, ids[1:]


def fill_log(*, events: int, article_ids: list[int], reader_ids: list[int]) -> float:
    """Insert ``events`` interaction rows (and one My Reads line per reader and story they
    touched, capped) with plain executemany: the table the service appends to."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tidings.readers.models import Interaction, Reading

    rng = random.Random(11)
    started = time.perf_counter()
    now = timezone.now()
    table = Interaction._meta.db_table
    sql = (
        f"INSERT INTO {table} (reader, session, article_id, kind, dwell_seconds, progress, "  # noqa: S608 - our own table name
        "occurred_at) VALUES (%s, '', %s, 'read', %s, %s, %s)"
    )
    batch = 20_000
    for first in range(0, events, batch):
        rows = [
            (
                rng.choice(reader_ids),
                rng.choice(article_ids),
                rng.randint(5, 300),
                rng.randint(0, 100),
                now - timedelta(seconds=rng.randint(0, 90 * 86400)),
            )
            for _ in range(min(batch, events - first))
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    readings = [
        Reading(user_id=reader, article_id=article, first_read_at=now, last_read_at=now)
        for reader in reader_ids
        for article in rng.sample(article_ids, 100)
    ]
    Reading.objects.bulk_create(readings, batch_size=10_000)
    return time.perf_counter() - started


def measure(*, reader: Any, key: str, article_ids: list[int], requests: int) -> dict[str, float]:
    from django.test import Client

    from tidings.readers.services import read_event_record

    rng = random.Random(5)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    service, api = [], []
    for _ in range(requests):
        article = rng.choice(article_ids)
        started = time.perf_counter()
        read_event_record(user=reader, article_id=article, seconds=12, progress=55)
        service.append(time.perf_counter() - started)
        body = json.dumps({"article_id": rng.choice(article_ids), "seconds": 15, "progress": 60})
        started = time.perf_counter()
        response = client.post("/api/me/read-events", body, content_type="application/json")
        api.append(time.perf_counter() - started)
        assert response.status_code == 204, response.content
    return {"service": statistics.median(service) * 1000, "api": statistics.median(api) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    setup_django()
    create_database()
    from django.db import connection

    from tidings.readers.models import Interaction

    article_ids = seed_newsroom()
    reader, key, others = seed_readers()
    baseline = measure(reader=reader, key=key, article_ids=article_ids, requests=args.requests)
    Interaction.objects.filter(reader=reader.pk).delete()
    loading = fill_log(events=args.events, article_ids=article_ids, reader_ids=others)
    stored = Interaction.objects.count()
    loaded = measure(reader=reader, key=key, article_ids=article_ids, requests=args.requests)
    print(f"engine: {connection.vendor}; {stored:,} events stored (loaded in {loading:.0f} s)")
    print("| call | empty log median ms | at %s events median ms | × baseline |" % f"{stored:,}")  # noqa: UP031
    print("|---|---|---|---|")
    for name, label in (("service", "read_event_record"), ("api", "POST /api/me/read-events")):
        ratio = loaded[name] / baseline[name]
        print(f"| {label} | {baseline[name]:.2f} | {loaded[name]:.2f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
