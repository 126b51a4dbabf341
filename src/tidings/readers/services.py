"""Writes of what a reader keeps: profile, follows, saved stories, My Reads, feedback, tokens.

Account services (sign-up, sign-in, passwords) live in ``accounts.py``.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from tidings.articles.models import Article, Byline, Section, Topic
from tidings.common.errors import InvalidInput, NotFound
from tidings.readers import selectors, tokens
from tidings.readers.accounts import profile_for
from tidings.readers.models import (
    ApiToken,
    Feedback,
    Follow,
    Interaction,
    Profile,
    Reading,
    SavedArticle,
)
from tidings.sources.models import Source

FOLLOW_TARGETS: dict[str, type[Any]] = {
    Follow.Kind.TOPIC: Topic,
    Follow.Kind.SECTION: Section,
    Follow.Kind.SOURCE: Source,
    Follow.Kind.AUTHOR: Byline,
}
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-zA-Z0-9]{2,8})?$")
MAX_API_TOKENS = 20


def profile_update(*, user: Any, changes: dict[str, Any]) -> Profile:
    """Change the reader's own profile fields; anything else is refused before this point."""
    profile = profile_for(user=user)
    if changes.get("time_zone"):
        try:
            zoneinfo.ZoneInfo(changes["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("Choose a time zone such as Europe/London.") from None
    if changes.get("language") and not LANGUAGE_RE.match(changes["language"]):
        raise InvalidInput("Choose a language code such as en or pt-BR.")
    for field in ("display_name", "time_zone", "language", "home_location"):
        if field in changes:
            setattr(profile, field, (changes[field] or "").strip())
    if "newsletter_preferences" in changes:
        profile.newsletter_preferences = changes["newsletter_preferences"] or {}
    if "history_paused" in changes:
        profile.history_paused = bool(changes["history_paused"])
    profile.full_clean(exclude=["user"])
    profile.save()
    return profile


def onboarding_done(*, user: Any) -> None:
    Profile.objects.filter(user=user).update(onboarded_at=timezone.now())


def _follow_target(kind: str, target_id: int) -> Any:
    model = FOLLOW_TARGETS.get(kind)
    if model is None:
        raise InvalidInput("Follow a topic, section, source or author.")
    targets = model.objects.filter(pk=target_id)
    if model is Topic:  # a proposed, blocked or merged topic has no page to follow
        targets = targets.filter(status=Topic.Status.APPROVED, merged_into__isnull=True)
    target = targets.first()
    if target is None:
        raise NotFound(f"No {kind} {target_id}.")
    return target


def follow_add(*, user: Any, kind: str, target_id: int) -> Follow:
    """Follow a topic, section, source or author; following twice is one follow."""
    target = _follow_target(kind, target_id)
    existing = Follow.objects.filter(user=user, kind=kind, **{kind: target}).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, kind=kind, **{kind: target})
    except IntegrityError:
        return Follow.objects.get(user=user, kind=kind, **{kind: target})


def follow_remove(*, user: Any, kind: str, target_id: int) -> None:
    if kind not in FOLLOW_TARGETS:
        raise InvalidInput("Follow a topic, section, source or author.")
    Follow.objects.filter(user=user, kind=kind, **{f"{kind}_id": target_id}).delete()


def follow_delete(*, user: Any, follow_id: int) -> None:
    selectors.follow_get_for_user(user=user, id=follow_id).delete()


def follows_merge(*, user: Any, entries: list[tuple[str, int]]) -> int:
    """Add the follows an anonymous reader kept in their cookie; unknown targets are skipped."""
    merged = 0
    for kind, target_id in entries[:100]:
        try:
            follow_add(user=user, kind=kind, target_id=target_id)
            merged += 1
        except (InvalidInput, NotFound):
            continue
    return merged


def saved_add(*, user: Any, article_id: int) -> SavedArticle:
    if not Article.objects.visible().filter(pk=article_id).exists():
        raise NotFound(f"No article {article_id}.")
    saved, _ = SavedArticle.objects.get_or_create(user=user, article_id=article_id)
    return saved


def saved_remove(*, user: Any, article_id: int) -> None:
    SavedArticle.objects.filter(user=user, article_id=article_id).delete()


def saved_delete(*, user: Any, saved_id: int) -> None:
    selectors.saved_get_for_user(user=user, id=saved_id).delete()


def read_event_record(
    *, user: Any, article_id: int, seconds: int, progress: int, session_key: str = ""
) -> Reading | None:
    """Record that a story was read: one line of My Reads (kept at its furthest progress) and
    one row of the append-only interaction log. Nothing is kept while history is paused."""
    seconds, progress = max(0, min(seconds, 86_400)), max(0, min(progress, 100))
    if not Article.objects.visible().filter(pk=article_id).exists():
        raise NotFound(f"No article {article_id}.")
    if selectors.history_paused(user_id=user.pk):
        return None
    now = timezone.now()
    Interaction.objects.create(
        reader=user.pk,
        session=session_key[:64],
        article_id=article_id,
        kind=Interaction.Kind.READ,
        dwell_seconds=seconds,
        progress=progress,
        occurred_at=now,
    )
    updated = Reading.objects.filter(user=user, article_id=article_id).update(
        last_read_at=now,
        progress=Greatest(F("progress"), progress),
        seconds=Least(F("seconds") + seconds, 10_000_000),
    )
    if updated:
        return None
    try:
        with transaction.atomic():
            return Reading.objects.create(
                user=user,
                article_id=article_id,
                first_read_at=now,
                last_read_at=now,
                progress=progress,
                seconds=seconds,
            )
    except IntegrityError:  # a concurrent first read of the same story
        return None


def reading_delete(*, user: Any, reading_id: int) -> None:
    selectors.reading_get_for_user(user=user, id=reading_id).delete()


def readings_clear(*, user: Any) -> int:
    deleted, _ = Reading.objects.filter(user=user).delete()
    return deleted


def feedback_add(*, user: Any, kind: str, article_id: int) -> Feedback:
    """Store "more/less like this" or "hide this topic/source" about a story card."""
    if kind not in Feedback.Kind.values:
        raise InvalidInput("Feedback is more, less, hide_topic or hide_source.")
    article = (
        Article.objects.visible().filter(pk=article_id).prefetch_related("article_topics").first()
    )
    if article is None:
        raise NotFound(f"No article {article_id}.")
    topic_id = None
    if kind == Feedback.Kind.HIDE_TOPIC:
        best = article.article_topics.order_by("-confidence").first()
        if best is None:
            raise InvalidInput("This story has no topic to hide.")
        topic_id = best.topic_id
    source_id = article.source_id if kind == Feedback.Kind.HIDE_SOURCE else None
    feedback = Feedback.objects.create(
        user=user, kind=kind, article=article, topic_id=topic_id, source_id=source_id
    )
    Interaction.objects.create(
        reader=user.pk,
        article_id=article.pk,
        kind=Interaction.Kind.FEEDBACK,
        occurred_at=timezone.now(),
    )
    return feedback


def feedback_delete(*, user: Any, feedback_id: int) -> None:
    selectors.feedback_get_for_user(user=user, id=feedback_id).delete()


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the key is returned once and only its SHA-256 is kept."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput("Give the token a name of 1 to 80 characters.")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_API_TOKENS:
        raise InvalidInput(f"You have {MAX_API_TOKENS} tokens; revoke one first.")
    key, key_hash = tokens.api_token_new()
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=key_hash)
    return token, key


def api_token_revoke(*, user: Any, token_id: int) -> None:
    token = selectors.api_token_get_for_user(user=user, id=token_id)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def api_token_user(*, key: str) -> tuple[Any, int] | None:
    """The active reader a token belongs to and the token's id, or None; marks when it was
    last used."""
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=tokens.api_token_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user, token.pk
