"""The one guarded HTTP client: every outbound fetch in Tidings goes through ``fetch_url``.

See ``client.py`` for the flow and ``guard.py`` for which addresses are refused. Settings
(all optional, read when a fetch starts): FETCH_TIMEOUT, FETCH_CONNECT_TIMEOUT,
FETCH_READ_TIMEOUT, FETCH_MAX_BYTES, FETCH_MAX_REDIRECTS, FETCH_PER_HOST_LIMIT (per
process), FETCH_ALLOWED_PORTS, FETCH_RESPECT_ROBOTS, FETCH_CA_BUNDLE,
FETCH_HOLD_CACHE_ALIAS, FETCH_RESOLVER, and the test-only FETCH_TEST_PUBLIC_ADDRESSES.
"""

from tidings.common.http.addresses import address_is_public, refusal_reason
from tidings.common.http.client import FetchResult, fetch_url
from tidings.common.http.errors import (
    BadSchemeError,
    BlockedAddressError,
    BlockedPortError,
    ConnectError,
    ContentEncodingError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    InvalidURLError,
    RetryLaterError,
    RobotsDisallowedError,
    TooLargeError,
    TooManyRedirectsError,
    UnresolvableHostError,
)
from tidings.common.http.resolver import StaticResolver, system_resolver

__all__ = [
    "BadSchemeError",
    "BlockedAddressError",
    "BlockedPortError",
    "ConnectError",
    "ContentEncodingError",
    "FetchError",
    "FetchResult",
    "FetchTimeoutError",
    "HTTPStatusError",
    "InvalidURLError",
    "RetryLaterError",
    "RobotsDisallowedError",
    "StaticResolver",
    "TooLargeError",
    "TooManyRedirectsError",
    "UnresolvableHostError",
    "address_is_public",
    "fetch_url",
    "refusal_reason",
    "system_resolver",
]
