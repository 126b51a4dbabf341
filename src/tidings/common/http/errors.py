"""Every way a fetch can fail, under one base; each message names the URL and the reason."""

from __future__ import annotations

from datetime import datetime

from tidings.common.errors import ApplicationError


class FetchError(ApplicationError):
    """A fetch that did not produce a usable response."""

    def __init__(self, *, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"Could not fetch {url}: {reason}")


class InvalidURLError(FetchError):
    """The URL cannot be fetched as written (unparsable, credentials, odd host)."""


class BadSchemeError(InvalidURLError):
    """Only http and https are fetched."""


class BlockedPortError(InvalidURLError):
    """Ports other than 80 and 443 need the operator's permission (FETCH_ALLOWED_PORTS)."""


class BlockedAddressError(FetchError):
    """The host is, or resolves to, an address that is not on the public internet."""

    def __init__(self, *, url: str, reason: str, address: str = "") -> None:
        self.address = address
        super().__init__(url=url, reason=reason)


class UnresolvableHostError(FetchError):
    """The host name has no address."""


class ConnectError(FetchError):
    """The connection could not be made or broke (refused, reset, TLS failure)."""


class TooLargeError(FetchError):
    """The body is larger than the cap, counted after decompression."""

    def __init__(self, *, url: str, reason: str, limit: int) -> None:
        self.limit = limit
        super().__init__(url=url, reason=reason)


class FetchTimeoutError(FetchError):
    """The fetch ran past its total deadline, or the server went silent."""


class TooManyRedirectsError(FetchError):
    """More redirects than allowed (a loop, or a chain too long to trust)."""


class RetryLaterError(FetchError):
    """The host asked us to wait (429/503 with Retry-After); nothing is sent before then."""

    def __init__(self, *, url: str, reason: str, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(url=url, reason=reason)


class RobotsDisallowedError(FetchError):
    """The site's robots.txt does not let us scrape this page."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, *, url: str, reason: str, status: int) -> None:
        self.status = status
        super().__init__(url=url, reason=reason)


class ContentEncodingError(FetchError):
    """The body is compressed in a way we do not decode, or is corrupt."""
