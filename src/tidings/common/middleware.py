"""Request guards shared by the site and the API."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException

NUL_MESSAGE = "Text may not contain NUL (0x00) characters."


class RejectNulMiddleware:
    """Answer 400 to NUL characters in the address, query or body.

    PostgreSQL cannot store them (psycopg refuses the query), so without this check a NUL
    in any text field is a 500 on PostgreSQL and silently stored on SQLite.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponse(NUL_MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return False
    try:
        body = request.body  # read once and kept, so views can still use body or POST
    except (RequestDataTooBig, RawPostDataException):  # Django answers these itself
        return False
    if (request.content_type or "").startswith("multipart/"):
        # Uploaded files are binary; only the text fields of the form are checked.
        try:
            return any("\x00" in value for value in request.POST.values())
        except MultiPartParserError:  # a broken form: the view answers it
            return False
    if b"\x00" in body or b"\\u0000" in body:
        return True
    return request.content_type == "application/x-www-form-urlencoded" and b"%00" in body


class DeskForStaffOnlyMiddleware:
    """A signed-in reader who opens the editor desk gets a 404, not the desk's login page.

    Anonymous visitors still see the desk's sign-in; a reader's account can never become a
    way in, and the answer does not confirm that the desk is there (SECURITY.md Z7).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/desk/")
            and user is not None
            and user.is_authenticated
            and not user.is_staff
        ):
            raise Http404("No such page.")
        return self.get_response(request)
