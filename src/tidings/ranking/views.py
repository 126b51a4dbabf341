"""The For-you feed, the "Recommended for you" rail and the trending-topics rail, as HTMX
fragments loaded after the (cached) page, so personal parts never enter the shared cache.

Each For-you page served is logged as impressions (what the blend learns from); the rail
beside an article is not: it is another surface, ranked around the story just opened."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tidings.articles.models import Article
from tidings.ranking.foryou import ForYouPage, for_you_page
from tidings.ranking.services import impressions_record
from tidings.ranking.trending import trending_topics
from tidings.readers.models import Interaction
from tidings.readers.selectors import history_paused

SESSION_READS = "ranking_reads"
SESSION_READS_KEPT = 20
FEED_PAGE = 10
RAIL_SIZE = 4


def session_reads(request: HttpRequest) -> list[int]:
    reads = request.session.get(SESSION_READS, [])
    return [pk for pk in reads if isinstance(pk, int)]


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def impressions_log(request: HttpRequest, *, user: Any | None, page: ForYouPage) -> None:
    """Log what a For-you page showed; not for a browser's prefetch or prerender, which
    nobody may ever look at."""
    purpose = request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or ""
    if not page.items or purpose.startswith("prefetch"):
        return
    session = getattr(request, "session", None)
    impressions_record(
        reader_id=user.pk if user is not None and user.is_authenticated else None,
        session_key=session.session_key if session is not None else None,
        shown=[(item.article.pk, item.position, item.features) for item in page.items],
    )


@never_cache
@require_GET
def for_you_feed(request: HttpRequest) -> HttpResponse:
    """A page of the feed; the last card carries the `revealed` trigger for the next one."""
    try:
        cursor = int(request.GET.get("cursor", "0"))
    except ValueError:
        return HttpResponseBadRequest("cursor must be a whole number")
    if not 0 <= cursor <= 10_000:
        return HttpResponseBadRequest("cursor out of range")
    reads = session_reads(request)
    if not request.user.is_authenticated and len(reads) < 1:
        return HttpResponse("")  # nothing known about this reader yet: no section at all
    page = for_you_page(
        user=request.user,
        session_key=request.session.session_key,
        session_reads=reads,
        cursor=cursor,
        limit=FEED_PAGE,
    )
    impressions_log(request, user=request.user, page=page)
    template = (
        "ranking/partials/_for_you.html" if cursor == 0 else "ranking/partials/_for_you_items.html"
    )
    return render(request, template, {"page": page})


@never_cache
@require_POST
def article_opened(request: HttpRequest, pk: int) -> HttpResponse:
    """Sent once by an article page after it loads: remember the read in this session, log it
    for the ranking state, and answer with the "Recommended for you" rail."""
    if not Article.objects.visible().filter(pk=pk).exists():
        return HttpResponse("", status=404)
    reads = session_reads(request)
    key = request.session.session_key or ""
    if not history_paused(user_id=request.user.pk):
        reads = [read for read in reads if read != pk] + [pk]
        request.session[SESSION_READS] = reads[-SESSION_READS_KEPT:]
        key = _session_key(request)
        Interaction.objects.create(
            reader=request.user.pk if request.user.is_authenticated else None,
            session=key[:64],
            article_id=pk,
            kind=Interaction.Kind.OPEN,
            occurred_at=timezone.now(),
        )
    page = for_you_page(
        user=request.user, session_key=key, session_reads=reads, cursor=0, limit=RAIL_SIZE
    )
    return render(request, "ranking/partials/_recommended_rail.html", {"page": page})


@require_GET
def trending_rail(request: HttpRequest) -> HttpResponse:
    response = render(
        request, "ranking/partials/_trending_topics.html", {"topics": trending_topics(limit=8)}
    )
    response["Cache-Control"] = "public, max-age=60"
    return response
