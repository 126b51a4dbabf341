"""Section fronts, topic pages, source pages and story (cluster) pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject

from tidings.articles import selectors
from tidings.common.errors import NotFound
from tidings.sources.selectors import source_get_by_slug

PAGE_SIZE = 20


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 500))
    except ValueError:
        return 1


def section_page(request: HttpRequest, section: str) -> HttpResponse:
    try:
        found = selectors.section_get_by_slug(slug=section)
    except NotFound as error:
        raise Http404(str(error)) from None
    page = _page_number(request)

    def listing() -> dict[str, object]:
        articles = selectors.article_list_for_section(
            section=found, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
        )
        return {"articles": articles[:PAGE_SIZE], "has_next": len(articles) > PAGE_SIZE}

    # The stories are only read when the cached fragment for this content version is missing.
    return render(
        request,
        "web/section.html",
        {
            "section": found,
            "breadcrumb": found.lineage(),
            "listing": SimpleLazyObject(listing),
            "page": page,
            "content_version": selectors.content_version(),
        },
    )


def topic_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        topic = selectors.topic_get_by_slug(slug=slug)
    except NotFound as error:
        raise Http404(str(error)) from None
    if topic.slug != slug:
        return redirect(topic, permanent=True)
    page = _page_number(request)
    articles = selectors.article_list_for_topic(
        topic=topic, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "web/topic.html",
        {
            "topic": topic,
            "articles": articles[:PAGE_SIZE],
            "page": page,
            "has_next": len(articles) > PAGE_SIZE,
        },
    )


def source_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        source = source_get_by_slug(slug=slug)
    except NotFound as error:
        raise Http404(str(error)) from None
    page = _page_number(request)
    articles = selectors.article_list_for_source(
        source_id=source.pk, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "web/source.html",
        {
            "source": source,
            "articles": articles[:PAGE_SIZE],
            "page": page,
            "has_next": len(articles) > PAGE_SIZE,
        },
    )


def story_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        story = selectors.story_get(pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from None
    articles = selectors.story_articles(story=story)
    sources = sorted({article.source.name for article in articles})
    return render(
        request, "web/story.html", {"story": story, "articles": articles, "sources": sources}
    )
