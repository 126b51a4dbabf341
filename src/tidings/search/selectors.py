"""Reads over enrichment: nearest articles by vector, and "Read more" for an article.

The candidates for "Read more" are bounded (vector neighbours, stories sharing a topic,
the same story cluster, then the newest stories), so one request costs the same at 1,000
or 1,000,000 articles; `related_articles` then scores and de-duplicates them.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from django.db.models import Prefetch

from tidings.articles.models import Article, ArticleTopic
from tidings.enrichment.related import related_articles
from tidings.enrichment.types import RelatedDoc
from tidings.enrichment.vectors import NumpyVectorIndex
from tidings.search import state
from tidings.search.models import ArticleVector, EnrichmentModel

TEXT_CHARS = 6_000  # enough of a story to compare; bounds the work per candidate


class _IndexCache:
    """This worker's vector index, topped up with vectors stored since the last request."""

    def __init__(self) -> None:
        self.version = -1
        self.seen_at: datetime | None = None
        self.index: NumpyVectorIndex | None = None

    def current(self) -> NumpyVectorIndex | None:
        version = state.model_version(name=EnrichmentModel.Name.VECTORISER)
        if not version:
            return None
        if version != self.version:
            self.version, self.seen_at, self.index = version, None, None
        rows = ArticleVector.objects.filter(vectoriser_version=version).exclude(vector=b"")
        if self.seen_at is not None:
            rows = rows.filter(enriched_at__gte=self.seen_at)
        for article_id, vector, at in rows.values_list("article_id", "vector", "enriched_at"):
            values = state.vector_of(bytes(vector))
            if self.index is None:
                self.index = NumpyVectorIndex(dim=len(values))
            self.index.add(ids=[article_id], vectors=values[None, :])
            self.seen_at = max(self.seen_at or at, at)
        return self.index


_vectors = _IndexCache()


def related_for_article(*, article: Article, limit: int) -> list[tuple[Article, float]]:
    """The `limit` most related visible articles with their score in [0, 1], best first."""
    pool = max(limit * 3, 60)
    own = ArticleVector.objects.filter(article_id=article.pk).first()
    ids = _neighbour_ids(own, pool) | _topic_and_story_ids(article, pool)
    if len(ids) < pool:
        newest = Article.objects.visible().exclude(pk=article.pk).values_list("pk", flat=True)
        ids |= set(newest[: pool - len(ids)])
    ids.discard(article.pk)
    candidates = list(_with_enrichment(Article.objects.visible().filter(pk__in=ids)))
    me = _with_enrichment(Article.objects.filter(pk=article.pk)).get()
    docs = {candidate.pk: _related_doc(candidate) for candidate in candidates}
    ranked = related_articles(
        article=_related_doc(me),
        candidates=list(docs.values()),
        k=limit,
        meanings=_meanings_of([me, *candidates]),
    )
    by_id = {candidate.pk: candidate for candidate in candidates}
    return [(by_id[article_id], score) for article_id, score in ranked]


def _neighbour_ids(own: ArticleVector | None, count: int) -> set[int]:
    if own is None or not own.vector:
        return set()
    index = _vectors.current()
    if index is None or len(index) == 0:
        return set()
    hits = index.search(
        vector=state.vector_of(bytes(own.vector)), k=count, exclude=[own.article_id]
    )
    return {article_id for article_id, _ in hits}


def _topic_and_story_ids(article: Article, count: int) -> set[int]:
    topic_ids = list(article.article_topics.values_list("topic_id", flat=True))
    sharing = (
        ArticleTopic.objects.filter(topic_id__in=topic_ids)
        .exclude(article_id=article.pk)
        .order_by("-article__published_at")
        .values_list("article_id", flat=True)
    )
    ids = set(sharing[:count])
    if article.story_cluster_id:
        story = Article.objects.filter(story_cluster_id=article.story_cluster_id)
        ids |= set(story.values_list("pk", flat=True)[:count])
    return ids


def _with_enrichment(articles):  # type: ignore[no-untyped-def]
    tags = ArticleTopic.objects.select_related("topic")
    return articles.select_related("enrichment").prefetch_related(
        Prefetch("article_topics", queryset=tags)
    )


def _related_doc(article: Article) -> RelatedDoc:
    enrichment = getattr(article, "enrichment", None)
    return RelatedDoc(
        id=article.pk,
        headline=article.headline,
        text=(article.body_text or article.standfirst)[:TEXT_CHARS],
        published_at=article.published_at,
        topics=frozenset(tag.topic.slug for tag in article.article_topics.all()),
        story_id=article.story_cluster_id,
        signature=bytes(enrichment.signature) if enrichment else None,
    )


def _meanings_of(articles: list[Article]) -> dict[int, np.ndarray]:
    """The stored word-embedding vectors; stories not enriched yet are embedded on the fly."""
    meanings = {}
    for article in articles:
        enrichment = getattr(article, "enrichment", None)
        if enrichment is not None and enrichment.meaning:
            meanings[article.pk] = state.vector_of(bytes(enrichment.meaning))
    return meanings


def tagger_top_terms(*, slug: str, count: int = 15) -> list[tuple[str, float]]:
    """The words that most push a story towards a topic, for the editor desk (explainable)."""
    tagger = state.model_load(name=EnrichmentModel.Name.TAGGER, decode=state.decode_tagger)
    if tagger is None:
        return []
    try:
        return tagger.top_terms(slug, n=count)
    except KeyError:
        return []
