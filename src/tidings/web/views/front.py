from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject

from tidings.articles import selectors


def front_page(request: HttpRequest) -> HttpResponse:
    if not selectors.has_any_content():
        return redirect("web:welcome")
    # The stories are only read when the cached fragment for this content version is missing.
    context = {
        "front": SimpleLazyObject(selectors.front_page),
        "content_version": selectors.content_version(),
    }
    return render(request, "web/front.html", context)


def welcome(request: HttpRequest) -> HttpResponse:
    """The first-run screen: what to do when the site has no stories yet."""
    return render(
        request,
        "web/welcome.html",
        {"has_content": selectors.has_any_content(), "starter_sources": starter_sources()},
    )


def starter_sources() -> list[dict[str, str]]:
    from tidings.sources.starter import STARTER_SOURCES

    return STARTER_SOURCES
