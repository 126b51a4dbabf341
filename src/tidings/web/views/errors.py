"""404 and 500 pages in the site's design."""

from django.http import HttpRequest, HttpResponse
from django.template import loader


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    body = loader.render_to_string("web/404.html", {}, request)
    return HttpResponse(body, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No database or context processors here: the error may be the database itself.
    body = loader.get_template("web/500.html").render({})
    return HttpResponse(body, status=500)
