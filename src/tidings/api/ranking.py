"""Ranking over the API: the reader's For-you feed (token or session, like /api/me) and the
public trending and most-read lists. Limits are capped; bad parameters answer 400."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tidings.api.readers import ERRORS, _check_query, reader_auth
from tidings.articles import selectors as article_selectors
from tidings.articles.models import Article
from tidings.common.errors import InvalidInput
from tidings.ranking.foryou import PAGE_MAX, for_you_page
from tidings.ranking.trending import MAX_LIST, most_read, trending_stories, trending_topics
from tidings.ranking.views import impressions_log, session_reads

router = Router(tags=["ranking"])
MAX_CURSOR = 10_000


class ForYouQuery(Schema):
    # The schema states exactly the cursors a previous page hands out (0…MAX_CURSOR).
    cursor: str = Field("0", pattern=r"^(?:[0-9]{1,4}|10000)$")
    limit: int = Field(20, ge=1, le=PAGE_MAX)


class ForYouItemOut(Schema):
    id: int
    headline: str
    url: str
    section: str | None
    source: str
    published_at: str | None
    reason: str


class ForYouOut(Schema):
    items: list[ForYouItemOut]
    next_cursor: str | None


def _cursor(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_CURSOR:
        raise InvalidInput("cursor is the next_cursor of a previous page.")
    return int(text)


def _item(request: HttpRequest, article: Article, reason: str) -> ForYouItemOut:
    return ForYouItemOut(
        id=article.pk,
        headline=article.headline,
        url=request.build_absolute_uri(article.get_absolute_url()),
        section=article.section.name if article.section else None,
        source=article.source.name,
        published_at=article.published_at.isoformat() if article.published_at else None,
        reason=reason,
    )


@router.get("/me/for-you", response={200: ForYouOut, **ERRORS}, auth=reader_auth)
def for_you(request: HttpRequest, query: Query[ForYouQuery]) -> ForYouOut:
    _check_query(request, {"cursor", "limit"})
    page = for_you_page(
        user=request.auth,  # type: ignore[attr-defined]
        session_key=request.session.session_key if hasattr(request, "session") else None,
        session_reads=session_reads(request) if hasattr(request, "session") else [],
        cursor=_cursor(query.cursor),
        limit=query.limit,
    )
    impressions_log(request, user=request.auth, page=page)  # type: ignore[attr-defined]
    return ForYouOut(
        items=[_item(request, item.article, item.reason) for item in page.items],
        next_cursor=str(page.next_cursor) if page.next_cursor is not None else None,
    )


class ListQuery(Schema):
    section: str | None = Field(None, max_length=120)
    limit: int = Field(10, ge=1, le=MAX_LIST)


def _sections(slug: str | None) -> list[int] | None:
    if not slug:
        return None
    section = article_selectors.section_get_by_slug(slug=slug)
    return article_selectors.section_descendant_ids(section=section)


@router.get("/trending/topics", response={200: list[dict], **ERRORS}, auth=None)
def topics(request: HttpRequest, query: Query[ListQuery]) -> list[dict]:
    _check_query(request, {"section", "limit"})
    return trending_topics(section_ids=_sections(query.section), limit=query.limit)


@router.get("/trending/stories", response={200: list[dict], **ERRORS}, auth=None)
def stories(request: HttpRequest, query: Query[ListQuery]) -> list[dict]:
    _check_query(request, {"section", "limit"})
    return trending_stories(section_ids=_sections(query.section), limit=query.limit)


class MostReadOut(Schema):
    id: int
    headline: str
    url: str
    reads: int


@router.get("/most-read", response={200: list[MostReadOut], **ERRORS}, auth=None)
def most_read_list(request: HttpRequest, query: Query[ListQuery]) -> list[MostReadOut]:
    _check_query(request, {"section", "limit"})
    rows = most_read(section_ids=_sections(query.section), limit=query.limit)
    return [
        MostReadOut(
            id=row["article_id"],
            headline=row["headline"],
            url=request.build_absolute_uri(row["path"]),
            reads=row["reads"],
        )
        for row in rows
    ]
