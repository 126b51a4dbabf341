"""Template tags for a reader's buttons (follow, save, feedback) and per-reader listings.

Buttons look up the reader's follows once per request, however many are on the page.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.http import HttpRequest
from django.middleware.csrf import get_token

from tidings.readers import cookies, selectors

register = template.Library()


def _follow_keys(request: HttpRequest) -> set[tuple[str, int]]:
    if not hasattr(request, "_reader_follow_keys"):
        if request.user.is_authenticated:
            keys = selectors.follow_keys_for_user(user=request.user)
        else:
            keys = set(cookies.anonymous_follows(request))
        request._reader_follow_keys = keys  # type: ignore[attr-defined]
    return request._reader_follow_keys  # type: ignore[attr-defined]


def _hidden(request: HttpRequest) -> tuple[frozenset[int], frozenset[int]]:
    if not hasattr(request, "_reader_hidden"):
        request._reader_hidden = selectors.hidden_for_user(user=request.user)  # type: ignore[attr-defined]
    return request._reader_hidden  # type: ignore[attr-defined]


@register.simple_tag(takes_context=True)
def csrf_cookie(context: dict[str, Any]) -> str:
    """Make sure the CSRF cookie is set, without putting a token in the page: site.js sends
    the cookie's value as X-CSRFToken with every htmx request, and cached pages stay the same
    for everyone."""
    request = context.get("request")
    if request is not None:
        get_token(request)
    return ""


@register.inclusion_tag("web/partials/_follow_button.html", takes_context=True)
def follow_button(context: dict[str, Any], kind: str, target: Any, named: bool = False) -> dict:
    """Follow/Following; ``named`` shows the target's name instead (lists of topics)."""
    request = context["request"]
    return {
        "kind": kind,
        "target": target,
        "named": named,
        "following": (kind, target.pk) in _follow_keys(request),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("web/partials/_save_button.html", takes_context=True)
def save_button(context: dict[str, Any], article: Any, known_state: bool = True) -> dict:
    """On cached cards ``known_state`` is False: the button only adds (saving is idempotent)."""
    request = context["request"]
    saved = False
    if known_state and request.user.is_authenticated:
        saved = article.pk in selectors.saved_article_ids_for_user(
            user=request.user, article_ids=[article.pk]
        )
    return {"article": article, "saved": saved, "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def reader_hidden_key(context: dict[str, Any]) -> str:
    """Part of a cached fragment's key: empty for anyone who hid nothing (all anonymous
    readers share one cached copy); otherwise a digest of what this reader hides."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    topics, sources = _hidden(request)
    if not topics and not sources:
        return ""
    raw = f"{sorted(topics)}|{sorted(sources)}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


@register.filter
def hide_for_reader(articles: Any, request: HttpRequest | None) -> list[Any]:
    """The stories without those carrying a topic or source this reader asked to hide."""
    articles = list(articles or [])
    if request is None or not request.user.is_authenticated:
        return articles
    topics, sources = _hidden(request)
    if not topics and not sources:
        return articles
    hidden = selectors.article_ids_hidden(
        article_ids=[a.pk for a in articles], topics=topics, sources=sources
    )
    return [article for article in articles if article.pk not in hidden]
