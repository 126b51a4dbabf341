"""Follows of a reader without an account, kept in a signed cookie until they sign up."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "tidings_follows"
SALT = "tidings.readers.anonymous-follows"
MAX_ENTRIES = 50
KINDS = {"topic", "section", "source", "author"}


def anonymous_follows(request: HttpRequest) -> list[tuple[str, int]]:
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return []
    try:
        value = signing.loads(raw, salt=SALT, max_age=365 * 86400)
    except signing.BadSignature:
        return []
    entries = []
    for entry in value if isinstance(value, list) else []:
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and entry[0] in KINDS
            and isinstance(entry[1], int)
        ):
            entries.append((entry[0], entry[1]))
    return entries[:MAX_ENTRIES]


def anonymous_follows_store(response: HttpResponse, entries: list[tuple[str, int]]) -> None:
    response.set_cookie(
        COOKIE,
        signing.dumps([list(entry) for entry in entries[-MAX_ENTRIES:]], salt=SALT),
        max_age=365 * 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def forget_anonymous_follows(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")
