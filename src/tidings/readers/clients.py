"""Who is asking: the client address, believed only as far as the trusted proxies go."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address for throttles; a forged X-Forwarded-For changes nothing.

    With N trusted proxies, each appends the address it saw, so the N-th entry from the right
    is the first one a proxy of ours wrote. Entries further left are whatever the client sent.
    """
    peer = str(request.META.get("REMOTE_ADDR", "") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies <= 0:
        return peer
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return peer
    return forwarded[-proxies]
