"""Reads of what a reader keeps. User-owned objects are fetched only through
``<thing>_get_for_user``, which raises NotFound for anyone else's (404, never 403)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tidings.articles.models import Article, ArticleTopic, Topic
from tidings.common.errors import InvalidInput, NotFound
from tidings.readers.models import (
    ApiToken,
    Feedback,
    Follow,
    Profile,
    ReaderSession,
    Reading,
    SavedArticle,
)

MAX_LIMIT = 100
SAVED_ORDER = {
    "saved": "-created_at",
    "oldest": "created_at",
    "published": "-article__published_at",
}
HISTORY_ORDER = {"recent": "-last_read_at", "oldest": "last_read_at", "progress": "-progress"}


def _owned(queryset: QuerySet[Any], *, user: Any, id: int, what: str) -> Any:
    found = queryset.filter(user_id=getattr(user, "pk", None), pk=id).first()
    if found is None:
        raise NotFound(f"No {what} {id}.")
    return found


def order_for(*, order: str, allowed: dict[str, str]) -> str:
    """The column for a sort name from an allow-list; anything else is refused (V3)."""
    if order not in allowed:
        raise InvalidInput(f"Sort by one of: {', '.join(sorted(allowed))}.")
    return allowed[order]


def follow_list_for_user(*, user: Any, kind: str | None = None) -> QuerySet[Follow]:
    follows = Follow.objects.filter(user=user).select_related(
        "topic", "section", "source", "author"
    )
    return follows.filter(kind=kind) if kind else follows


def follow_get_for_user(*, user: Any, id: int) -> Follow:
    return _owned(Follow.objects.all(), user=user, id=id, what="follow")


def follow_keys_for_user(*, user: Any) -> set[tuple[str, int]]:
    """(kind, target id) of everything the reader follows, for Follow/Following buttons."""
    if not getattr(user, "is_authenticated", False):
        return set()
    keys = set()
    for kind, *targets in Follow.objects.filter(user=user).values_list(
        "kind", "topic_id", "section_id", "source_id", "author_id"
    ):
        keys.add((kind, next(target for target in targets if target is not None)))
    return keys


def saved_list_for_user(
    *, user: Any, search: str = "", order: str = "saved"
) -> QuerySet[SavedArticle]:
    saved = SavedArticle.objects.filter(user=user).select_related(
        "article__section", "article__source", "article__lead_media"
    )
    if search.strip():
        words = search.strip()[:200]
        saved = saved.filter(
            Q(article__headline__icontains=words) | Q(article__standfirst__icontains=words)
        )
    return saved.order_by(order_for(order=order, allowed=SAVED_ORDER), "-pk")


def saved_get_for_user(*, user: Any, id: int) -> SavedArticle:
    return _owned(SavedArticle.objects.select_related("article"), user=user, id=id, what="saved")


def saved_article_ids_for_user(*, user: Any, article_ids: list[int] | None = None) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    saved = SavedArticle.objects.filter(user=user)
    if article_ids is not None:
        saved = saved.filter(article_id__in=article_ids)
    return set(saved.values_list("article_id", flat=True))


def reading_list_for_user(*, user: Any, order: str = "recent") -> QuerySet[Reading]:
    return (
        Reading.objects.filter(user=user)
        .select_related("article__section", "article__source", "article__lead_media")
        .order_by(order_for(order=order, allowed=HISTORY_ORDER), "-pk")
    )


def reading_get_for_user(*, user: Any, id: int) -> Reading:
    return _owned(Reading.objects.all(), user=user, id=id, what="reading")


def reading_continue_for_user(*, user: Any, limit: int = 4) -> list[Reading]:
    """Stories started but not finished, most recent first: "Continue reading"."""
    return list(reading_list_for_user(user=user).filter(progress__gte=5, progress__lt=90)[:limit])


def feedback_list_for_user(*, user: Any) -> QuerySet[Feedback]:
    return Feedback.objects.filter(user=user).select_related("article", "topic", "source")


def feedback_get_for_user(*, user: Any, id: int) -> Feedback:
    return _owned(Feedback.objects.all(), user=user, id=id, what="feedback")


def hidden_for_user(*, user: Any) -> tuple[frozenset[int], frozenset[int]]:
    """Topic ids and source ids the reader asked to hide from listings."""
    if not getattr(user, "is_authenticated", False):
        return frozenset(), frozenset()
    rows = Feedback.objects.filter(
        user=user, kind__in=[Feedback.Kind.HIDE_TOPIC, Feedback.Kind.HIDE_SOURCE]
    ).values_list("topic_id", "source_id")
    topics = frozenset(topic for topic, _ in rows if topic)
    sources = frozenset(source for _, source in rows if source)
    return topics, sources


def article_ids_hidden(
    *, article_ids: list[int], topics: frozenset[int], sources: frozenset[int]
) -> set[int]:
    """Which of these stories carry a hidden topic or come from a hidden source (one query)."""
    if not article_ids or not (topics or sources):
        return set()
    hidden = set(
        Article.objects.filter(pk__in=article_ids, source_id__in=sources).values_list(
            "pk", flat=True
        )
    )
    hidden |= set(
        ArticleTopic.objects.filter(article_id__in=article_ids, topic_id__in=topics).values_list(
            "article_id", flat=True
        )
    )
    return hidden


def history_paused(*, user_id: int | None) -> bool:
    """Has this reader paused My Reads? Then nothing follows them around: no reads, opens or
    For-you impressions are recorded."""
    return (
        user_id is not None
        and Profile.objects.filter(user_id=user_id, history_paused=True).exists()
    )


def api_token_list_for_user(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def api_token_get_for_user(*, user: Any, id: int) -> ApiToken:
    return _owned(ApiToken.objects.filter(revoked_at__isnull=True), user=user, id=id, what="token")


def session_list_for_user(*, user: Any) -> QuerySet[ReaderSession]:
    return ReaderSession.objects.filter(user=user)


def topic_list_trending(*, days: int = 7, limit: int = 12) -> list[Topic]:
    """Until ranking has its own: the approved topics with most stories in the last week."""
    since = timezone.now() - timedelta(days=days)
    return list(
        Topic.objects.filter(
            status=Topic.Status.APPROVED,
            article_topics__article__published_at__gte=since,
            article_topics__article__status=Article.Status.PUBLISHED,
        )
        .annotate(stories=Count("article_topics"))
        .order_by("-stories", "name")[:limit]
    )


def data_export_for_user(*, user: Any) -> dict[str, Any]:
    """Everything we keep about a reader, as JSON-ready data ("download my data")."""
    profile = getattr(user, "profile", None)
    return {
        "account": {"email": user.email, "joined": user.date_joined.isoformat()},
        "profile": {
            "display_name": getattr(profile, "display_name", ""),
            "time_zone": getattr(profile, "time_zone", ""),
            "language": getattr(profile, "language", ""),
            "home_location": getattr(profile, "home_location", ""),
            "newsletter_preferences": getattr(profile, "newsletter_preferences", {}),
            "history_paused": getattr(profile, "history_paused", False),
        },
        "follows": [
            {"kind": f.kind, "name": str(f.target), "since": f.created_at.isoformat()}
            for f in follow_list_for_user(user=user)
        ],
        "saved": [
            {
                "headline": s.article.headline,
                "url": s.article.get_absolute_url(),
                "saved": s.created_at.isoformat(),
            }
            for s in saved_list_for_user(user=user)
        ],
        "reads": [
            {
                "headline": r.article.headline,
                "url": r.article.get_absolute_url(),
                "progress": r.progress,
                "last_read": r.last_read_at.isoformat(),
            }
            for r in reading_list_for_user(user=user)
        ],
        "feedback": [
            {
                "kind": f.kind,
                "article_id": f.article_id,
                "topic": str(f.topic or ""),
                "source": str(f.source or ""),
                "at": f.created_at.isoformat(),
            }
            for f in feedback_list_for_user(user=user)
        ],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created": t.created_at.isoformat()}
            for t in api_token_list_for_user(user=user)
        ],
    }
