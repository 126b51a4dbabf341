"""Read-only story endpoints: articles, related articles, story clusters."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tidings.articles import selectors
from tidings.articles.models import Article
from tidings.billing.selectors import entitlement_for
from tidings.common.errors import NotFound
from tidings.search.selectors import related_for_article

router = Router(tags=["stories"])


class TopicOut(Schema):
    slug: str
    name: str
    kind: str
    origin: str
    confidence: float


class ArticleOut(Schema):
    id: int
    headline: str
    url: str
    published: datetime | None
    updated: datetime | None
    section: str | None
    source: str
    language: str | None
    standfirst: str
    bylines: list[str]
    agency: str | None
    access: str
    full_text: bool
    body_html: str | None
    topics: list[TopicOut]
    story_id: int | None


class StoryOut(Schema):
    id: int
    title: str
    article_ids: list[int]


class StoryPage(Schema):
    items: list[StoryOut]
    total: int


class Paging(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


def _article_out(request: HttpRequest, article: Article) -> ArticleOut:
    entitlement = entitlement_for(user=request.user, article=article)
    return ArticleOut(
        id=article.pk,
        headline=article.headline,
        url=request.build_absolute_uri(article.get_absolute_url()),
        published=article.published_at,
        updated=article.updated_at,
        section=article.section.name if article.section else None,
        source=article.source.name,
        language=article.language or None,
        standfirst=article.standfirst,
        bylines=[byline.name for byline in article.bylines.all()],
        agency=article.credit or None,
        access=article.access,
        full_text=entitlement.full_text,
        body_html=article.body_html if entitlement.full_text else None,
        topics=[
            TopicOut(
                slug=tag.topic.slug,
                name=tag.topic.name,
                kind=tag.topic.kind,
                origin=tag.origin,
                confidence=round(tag.confidence, 4),
            )
            for tag in article.article_topics.all()
        ],
        story_id=article.story_cluster_id,
    )


@router.get("/articles/{article_id}", response=ArticleOut, summary="One article")
def article_detail(request: HttpRequest, article_id: int) -> ArticleOut:
    if not 0 < article_id < 2**62:
        raise NotFound(f"No article {article_id}.")
    return _article_out(request, selectors.article_get_visible(pk=article_id))


class RelatedOut(Schema):
    id: int
    headline: str
    score: float


class RelatedPage(Schema):
    items: list[RelatedOut]


class RelatedQuery(Schema):
    limit: int = Field(10, ge=1, le=500)


@router.get(
    "/articles/{article_id}/related", response=RelatedPage, summary="Related articles, best first"
)
def article_related(
    request: HttpRequest, article_id: int, query: Query[RelatedQuery]
) -> RelatedPage:
    if not 0 < article_id < 2**62:
        raise NotFound(f"No article {article_id}.")
    article = selectors.article_get_visible(pk=article_id)
    related = related_for_article(article=article, limit=query.limit)
    return RelatedPage(
        items=[
            RelatedOut(id=other.pk, headline=other.headline, score=round(score, 4))
            for other, score in related
        ]
    )


@router.get("/stories", response=StoryPage, summary="Story clusters, newest first")
def story_list(request: HttpRequest, paging: Query[Paging]) -> StoryPage:
    stories, total = selectors.story_list(limit=paging.limit, offset=paging.offset)
    return StoryPage(
        items=[StoryOut(id=story.pk, title=story.title, article_ids=ids) for story, ids in stories],
        total=total,
    )


@router.get("/stories/{story_id}", response=StoryOut, summary="One story cluster")
def story_detail(request: HttpRequest, story_id: int) -> StoryOut:
    if not 0 < story_id < 2**62:
        raise NotFound(f"No story {story_id}.")
    story = selectors.story_get(pk=story_id)
    ids = [article.pk for article in selectors.story_articles(story=story)]
    return StoryOut(id=story.pk, title=story.title, article_ids=ids)
