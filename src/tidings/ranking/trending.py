"""Trending topics and stories by burst detection, and "Most read" lists.

A topic trends when it is mentioned (published about, across sources) or read much more in
the last hours than its own recent past predicts — not when it is merely big. Each topic's
baseline is its rate over the week before; the recent count is scored as a Poisson
surprise, z = (recent - expected) / sqrt(expected + 1), so a steady high-volume topic scores
about zero while a quiet topic that suddenly fills the wires scores high.

The lists are computed by a periodic job (`trending_refresh_task`) and on a cache miss, and
kept in the shared cache as plain dicts, so a page or API read is one cache get.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from tidings.articles.models import Article, ArticleTopic, StoryCluster, Topic
from tidings.ranking.services import OBSERVED_KINDS
from tidings.readers.models import Interaction

RECENT = timedelta(hours=6)
BASELINE = timedelta(days=7)
MOST_READ_WINDOW = timedelta(hours=24)
MIN_RECENT = 3  # fewer mentions than this is noise, however quiet the topic was
MIN_SURPRISE = 2.0
CACHE_SECONDS = 300
MAX_LIST = 50
READ_ARTICLES_CONSIDERED = 2_000


@dataclass(frozen=True, slots=True)
class Burst:
    recent: int
    total: int

    @property
    def expected(self) -> float:
        """The count the topic's own past predicts for a recent-sized window."""
        windows_before = BASELINE / RECENT - 1
        return (self.total - self.recent) / windows_before

    @property
    def surprise(self) -> float:
        return (self.recent - self.expected) / math.sqrt(self.expected + 1.0)


def burst_score(*, recent: int, total: int) -> float:
    return Burst(recent, total).surprise


def _windows(now: datetime) -> tuple[datetime, datetime]:
    return now - RECENT, now - BASELINE


def _cached(key: str, compute):  # type: ignore[no-untyped-def]
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _key(kind: str, section_ids: list[int] | None) -> str:
    return f"ranking:{kind}:{section_ids[0] if section_ids else 'all'}"


# -- topics --------------------------------------------------------------------------------


def trending_topics(*, section_ids: list[int] | None = None, limit: int = 10) -> list[dict]:
    """Bursting topics, most surprising first: [{id, name, slug, recent, expected, score}]."""
    found = _cached(_key("topics", section_ids), lambda: topics_compute(section_ids=section_ids))
    return found[:limit]


def topics_compute(*, section_ids: list[int] | None = None) -> list[dict]:
    now = timezone.now()
    counts = _topic_publication_counts(now, section_ids)
    for topic_id, (recent, total) in _topic_reading_counts(now, section_ids).items():
        # Reading is a second, independent signal: the larger surprise of the two counts.
        if Burst(recent, total).surprise > Burst(*counts.get(topic_id, (0, 0))).surprise:
            counts[topic_id] = (recent, total)
    scored = [
        (burst_score(recent=recent, total=total), topic_id, recent, total)
        for topic_id, (recent, total) in counts.items()
        if recent >= MIN_RECENT
    ]
    scored = sorted((row for row in scored if row[0] >= MIN_SURPRISE), reverse=True)
    # Only topics readers can open: proposed names wait for an editor, blocked ones never show.
    topics = Topic.objects.filter(
        pk__in=[row[1] for row in scored], merged_into__isnull=True, status=Topic.Status.APPROVED
    )
    names = {topic.pk: topic for topic in topics.only("name", "slug")}
    scored = [row for row in scored if row[1] in names][:MAX_LIST]
    return [
        {
            "id": topic_id,
            "name": names[topic_id].name,
            "slug": names[topic_id].slug,
            "recent": recent,
            "expected": round(Burst(recent, total).expected, 2),
            "score": round(score, 2),
        }
        for score, topic_id, recent, total in scored
        if topic_id in names
    ]


def _topic_publication_counts(
    now: datetime, section_ids: list[int] | None
) -> dict[int, tuple[int, int]]:
    recent_since, baseline_since = _windows(now)
    rows = ArticleTopic.objects.filter(
        article__status=Article.Status.PUBLISHED,
        article__published_at__gte=baseline_since,
        article__published_at__lte=now,
    )
    if section_ids:
        rows = rows.filter(article__section_id__in=section_ids)
    counts = rows.values("topic_id").annotate(
        total=Count("id"), recent=Count("id", filter=Q(article__published_at__gte=recent_since))
    )
    return {row["topic_id"]: (row["recent"], row["total"]) for row in counts}


def _article_reading_counts(now: datetime) -> dict[int, tuple[int, int]]:
    recent_since, baseline_since = _windows(now)
    rows = (
        Interaction.objects.filter(occurred_at__gte=baseline_since, kind__in=OBSERVED_KINDS)
        .values("article_id")
        .annotate(total=Count("id"), recent=Count("id", filter=Q(occurred_at__gte=recent_since)))
        .order_by("-recent", "-total")[:READ_ARTICLES_CONSIDERED]
    )
    return {row["article_id"]: (row["recent"], row["total"]) for row in rows}


def _topic_reading_counts(
    now: datetime, section_ids: list[int] | None
) -> dict[int, tuple[int, int]]:
    per_article = _article_reading_counts(now)
    links = ArticleTopic.objects.filter(article_id__in=list(per_article))
    if section_ids:
        links = links.filter(article__section_id__in=section_ids)
    counts: dict[int, tuple[int, int]] = {}
    for article_id, topic_id in links.values_list("article_id", "topic_id"):
        recent, total = per_article[article_id]
        had_recent, had_total = counts.get(topic_id, (0, 0))
        counts[topic_id] = (had_recent + recent, had_total + total)
    return counts


# -- stories -------------------------------------------------------------------------------


def trending_stories(*, section_ids: list[int] | None = None, limit: int = 10) -> list[dict]:
    """Bursting story clusters: [{id, title, url, articles, sources, recent, score}]."""
    found = _cached(_key("stories", section_ids), lambda: stories_compute(section_ids=section_ids))
    return found[:limit]


def stories_compute(*, section_ids: list[int] | None = None) -> list[dict]:
    now = timezone.now()
    recent_since, baseline_since = _windows(now)
    rows = Article.objects.filter(
        status=Article.Status.PUBLISHED,
        published_at__gte=baseline_since,
        published_at__lte=now,
        story_cluster__isnull=False,
    )
    if section_ids:
        rows = rows.filter(section_id__in=section_ids)
    counts = rows.values("story_cluster_id").annotate(
        total=Count("id"),
        recent=Count("id", filter=Q(published_at__gte=recent_since)),
        sources=Count("source_id", distinct=True),
    )
    scored = sorted(
        (
            (burst_score(recent=row["recent"], total=row["total"]), row)
            for row in counts
            if row["recent"] >= MIN_RECENT or row["sources"] >= MIN_RECENT
        ),
        key=lambda pair: (pair[0], pair[1]["sources"]),
        reverse=True,
    )[:MAX_LIST]
    clusters = StoryCluster.objects.in_bulk([row["story_cluster_id"] for _, row in scored])
    return [
        _story(clusters[row["story_cluster_id"]], row, score)
        for score, row in scored
        if score >= MIN_SURPRISE and row["story_cluster_id"] in clusters
    ]


def _story(cluster: StoryCluster, row: Mapping[str, Any], score: float) -> dict:
    return {
        "id": cluster.pk,
        "title": cluster.title,
        "url": cluster.get_absolute_url(),
        "articles": row["total"],
        "sources": row["sources"],
        "recent": row["recent"],
        "score": round(score, 2),
    }


def most_read(*, section_ids: list[int] | None = None, limit: int = 10) -> list[dict]:
    """The most read visible stories of the last day: [{article_id, reads, headline, path}]."""
    found = _cached(_key("most-read", section_ids), lambda: most_read_compute(section_ids))
    return found[:limit]


def most_read_compute(section_ids: list[int] | None = None) -> list[dict]:
    since = timezone.now() - MOST_READ_WINDOW
    counted = (
        Interaction.objects.filter(occurred_at__gte=since, kind__in=OBSERVED_KINDS)
        .values("article_id")
        .annotate(reads=Count("id"))
        .order_by("-reads", "article_id")[:READ_ARTICLES_CONSIDERED]
    )
    reads = {row["article_id"]: row["reads"] for row in counted}
    visible = Article.objects.visible().filter(pk__in=list(reads)).select_related("section")
    if section_ids:
        visible = visible.filter(section_id__in=section_ids)
    articles = visible.only("headline", "slug", "section__slug").in_bulk()
    ranked = [pk for pk in reads if pk in articles][:MAX_LIST]
    return [
        {
            "article_id": pk,
            "reads": reads[pk],
            "headline": articles[pk].headline,
            "path": articles[pk].get_absolute_url(),
        }
        for pk in ranked
    ]


def trending_refresh() -> None:
    """Recompute the site-wide lists and store them (the job; requests never wait on it)."""
    cache.set(_key("topics", None), topics_compute(), CACHE_SECONDS)
    cache.set(_key("stories", None), stories_compute(), CACHE_SECONDS)
    cache.set(_key("most-read", None), most_read_compute(), CACHE_SECONDS)


def trending_forget() -> None:
    """Drop the cached lists (tests; the periodic job overwrites them anyway)."""
    cache.delete_many([_key(kind, None) for kind in ("topics", "stories", "most-read")])
