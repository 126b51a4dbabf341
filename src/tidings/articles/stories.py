"""Story clusters: the online clusterer decides, this stores its decisions as StoryCluster rows.

Assignment is serialised across workers by the lock on the clusterer's state row, and it
is idempotent: the clusterer remembers every article it placed, so an article assigned
twice stays where it is.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.db.models import F

from tidings.articles.models import Article, StoryCluster
from tidings.enrichment.clusters import StoryClusterer
from tidings.enrichment.types import ClusterDecision, ClusterDoc
from tidings.search import state
from tidings.search.models import EnrichmentModel

STORY_JOB_DELAY_SECONDS = 5  # articles arriving meanwhile share one save of the state
STORY_JOB_KEY = "enrich:story-job-scheduled"
PENDING_LIMIT = 5_000


def stories_assign_soon() -> None:
    """Schedule one story job unless one is already waiting (coalesced through the cache)."""
    from huey.contrib.djhuey import HUEY

    from tidings.articles.tasks import stories_assign_pending_task

    if not caches["default"].add(STORY_JOB_KEY, 1, timeout=300):
        return
    delay = 0 if HUEY.immediate else STORY_JOB_DELAY_SECONDS
    stories_assign_pending_task.schedule(delay=delay)


def stories_assign_pending() -> tuple[int, int]:
    """Assign every enriched, published article still without a story (the story job)."""
    caches["default"].delete(STORY_JOB_KEY)
    waiting = list(
        Article.objects.filter(
            status=Article.Status.PUBLISHED,
            story_cluster__isnull=True,
            enrichment__isnull=False,
        ).order_by(F("published_at").asc(nulls_first=True), "pk")[:PENDING_LIMIT]
    )
    return stories_assign(articles=waiting, texts={})


def stories_assign(*, articles: list[Article], texts: dict[int, str]) -> tuple[int, int]:
    """Put each article (in publication order) into its story; (stories created, merged).

    An article that already has a story keeps it, whatever the clusterer remembers.
    """
    articles = [article for article in articles if article.story_cluster_id is None]
    if not articles:
        return 0, 0

    def change(row: EnrichmentModel) -> tuple[int, int]:
        stories = state.locked_model(row=row, decode=state.decode_stories) or {
            "clusterer": StoryClusterer(),
            "rows": {},
        }
        created = merged = 0
        touched: set[int] = set()
        for article in articles:
            decision = stories["clusterer"].assign(article=_cluster_doc(article, texts))
            created += decision.created
            merged += len(decision.merged_from)
            touched.add(_store_decision(article, decision, stories["rows"]))
        for cluster_id in touched:
            story_refresh(story_id=cluster_id)
        state.model_save(row=row, model=stories, encode=state.encode_stories)
        return created, merged

    return state.run_locked(name=EnrichmentModel.Name.CLUSTERER, change=change)


def _cluster_doc(article: Article, texts: dict[int, str]) -> ClusterDoc:
    return ClusterDoc(
        id=article.pk,
        text=texts.get(article.pk, article.body_text),
        headline=article.headline,
        published_at=article.published_at,
    )


def _store_decision(article: Article, decision: ClusterDecision, rows: dict[int, Any]) -> int:
    """The StoryCluster row of the decision (absorbing merged ones); returns its id."""
    story_id = rows.get(decision.cluster_id)
    if story_id is None or not StoryCluster.objects.filter(pk=story_id).exists():
        story_id = StoryCluster.objects.create(title=article.headline[:300]).pk
        rows[decision.cluster_id] = story_id
    for absorbed in decision.merged_from:
        old = rows.pop(absorbed, None)
        if old is not None and old != story_id:
            Article.objects.filter(story_cluster_id=old).update(story_cluster_id=story_id)
            StoryCluster.objects.filter(pk=old).delete()
    if article.story_cluster_id != story_id:
        Article.objects.filter(pk=article.pk).update(story_cluster_id=story_id)
        article.story_cluster_id = story_id
    return story_id


def story_refresh(*, story_id: int) -> None:
    """Count, time span and title (the first article's headline) of a story cluster."""
    members = list(
        Article.objects.filter(story_cluster_id=story_id)
        .order_by(F("published_at").asc(nulls_last=True), "pk")
        .values_list("published_at", "headline")
    )
    times = [published for published, _ in members if published is not None]
    StoryCluster.objects.filter(pk=story_id).update(
        article_count=len(members),
        first_published_at=min(times, default=None),
        last_published_at=max(times, default=None),
        title=(members[0][1] if members else "")[:300],
    )
