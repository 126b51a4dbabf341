"""For-you and trending server time on a large newsroom with a realistic reading history.

Usage: python -m bench.ranking_site [--articles 1000000] [--readers 100000]
                                     [--clicks 1000000] [--requests 300]
                                     [--keep] [--reuse] [--profile]
Runs on SQLite in a temporary data folder, or on PostgreSQL when DATABASE_URL is set (a
database named ``tidings_bench_ranking`` is created and dropped). Articles, readers, follows
and feedback are generated; the interaction history is the Globo.com click log
(../shared/data/interactions/globo-clicks, ids only): its readers are folded onto the
generated readers, its articles onto the most recent generated articles, and its times are
shifted so the log ends now. The bulk tables are written with bulk inserts on SQLite and
with COPY on PostgreSQL (same rows, same random draws). Figures are medians and p95 of
in-process calls; the site's "latest stories" selector is timed in the same run as the
baseline.

``--keep`` leaves the built database (and, on SQLite, its data folder
$TMPDIR/tidings-bench-ranking-sqlite) in place; ``--reuse`` times an existing build made with the
same --articles/--readers/--clicks without regenerating it (new migrations are applied and
the ranking state is rebuilt from the stored interactions first), or builds and keeps one
when there is none."""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

GLOBO = Path(__file__).resolve().parent.parent.parent / "shared/data/interactions/globo-clicks"
DB_NAME = "tidings_bench_ranking"
KEPT_DATA_DIR = Path(tempfile.gettempdir()) / "tidings-bench-ranking"
BUILD_TABLE = "bench_ranking_build"  # one row (sizes, setup times), written when complete
BATCH = 5_000
OWNED = {"data_dir": False}  # whether this bench chose the data folder (so may replace its files)


def setup_django(*, keep: bool) -> Path | None:
    """Point Django at the bench's database; return a temporary data folder to remove."""
    created = None
    url = os.environ.get("DATABASE_URL", "")
    if "TIDINGS_DATA_DIR" not in os.environ:
        if keep:
            kept = KEPT_DATA_DIR.with_name(
                f"{KEPT_DATA_DIR.name}-{'postgresql' if url.startswith('postgres') else 'sqlite'}"
            )
            kept.mkdir(parents=True, exist_ok=True)
            os.environ["TIDINGS_DATA_DIR"] = str(kept)
            OWNED["data_dir"] = True
        else:
            created = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
            os.environ["TIDINGS_DATA_DIR"] = str(created)
            OWNED["data_dir"] = True
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.config.settings")
    # Our own cache keys (Redis may be shared): cleared before timing, nothing else touched.
    os.environ.setdefault("CACHE_KEY_PREFIX", "tidings-bench-ranking")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + DB_NAME
    import django

    django.setup()
    return created


def _postgres(db: dict) -> bool:
    return bool(db["ENGINE"].endswith("postgresql"))


def read_build() -> dict[str, Any] | None:
    """The finished build in the bench database, or None when there is none."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if _postgres(db):
        if not _admin(db, "SELECT 1 FROM pg_database WHERE datname = 'tidings_bench_ranking'"):
            return None
    elif not Path(db["NAME"]).exists():
        return None
    if BUILD_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM bench_ranking_build")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_build(description: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_ranking_build (description text NOT NULL)")
        cursor.execute("INSERT INTO bench_ranking_build VALUES (%s)", [json.dumps(description)])


def create_database() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    db = settings.DATABASES["default"]
    if _postgres(db):
        _admin(db, f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}")
    else:
        file = Path(db["NAME"])
        if file.exists():
            if not OWNED["data_dir"] and read_build() is None:
                raise SystemExit(f"{file} exists and is not a ranking_site build: not replacing it")
            connections.close_all()
            for path in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
                path.unlink(missing_ok=True)
    shutil.rmtree(Path(os.environ["TIDINGS_DATA_DIR"]) / "ranking", ignore_errors=True)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def drop_database() -> None:
    from django.conf import settings
    from django.db import connections

    db = settings.DATABASES["default"]
    connections.close_all()
    if _postgres(db):
        _admin(db, f"DROP DATABASE IF EXISTS {DB_NAME}")


def _admin(db: dict, *statements: str) -> list[tuple]:
    """Run statements on the server's maintenance database; the last one's rows."""
    import psycopg

    admin = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    rows: list[tuple] = []
    for statement in statements:
        cursor = admin.execute(statement)
        rows = cursor.fetchall() if cursor.description else []
    admin.close()
    return rows


def clear_cache() -> None:
    """Forget cached rankings from an earlier run: only this bench's keys."""
    from django.conf import settings
    from django.core.cache import cache

    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        cache.clear()  # the database cache table, in the bench database
        return
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1_000))
    for start in range(0, len(keys), 1_000):
        client.delete(*keys[start : start + 1_000])


def _insert(model, rows) -> None:  # type: ignore[no-untyped-def]
    """Write unsaved instances: COPY on PostgreSQL, batched bulk_create elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        _copy(model, rows)
        return
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


PLAIN = (str, int, float, bool, type(None), datetime)


def _copy(model, rows) -> None:  # type: ignore[no-untyped-def]
    """COPY the instances' column values, prepared as bulk_create prepares them (auto_now
    fields stamped, JSON adapted); the ids come from the table's sequence.

    Foreign keys are not checked row by row when the role may skip them (superuser): the
    rows are made from ids just read back from the database, and the deferred checks would
    otherwise lock every referenced article, user and topic row once per referencing row.
    """
    from django.db import connection, transaction
    from django.db.models.fields import AutoFieldMixin

    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, AutoFieldMixin))
    ]
    stamped = [getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")  # one statement for the whole table
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in rows:
                values = []
                for field, stamp in zip(fields, stamped, strict=True):
                    value = field.pre_save(obj, True) if stamp else getattr(obj, field.attname)
                    if not isinstance(value, PLAIN):
                        value = field.get_db_prep_save(value, connection)
                    values.append(value)
                copy.write_row(values)


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
    _insert(Topic, (Topic(name=f"Topic {n}", slug=f"topic-{n}") for n in range(3_000)))
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    _insert(StoryCluster, (StoryCluster(title=f"Story {n}") for n in range(articles // 5)))
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

    _insert(Article, (article(n) for n in range(articles)))
    article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    # Cumulative once (the same draws as weights=, without re-summing 3,000 weights a story).
    zipf = list(accumulate(1 / (rank + 1) for rank in range(len(topic_ids))))
    _insert(
        ArticleTopic,
        (
            ArticleTopic(article_id=pk, topic_id=topic)
            for pk in article_ids
            for topic in set(rng.choices(topic_ids, cum_weights=zipf, k=2))
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
    _insert(user, (user(username=f"reader{n}", password=unusable) for n in range(readers)))
    user_ids = list(user.objects.order_by("pk").values_list("pk", flat=True))
    popular_topics = newsroom["topics"][:300]

    def follows(uid: int):  # type: ignore[no-untyped-def]
        for topic in set(rng.choices(popular_topics, k=rng.randrange(0, 5))):
            yield Follow(user_id=uid, kind="topic", topic_id=topic)
        if rng.random() < 0.3:
            yield Follow(user_id=uid, kind="section", section=rng.choice(newsroom["sections"]))
        if rng.random() < 0.2:
            yield Follow(user_id=uid, kind="source", source=rng.choice(newsroom["sources"]))

    _insert(Follow, (follow for uid in user_ids for follow in follows(uid)))
    recent = newsroom["articles"][-20_000:]
    _insert(
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
    log: list = []
    used = 0
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

    _insert(Interaction, rows())
    _insert(
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="profile the For-you calls")
    parser.add_argument("--keep", action="store_true", help="leave the built database in place")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time a kept build of the same size instead of rebuilding (implies --keep)",
    )
    options = parser.parse_args()
    if not GLOBO.is_dir():
        raise SystemExit(f"the Globo click log is absent at {GLOBO}")
    keep = options.keep or options.reuse
    temporary = setup_django(keep=keep)
    size = {"articles": options.articles, "readers": options.readers, "clicks": options.clicks}
    traveller = None
    try:
        built = read_build() if options.reuse else None
        if built is not None and built["size"] != size:
            raise SystemExit(
                f"the kept build has {built['size']}, not {size}: pass the same sizes, "
                "or leave out --reuse to rebuild it"
            )
        if built is None:
            steps, clicks = build(**size)
            summary_line = "setup " + _steps(steps)
            write_build(
                {
                    "size": size,
                    "interactions": clicks,
                    "setup": steps,
                    "at": _now(),
                    "clock": time.time(),
                }
            )
        else:
            # The stories and clicks were dated relative to the build: time it at that hour.
            traveller = back_to(built["clock"])
            steps, clicks = refresh(), built["interactions"]
            summary_line = (
                f"reusing the build of {built['at']} (setup was {_steps(built['setup'])}; "
                f"clock set back to it); " + _steps(steps)
            )
        from django.db import connection

        print(
            f"{connection.vendor}: {options.articles:,} articles, {options.readers:,} readers, "
            f"{clicks:,} interactions; {summary_line}"
        )
        user_ids = reader_ids()
        rng = random.Random(12)  # the same readers and sessions for a build and a reuse
        gc.collect()  # the build's garbage is not the web process's
        print(f"load average before timing: {_load()} (this machine has {os.cpu_count()} cores)")
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
        print(f"load average after timing: {_load()}")
    finally:
        if traveller is not None:
            traveller.stop()
        if keep:
            from django.db import connections

            connections.close_all()
        else:
            drop_database()
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)


def build(*, articles: int, readers: int, clicks: int) -> tuple[dict[str, float], int]:
    """A new bench database with the generated newsroom and the Globo history."""
    from tidings.ranking.services import state_refresh

    rng = random.Random(11)
    create_database()
    clear_cache()
    steps: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str) -> None:
        steps[name] = round(time.perf_counter() - started - sum(steps.values()), 1)

    newsroom = seed_newsroom(articles=articles, rng=rng)
    step("articles")
    user_ids = seed_readers(readers=readers, newsroom=newsroom, rng=rng)
    step("readers")
    clicks = seed_interactions(clicks=clicks, user_ids=user_ids, newsroom=newsroom, rng=rng)
    step("interactions")
    if vacuum():
        step("vacuum analyze")
    state_refresh(rebuild=True)
    step("state rebuild")
    return steps, clicks


def back_to(clock: float) -> Any:
    """Travel to the build's time (the clock keeps ticking; perf_counter is untouched), so a
    reuse days later sees the same fresh stories, 7-day trending window and session gaps."""
    import time_machine

    traveller = time_machine.travel(datetime.fromtimestamp(clock, tz=UTC), tick=True)
    traveller.start()
    return traveller


def refresh() -> dict[str, float]:
    """Bring a kept build up to the current code: migrations, ranking state, no stale cache."""
    from django.core.management import call_command

    from tidings.ranking.services import state_refresh

    steps: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    steps["migrate"] = round(time.perf_counter() - started, 1)
    clear_cache()
    if vacuum():
        steps["vacuum analyze"] = round(time.perf_counter() - started - sum(steps.values()), 1)
    state_refresh(rebuild=True)
    steps["state rebuild"] = round(time.perf_counter() - started - sum(steps.values()), 1)
    return steps


def vacuum() -> bool:
    """Statistics and visibility as autovacuum leaves them on a live site (PostgreSQL; SQLite
    is timed as before, without ANALYZE, as the site runs it)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("RESET statement_timeout")
        return True
    return False


def reader_ids() -> list[int]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.order_by("pk").values_list("pk", flat=True))


def _steps(steps: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps.items())


def _load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def _now() -> str:
    return datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


if __name__ == "__main__":
    main()
