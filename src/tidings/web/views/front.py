from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tidings.articles import selectors


def front_page(request: HttpRequest) -> HttpResponse:
    if not selectors.has_any_content():
        return redirect("web:welcome")
    return render(request, "web/front.html", selectors.front_page())


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
