"""The SSRF guard: from a URL to the public addresses we are willing to connect to.

The client connects only to the addresses returned here (never resolving the host again),
so a host that answers with a public address now and a private one later cannot steer us.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urlsplit

from tidings.common.http.addresses import (
    IPAddress,
    looks_numeric,
    parse_ip_host,
    refusal_reason,
)
from tidings.common.http.errors import (
    BadSchemeError,
    BlockedAddressError,
    BlockedPortError,
    FetchTimeoutError,
    InvalidURLError,
    UnresolvableHostError,
)
from tidings.common.http.resolver import resolve_within
from tidings.common.http.settings import FetchLimits

DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when a path is made ASCII: reserved ones and existing escapes.
_PATH_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True)
class Target:
    """One checked hop: where to connect, and what to ask for once connected."""

    url: str
    scheme: str
    host: str
    port: int
    request_path: str
    addresses: tuple[IPAddress, ...]

    @property
    def origin(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + ("" if default else f":{self.port}")


def target_check(*, url: str, limits: FetchLimits, timeout: float | None = None) -> Target:
    """Parse ``url`` and resolve its host; refuse anything that is not a public web address.

    ``timeout`` bounds the name lookup (the rest of the fetch's deadline).
    """
    parts = _split(url)
    host = _ascii_host(url=url, parts=parts)
    port = _port(url=url, parts=parts, limits=limits)
    addresses = _addresses(url=url, host=host, port=port, timeout=timeout)
    for address in addresses:
        _refuse_unless_public(url=url, host=host, address=address, limits=limits)
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    query = f"?{quote(parts.query, safe=_PATH_SAFE)}" if parts.query else ""
    return Target(
        url=url,
        scheme=parts.scheme.lower(),
        host=host,
        port=port,
        request_path=path + query,
        addresses=tuple(addresses),
    )


def _split(url: str) -> SplitResult:
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise InvalidURLError(url=url, reason="the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise InvalidURLError(url=url, reason=f"the URL cannot be parsed ({error})") from None
    if parts.scheme.lower() not in DEFAULT_PORTS:
        scheme = parts.scheme or "no scheme"
        raise BadSchemeError(url=url, reason=f"only http and https are fetched, not {scheme}")
    if parts.username is not None or parts.password is not None:
        raise InvalidURLError(url=url, reason="URLs with a user name or password are refused")
    if not parts.hostname:
        raise InvalidURLError(url=url, reason="the URL has no host")
    return parts


def _ascii_host(*, url: str, parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidURLError(url=url, reason=f"the host {host!r} is not a valid name") from None


def _port(*, url: str, parts: SplitResult, limits: FetchLimits) -> int:
    try:
        port = parts.port
    except ValueError:
        raise InvalidURLError(url=url, reason="the port is not a number from 0 to 65535") from None
    port = port if port is not None else DEFAULT_PORTS[parts.scheme.lower()]
    if port not in limits.allowed_ports:
        raise BlockedPortError(
            url=url,
            reason=f"port {port} is not allowed (only 80, 443 and FETCH_ALLOWED_PORTS)",
        )
    return port


def _addresses(*, url: str, host: str, port: int, timeout: float | None) -> list[IPAddress]:
    literal = parse_ip_host(host)
    if literal is not None:
        return [literal]
    if looks_numeric(host):
        raise InvalidURLError(url=url, reason=f"{host} is neither a host name nor an address")
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        raise BlockedAddressError(url=url, reason=f"{host} always names this machine")
    try:
        answers = resolve_within(host, port, timeout=timeout)
    except TimeoutError as error:
        raise FetchTimeoutError(url=url, reason=f"timed out: {error}") from None
    except (OSError, UnicodeError) as error:
        raise UnresolvableHostError(url=url, reason=f"{host} does not resolve ({error})") from None
    if not answers:
        raise UnresolvableHostError(url=url, reason=f"{host} has no address")
    try:
        return [ipaddress.ip_address(str(answer).split("%", 1)[0]) for answer in answers]
    except ValueError as error:
        raise UnresolvableHostError(url=url, reason=f"{host} resolved oddly ({error})") from None


def _refuse_unless_public(*, url: str, host: str, address: IPAddress, limits: FetchLimits) -> None:
    if str(address) in limits.test_public_addresses:
        return
    reason = refusal_reason(address)
    if reason is None:
        return
    subject = str(address) if parse_ip_host(host) is not None else f"{host} resolves to {address}"
    raise BlockedAddressError(
        url=url,
        reason=f"{subject}, which is not a public address ({reason})",
        address=str(address),
    )


def address_family(address: IPAddress) -> socket.AddressFamily:
    return socket.AF_INET6 if address.version == 6 else socket.AF_INET
