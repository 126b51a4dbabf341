from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tidings.articles import selectors
from tidings.articles.models import Article
from tidings.billing.selectors import entitlement_for
from tidings.common.errors import NotFound
from tidings.search.selectors import related_for_article
from tidings.web.structured_data import news_article_json_ld


def article_page(request: HttpRequest, section: str, slug: str, pk: int) -> HttpResponse:
    try:
        article = selectors.article_get_visible(pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from None
    canonical_path = article.get_absolute_url()
    if request.path != canonical_path:
        return redirect(canonical_path, permanent=True)
    return render(
        request, "web/article.html", article_page_context(request=request, article=article)
    )


def article_page_context(*, request: HttpRequest, article: Article) -> dict[str, object]:
    """Everything web/article.html shows; the desk's preview renders the same context."""
    absolute_url = request.build_absolute_uri(article.get_absolute_url())
    return {
        "article": article,
        "breadcrumb": article.section.lineage() if article.section else [],
        "tags": list(article.article_topics.all()),
        "bylines": list(article.bylines.all()),
        "corrections": [
            revision for revision in article.revisions.all() if revision.correction_note
        ],
        "entitlement": entitlement_for(user=request.user, article=article),
        "absolute_url": absolute_url,
        "json_ld": news_article_json_ld(article=article, url=absolute_url, request=request),
    }


def article_short_link(request: HttpRequest, pk: int) -> HttpResponse:
    """/a/<id>/: a stable link (feeds, related links) that forwards to the article's page."""
    try:
        article = selectors.article_get_visible(pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from None
    return redirect(article.get_absolute_url(), permanent=False)


RELATED_ON_PAGE = 5


def article_related(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Related stories" block under an article (HTMX), cached per content version."""
    key = f"related:{pk}:{selectors.content_version()}"
    local = caches["local"]
    related = local.get(key)
    if related is None:
        try:
            article = selectors.article_get_visible(pk=pk)
        except NotFound as error:
            raise Http404(str(error)) from None
        related = related_for_article(article=article, limit=RELATED_ON_PAGE)
        local.set(key, related, 300)
    return render(request, "web/partials/_related.html", {"related": related})
