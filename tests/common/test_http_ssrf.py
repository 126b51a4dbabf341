"""SECURITY.md group S: the guarded client never reaches a non-public address.

Each refusal is checked twice: the right error, naming the URL, and zero TCP connections
on the internal listener (127.0.0.1, on the same port as the fake public site).
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.common.fakes import FakeSite
from tidings.common.http import (
    BadSchemeError,
    BlockedAddressError,
    BlockedPortError,
    FetchError,
    StaticResolver,
    fetch_url,
)
from tidings.common.http.addresses import parse_ip_host, refusal_reason

# S1, exactly as SECURITY.md lists them ({port} is the internal listener's port).
S1_URLS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f.1:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://169.254.169.254:{port}/",
    "http://[fd00:ec2::254]:{port}/",
    "http://10.0.0.1:{port}/",
    "http://172.16.0.1:{port}/",
    "http://192.168.0.1:{port}/",
    "http://100.64.0.1:{port}/",
    "http://224.2.3.4:{port}/",
    "http://[::1]:{port}/",
    "http://[::]:{port}/",
    "http://[fe80::1]:{port}/",
    "http://[fd00::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::a9fe:a9fe]:{port}/",
    "http://[64:ff9b::a9fe:a9fe]:{port}/",
    "http://[2002:a9fe:a9fe::]:{port}/",
    "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]:{port}/",
]


def test_internal_listener_counts_connections(internal: FakeSite) -> None:
    """The zero-connection assertions below mean something: a direct connect is counted."""
    with socket.create_connection((internal.host, internal.port), timeout=2) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        sock.recv(100)
    assert internal.accepted == 1


def test_public_site_is_reachable(fetch_settings, public: FakeSite) -> None:
    """Control: the same set-up fetches from the fake public site."""
    public.routes["/feed"] = lambda h: h.answer(200, b"<rss/>", Content_Type="application/rss+xml")
    result = fetch_url(url=public.url("/feed", host="public.test"))
    assert (result.status, result.body, result.content_type) == (
        200,
        b"<rss/>",
        "application/rss+xml",
    )
    assert public.request_headers[0]["host"] == f"public.test:{public.port}"
    assert public.request_headers[0]["user-agent"].startswith("Tidings/")


@pytest.mark.parametrize("purpose", ["feed", "page"])
@pytest.mark.parametrize("template", S1_URLS)
def test_s1_internal_addresses_are_refused(
    fetch_settings, internal: FakeSite, template: str, purpose: str
) -> None:
    url = template.format(port=internal.port)
    with pytest.raises(BlockedAddressError) as caught:
        fetch_url(url=url, purpose=purpose)
    assert url in str(caught.value)
    assert "public address" in str(caught.value) or "this machine" in str(caught.value)
    assert internal.accepted == 0


@pytest.mark.parametrize("template", S1_URLS)
def test_s1_refused_on_default_ports_without_test_settings(template: str) -> None:
    """With no test hooks at all (system resolver, only ports 80/443), still refused."""
    url = template.replace(":{port}", "")
    with pytest.raises(BlockedAddressError):
        fetch_url(url=url)


def test_s1_host_resolving_to_internal_address_is_refused(
    fetch_settings, internal: FakeSite
) -> None:
    fetch_settings.FETCH_RESOLVER = StaticResolver({"intranet.test": "127.0.0.1"})
    with pytest.raises(BlockedAddressError, match=r"intranet\.test resolves to 127\.0\.0\.1"):
        fetch_url(url=internal.url("/", host="intranet.test"))
    assert internal.accepted == 0


def test_s1_any_internal_answer_among_several_is_refused(
    fetch_settings, public: FakeSite, internal: FakeSite
) -> None:
    fetch_settings.FETCH_RESOLVER = lambda host, port: ["127.0.0.2", "10.0.0.1"]
    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.1"):
        fetch_url(url=public.url("/", host="mixed.test"))
    assert public.accepted == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://public.test/feed.xml",
        "gopher://public.test:70/_GET",
        "dict://public.test:11211/stat",
        "feed://public.test/rss",
        "javascript:alert(1)",
        "data:text/plain,hello",
        "/etc/hostname",
        "public.test/feed",
    ],
)
def test_s2_only_http_and_https(fetch_settings, url: str) -> None:
    with pytest.raises(BadSchemeError) as caught:
        fetch_url(url=url)
    assert "only http and https" in str(caught.value)


def test_s2_other_ports_need_the_operators_permission(fetch_settings, public: FakeSite) -> None:
    public.routes["/"] = lambda h: h.answer(200, b"ok")
    fetch_settings.FETCH_ALLOWED_PORTS = []
    with pytest.raises(BlockedPortError, match=f"port {public.port} is not allowed"):
        fetch_url(url=public.url("/", host="public.test"))
    assert public.accepted == 0
    fetch_settings.FETCH_ALLOWED_PORTS = [public.port]
    assert fetch_url(url=public.url("/", host="public.test")).body == b"ok"


@pytest.mark.parametrize(
    "url", ["http://user:pass@public.test/", "http://public.test@127.0.0.1/", "http://a b/"]
)
def test_s2_credentials_and_odd_urls_are_refused(fetch_settings, url: str) -> None:
    with pytest.raises(FetchError):
        fetch_url(url=url)


def _redirect_to(location: str):  # type: ignore[no-untyped-def]
    return lambda handler: handler.answer(302, Location=location)


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/",
        "http://[::ffff:7f00:1]:{port}/",
        "http://localhost:{port}/",
        "http://2130706433:{port}/",
        "http://[::1]:{port}/",
    ],
)
def test_s3_redirect_to_internal_address_is_refused(
    fetch_settings, public: FakeSite, internal: FakeSite, location: str
) -> None:
    public.routes["/moved"] = _redirect_to(location.format(port=internal.port))
    with pytest.raises(BlockedAddressError):
        fetch_url(url=public.url("/moved", host="public.test"))
    assert public.paths == ["/moved"]
    assert internal.accepted == 0


def test_s3_five_redirects_ending_inside_are_refused(
    fetch_settings, public: FakeSite, internal: FakeSite
) -> None:
    for hop in range(1, 5):
        public.routes[f"/hop/{hop}"] = _redirect_to(f"/hop/{hop + 1}")
    public.routes["/hop/5"] = _redirect_to(internal.url("/admin"))
    with pytest.raises(BlockedAddressError):
        fetch_url(url=public.url("/hop/1", host="public.test"))
    assert public.paths == [f"/hop/{hop}" for hop in range(1, 6)]
    assert internal.accepted == 0


def test_s3_redirect_to_a_public_host_is_followed(fetch_settings, public: FakeSite) -> None:
    """Control: the same redirect to a public name is followed and re-checked."""
    public.routes["/moved"] = _redirect_to(public.url("/feed", host="other.test"))
    public.routes["/feed"] = lambda h: h.answer(200, b"here")
    result = fetch_url(url=public.url("/moved", host="public.test"))
    assert (result.body, result.redirects, result.url) == (
        b"here",
        1,
        public.url("/feed", host="other.test"),
    )


def test_s4_rebinding_connects_to_the_checked_address(
    fetch_settings, public: FakeSite, internal: FakeSite
) -> None:
    """First lookup 127.0.0.2 (allowed), every later one 127.0.0.1: only one is ever made."""
    rebinding = StaticResolver({"rebind.test": ["127.0.0.2", "127.0.0.1"]})
    fetch_settings.FETCH_RESOLVER = rebinding
    public.routes["/"] = lambda h: h.answer(200, b"public")
    internal.routes["/"] = lambda h: h.answer(200, b"internal secrets")
    result = fetch_url(url=public.url("/", host="rebind.test"))
    assert result.body == b"public"
    assert rebinding.lookups == ["rebind.test"]
    assert internal.accepted == 0


def test_s4_rebinding_between_redirect_hops_is_refused(
    fetch_settings, public: FakeSite, internal: FakeSite
) -> None:
    fetch_settings.FETCH_RESOLVER = StaticResolver({"rebind.test": ["127.0.0.2", "127.0.0.1"]})
    public.routes["/start"] = _redirect_to("/again")
    internal.routes["/again"] = lambda h: h.answer(200, b"internal secrets")
    with pytest.raises(BlockedAddressError, match=r"rebind\.test resolves to 127\.0\.0\.1"):
        fetch_url(url=public.url("/start", host="rebind.test"))
    assert internal.accepted == 0


def test_s5_robots_fetch_for_pages_goes_through_the_guard(
    fetch_settings, public: FakeSite, internal: FakeSite
) -> None:
    """A page's robots.txt that redirects inside is refused like the page itself."""
    public.routes["/robots.txt"] = _redirect_to(internal.url("/robots.txt"))
    public.routes["/story"] = lambda h: h.answer(200, b"<html></html>")
    with pytest.raises(BlockedAddressError):
        fetch_url(url=public.url("/story", host="public.test"), purpose="page")
    assert internal.accepted == 0
    assert public.paths == ["/robots.txt"]


# --- the address predicate, property-tested ------------------------------------------

REFUSED_NETWORKS = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
    "2001::/32",
]


def _addresses_in(network: str) -> st.SearchStrategy[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    net = ipaddress.ip_network(network)
    first, last = int(net.network_address), int(net.broadcast_address)
    return st.integers(first, last).map(
        lambda n: ipaddress.ip_address(n) if net.version == 4 else ipaddress.IPv6Address(n)
    )


refused_addresses = st.one_of(*[_addresses_in(net) for net in REFUSED_NETWORKS])
refused_ipv4 = st.one_of(*[_addresses_in(net) for net in REFUSED_NETWORKS if "." in net])


@given(refused_addresses)
def test_any_address_in_a_refused_network_is_refused(address) -> None:  # type: ignore[no-untyped-def]
    assert refusal_reason(address) is not None


@given(refused_ipv4)
def test_any_ipv6_wrapping_of_a_refused_ipv4_is_refused(inner) -> None:  # type: ignore[no-untyped-def]
    value = int(inner)
    wrapped = [
        ipaddress.IPv6Address((0xFFFF << 32) | value),  # IPv4-mapped
        ipaddress.IPv6Address(value),  # IPv4-compatible
        ipaddress.IPv6Address((0x0064FF9B << 96) | value),  # NAT64
        ipaddress.IPv6Address((0x2002 << 112) | (value << 80)),  # 6to4
        ipaddress.IPv6Address((0x20010000 << 96) | (0xFFFFFFFF ^ value)),  # Teredo client
    ]
    for address in wrapped:
        assert refusal_reason(address) is not None, address


@given(_addresses_in("1.0.0.0/8") | _addresses_in("8.0.0.0/7") | _addresses_in("2600::/16"))
def test_public_addresses_are_allowed(address) -> None:  # type: ignore[no-untyped-def]
    assert refusal_reason(address) is None


@given(st.integers(0, 2**32 - 1))
def test_odd_ipv4_spellings_read_as_getaddrinfo_reads_them(value: int) -> None:
    address = ipaddress.IPv4Address(value)
    a, b, c, d = address.packed
    spellings = [
        str(value),
        hex(value),
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"0{a:o}.0x{b:x}.{c}.0{d:o}",
        f"{a}.{b}.{(c << 8) | d}",
    ]
    for spelling in spellings:
        assert parse_ip_host(spelling) == address, spelling
        assert socket.inet_aton(spelling) == address.packed, spelling


@given(_addresses_in("127.0.0.0/8") | _addresses_in("10.0.0.0/8") | _addresses_in("fc00::/7"))
def test_guard_refuses_urls_naming_internal_addresses(address) -> None:  # type: ignore[no-untyped-def]
    host = f"[{address}]" if address.version == 6 else str(address)
    with pytest.raises(BlockedAddressError):
        fetch_url(url=f"http://{host}/")


def test_s2_allowed_ports_may_be_written_as_in_the_environment(
    fetch_settings, public: FakeSite
) -> None:
    public.routes["/"] = lambda h: h.answer(200, b"ok")
    fetch_settings.FETCH_ALLOWED_PORTS = f"8443, {public.port}"
    assert fetch_url(url=public.url("/", host="public.test")).body == b"ok"


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1.:{port}/",
        "http://localhost.:{port}/",
        "http://feeds.localhost:{port}/",
        "http://127.000.000.001:{port}/",
        "http://0x7f.0.0.1:{port}/",
        "http://\uff11\uff12\uff17.0.0.1:{port}/",  # full-width digits, folded by IDNA
        "http://127\u30020\u30020\u30021:{port}/",  # ideographic full stops
        "http://[0:0:0:0:0:ffff:7f00:1]:{port}/",
        "http://[fe80::1%25lo]:{port}/",
    ],
)
def test_s1_more_ways_of_writing_this_machine(
    fetch_settings, internal: FakeSite, template: str
) -> None:
    with pytest.raises(BlockedAddressError):
        fetch_url(url=template.format(port=internal.port))
    assert internal.accepted == 0


@pytest.mark.parametrize("url", ["http://%31%32%37.0.0.1/", "http://1.2.3.4.5/", "http://0x/"])
def test_s1_hosts_that_look_numeric_but_are_not_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError):
        fetch_url(url=url)
