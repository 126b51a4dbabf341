"""Which addresses an outbound fetch may connect to, and how hosts are spelled as addresses.

A fetch may only reach the public internet. Everything else (this machine, the local
network, cloud metadata services, and IPv6 forms that wrap any of those) is refused.
"""

from __future__ import annotations

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges refused whatever Python's ``is_global`` says, so the rule does not drift with the
# interpreter's version of the IANA registries.
_REFUSED_NETWORKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "this-network"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("::/96", "IPv4-compatible"),
    ("100::/64", "discard-only"),
    ("2001::/32", "Teredo"),
    ("2001:db8::/32", "documentation"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
)
_REFUSED = tuple((ipaddress.ip_network(net), why) for net, why in _REFUSED_NETWORKS)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

_IPV4_PART = re.compile(r"^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address wraps (mapped, compatible, NAT64, 6to4, Teredo)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIX_TO_FOUR:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def refusal_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be fetched from, or None when it is a public address."""
    inner = embedded_ipv4(ip)
    for network, why in _REFUSED:
        if ip.version == network.version and ip in network:
            return f"{why}, wrapping {inner}" if inner is not None else why
    if inner is not None:
        inner_reason = refusal_reason(inner)
        if inner_reason is not None:
            return f"wraps {inner}, which is {inner_reason}"
    # Belt and braces: anything else Python knows to be special is refused too.
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved and inner is None:
        return "reserved"
    if not ip.is_global and inner is None:
        return "not globally routable"
    return None


def address_is_public(ip: IPAddress) -> bool:
    return refusal_reason(ip) is None


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a URL host names literally, in any spelling ``inet_aton`` accepts.

    ``getaddrinfo`` turns ``2130706433``, ``0x7f.1``, ``0177.0.0.1`` and ``127.1`` into
    127.0.0.1 without asking DNS, so the guard must read them the same way.
    """
    candidate = host.strip("[]") if host.startswith("[") else host
    if ":" in candidate:
        try:
            return ipaddress.IPv6Address(candidate.split("%", 1)[0])
        except ValueError:
            return None
    return _parse_loose_ipv4(candidate.rstrip(".").lower())


def looks_numeric(host: str) -> bool:
    """True when the last label is a number: browsers treat such hosts as IPv4 or invalid."""
    last = host.rstrip(".").rsplit(".", 1)[-1].lower()
    return bool(_NUMERIC_LABEL.match(last))


def _parse_loose_ipv4(text: str) -> ipaddress.IPv4Address | None:
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.match(part) for part in parts):
        return None
    numbers = [_parse_ipv4_part(part) for part in parts]
    *leading, last = numbers
    if any(number > 0xFF for number in leading):
        return None
    if last >= 1 << (8 * (5 - len(numbers))):
        return None
    value = last
    for index, number in enumerate(leading):
        value |= number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _parse_ipv4_part(part: str) -> int:
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part[1:], 8)
    return int(part)
