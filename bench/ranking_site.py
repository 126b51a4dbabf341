"""For-you and trending server time on a large newsroom with a realistic reading history.

Usage: python -m bench.ranking_site [--articles 1000000] [--readers 100000]
                                     [--clicks 1000000] [--requests 300]
Runs on SQLite in a temporary data folder, or on PostgreSQL when DATABASE_URL is set (a
database named ``tidings_bench_ranking`` is created and dropped). Articles, readers, follows
and feedback are generated with bulk inserts; the interaction history is the Globo.com click
log (../shared/data/interactions/globo-clicks, ids only): its readers are folded onto the
generated readers, its articles onto the most recent generated articles, and its times are
shifted so the log ends now. Figures are medians and p95 of in-process calls; the site's
"latest stories" selector is timed in the same run as the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

GLOBO = Path(__file__).resolve().parent.parent.parent / "shared/data/interactions/globo-clicks"
DB_NAME = "tidings_bench_ranking"
BATCH = 5_000


def setup_django() -> None:
    os.environ.setdefault("TIDINGS_DATA_DIR", tempfile.mkdtemp(prefix="tidings-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.config.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + DB_NAME
    import django

    django.setup()


def create_database() -> None:
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        _admin(db, f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def drop_database() -> None:
    from django.conf import settings
    from django.db import connections

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        connections.close_all()
        _admin(db, f"DROP DATABASE IF EXISTS {DB_NAME}")


def _admin(db: dict, *statements: str) -> None:
    import psycopg

    admin = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    )
    for statement in statements:
        admin.execute(statement)
    admin.close()


def _bulk(model, rows) -> None:  # type: ignore[no-untyped-def]
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


def seed_newsroom(*, articles: int, rng: random.Random) -> dict:
    """Sections, 60 sources (a few wires, many small ones), 3,000 topics, story clusters."""
    from tidings.articles.models import Article, ArticleTopic, Section, StoryCluster, Topic
    from tidings.sources.models import Source

    names = ["World News", "India", "Business", "Sport", "Technology", "Science", "Opinion"]
    sections = [Section.objects.create(name=n, slug=n.lower().replace(" ", "-")) for n in names]
    sources = [
        Source.objects.create(name=f"Source {n}", slug=f"source-{n}", kind="feed")
        for n in range(60)
    ]
    _bulk(Topic, (Topic(name=f"Topic {n}", slug=f"topic-{n}") for n in range(3_000)))
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    _bulk(StoryCluster, (StoryCluster(title=f"Story {n}") for n in range(articles // 5)))
    cluster_ids = list(StoryCluster.objects.values_list("pk", flat=True))
    now = datetime.now(tz=UTC)
    span = timedelta(days=120).total_seconds()
    source_weights = [50 if n < 5 else 1 for n in range(60)]  # wires dominate the volume
    chosen_sources = rng.choices(sources, weights=source_weights, k=articles)

    def article(n: int) -> Article:
        # Ids grow with time: newest stories have the highest ids, as on a live site.
        age = span * (1 - n / articles) ** 2
        return Article(
            headline=f"Generated story {n}",
            slug=f"story-{n}",
            source=chosen_sources[n],
            section=sections[n % len(sections)],
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(seconds=age + 60),
            story_cluster_id=cluster_ids[rng.randrange(len(cluster_ids))] if n % 3 == 0 else None,
        )

    _bulk(Article, (article(n) for n in range(articles)))
    article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    zipf = [1 / (rank + 1) for rank in range(len(topic_ids))]
    _bulk(
        ArticleTopic,
        (
            ArticleTopic(article_id=pk, topic_id=topic)
            for pk in article_ids
            for topic in set(rng.choices(topic_ids, weights=zipf, k=2))
        ),
    )
    return {"articles": article_ids, "topics": topic_ids, "sections": sections, "sources": sources}


def seed_readers(*, readers: int, newsroom: dict, rng: random.Random) -> list[int]:
    """Readers with 0–5 follows; one in ten has hidden a topic and said "less" once."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from tidings.readers.models import Feedback, Follow

    user = get_user_model()
    unusable = make_password(None)
    _bulk(user, (user(username=f"reader{n}", password=unusable) for n in range(readers)))
    user_ids = list(user.objects.order_by("pk").values_list("pk", flat=True))
    popular_topics = newsroom["topics"][:300]

    def follows(uid: int):  # type: ignore[no-untyped-def]
        for topic in set(rng.choices(popular_topics, k=rng.randrange(0, 5))):
            yield Follow(user_id=uid, kind="topic", topic_id=topic)
        if rng.random() < 0.3:
            yield Follow(user_id=uid, kind="section", section=rng.choice(newsroom["sections"]))
        if rng.random() < 0.2:
            yield Follow(user_id=uid, kind="source", source=rng.choice(newsroom["sources"]))

    _bulk(Follow, (follow for uid in user_ids for follow in follows(uid)))
    recent = newsroom["articles"][-20_000:]
    _bulk(
        Feedback,
        (
            Feedback(user_id=uid, kind=kind, article_id=rng.choice(recent), topic_id=topic)
            for uid in user_ids[::10]
            for kind, topic in (("hide_topic", rng.choice(popular_topics)), ("less", None))
        ),
    )
    return user_ids


def seed_interactions(*, clicks: int, user_ids: list[int], newsroom: dict, rng) -> int:  # type: ignore[no-untyped-def]
    """The Globo log's first `clicks` clicks, folded onto our readers and recent articles."""
    from tidings.ranking.events import read_clicks
    from tidings.readers.models import Interaction, Reading

    files = sorted((GLOBO / "clicks").glob("clicks_hour_*.csv.gz"))
    log, used = [], 0
    while len(log) < clicks and used < len(files):
        used = min(len(files), used + 20)
        log = read_clicks(format="globo", paths=files[:used])
    log = log[:clicks] if len(log) > clicks else list(log)
    recent = newsroom["articles"][-60_000:]
    article_of: dict[int, int] = {}
    shift = datetime.now(tz=UTC).timestamp() - log[-1].at - 60
    last_reads: dict[int, dict[int, float]] = {}

    def rows():  # type: ignore[no-untyped-def]
        for click in log:
            article = article_of.setdefault(click.article_id, rng.choice(recent))
            reader = user_ids[click.reader_id % len(user_ids)]
            at = click.at + shift
            last_reads.setdefault(reader, {})[article] = at
            yield Interaction(
                reader=reader,
                session=str(click.session_id),
                article_id=article,
                kind="open",
                occurred_at=datetime.fromtimestamp(at, tz=UTC),
            )

    _bulk(Interaction, rows())
    _bulk(
        Reading,
        (
            Reading(
                user_id=reader,
                article_id=pk,
                first_read_at=_at(at),
                last_read_at=_at(at),
                progress=80,
            )
            for reader, reads in last_reads.items()
            for pk, at in sorted(reads.items(), key=lambda item: item[1])[-20:]
        ),
    )
    return len(log)


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def timed(call, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(name: str, times: list[float], baseline: float | None = None) -> str:
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    ratio = f"  ({p50 / baseline:.1f}x latest-stories)" if baseline else ""
    return f"{name:<34} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms{ratio}"


def measure(*, user_ids: list[int], requests: int, rng: random.Random) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tidings.articles.selectors import article_list_latest
    from tidings.ranking import trending
    from tidings.ranking.foryou import for_you_page
    from tidings.ranking.selectors import live_state

    live_state()  # load the snapshot once, as a web process does
    users = get_user_model().objects.in_bulk(rng.sample(user_ids, requests))
    sample = list(users.values())
    for_you_page(user=sample[0], session_key=None, session_reads=[], cursor=0, limit=20)
    latest = timed(lambda i: article_list_latest(limit=20), requests)
    baseline = statistics.median(latest)
    lines = [summary("latest stories (baseline)", latest)]
    lines.append(
        summary(
            "for you, signed in (service)",
            timed(
                lambda i: for_you_page(
                    user=sample[i], session_key=None, session_reads=[], cursor=0, limit=20
                ),
                requests,
            ),
            baseline,
        )
    )
    recent = list(live_state().article_ids[-5_000:])
    anonymous = [[int(rng.choice(recent)) for _ in range(2)] for _ in range(requests)]
    lines.append(
        summary(
            "for you, anonymous session",
            timed(
                lambda i: for_you_page(
                    user=None, session_key=None, session_reads=anonymous[i], cursor=0, limit=20
                ),
                requests,
            ),
            baseline,
        )
    )
    client = Client()
    client.force_login(sample[0])
    lines.append(
        summary(
            "GET /api/me/for-you (one reader)",
            timed(lambda i: client.get("/api/me/for-you?limit=20"), requests),
            baseline,
        )
    )
    for name, compute in (
        ("trending topics: compute (job)", trending.topics_compute),
        ("trending stories: compute (job)", trending.stories_compute),
        ("most read: compute (job)", trending.most_read_compute),
    ):
        lines.append(summary(name, timed(lambda i, c=compute: c(), 5), baseline))
    trending.trending_refresh()
    public = Client()
    for path in ("/api/trending/topics", "/api/trending/stories", "/api/most-read"):
        lines.append(summary(f"GET {path}", timed(lambda i, p=path: public.get(p), requests)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="profile the For-you calls")
    options = parser.parse_args()
    if not GLOBO.is_dir():
        raise SystemExit(f"the Globo click log is absent at {GLOBO}")
    setup_django()
    from django.db import connection

    from tidings.ranking.services import state_refresh

    rng = random.Random(11)
    create_database()
    try:
        steps = {}
        started = time.perf_counter()
        newsroom = seed_newsroom(articles=options.articles, rng=rng)
        steps["articles"] = time.perf_counter() - started
        user_ids = seed_readers(readers=options.readers, newsroom=newsroom, rng=rng)
        steps["readers"] = time.perf_counter() - started - sum(steps.values())
        clicks = seed_interactions(
            clicks=options.clicks, user_ids=user_ids, newsroom=newsroom, rng=rng
        )
        steps["interactions"] = time.perf_counter() - started - sum(steps.values())
        state_refresh(rebuild=True)
        steps["state rebuild"] = time.perf_counter() - started - sum(steps.values())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {options.articles:,} articles, {options.readers:,} readers, "
            f"{clicks:,} interactions; setup "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps.items())
        )
        if options.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(measure, user_ids=user_ids, requests=options.requests, rng=rng)
            pstats.Stats(profiler).sort_stats(
                os.environ.get("PROFILE_SORT", "cumulative")
            ).print_stats(int(os.environ.get("PROFILE_LINES", "40")))
            return
        for line in measure(user_ids=user_ids, requests=options.requests, rng=rng):
            print(line)
    finally:
        drop_database()


if __name__ == "__main__":
    main()
