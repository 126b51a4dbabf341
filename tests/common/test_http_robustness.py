"""SECURITY.md group R: what the guarded client survives (bombs, floods, drips, loops, holds).

Deadlines and caps are passed as small parameters so every case finishes in seconds.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.common.fakes import PUBLIC_IP, FakeHandler, FakeSite
from tidings.common.http import (
    BadSchemeError,
    ConnectError,
    ContentEncodingError,
    FetchTimeoutError,
    HTTPStatusError,
    RetryLaterError,
    RobotsDisallowedError,
    TooLargeError,
    TooManyRedirectsError,
    fetch_url,
)
from tidings.common.http.politeness import holds_clear

MIB = 1024 * 1024


def gzip_bomb(*, decoded_mib: int) -> bytes:
    """One gzip member that inflates to ``decoded_mib`` MiB of zeros (512 → about 510 KiB).

    Each MiB of zeros is compressed once and its full-flushed block repeated, which is
    byte-for-byte what compressing the whole stream with full flushes would produce.
    """
    zeros = bytes(MIB)
    block_maker = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = block_maker.compress(zeros) + block_maker.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    crc = 0
    for _ in range(decoded_mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (decoded_mib * MIB) & 0xFFFFFFFF)
    return header + block * decoded_mib + final + trailer


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(decoded_mib=512)


@pytest.mark.slow
def test_the_bomb_is_what_security_md_describes(bomb: bytes) -> None:
    """510 KiB on the wire, 512 MiB once inflated (counted in steps, never held whole)."""
    assert 500 * 1024 < len(bomb) < 520 * 1024
    inflater, data, total = zlib.decompressobj(16 + zlib.MAX_WBITS), bomb, 0
    while data:
        total += len(inflater.decompress(data, 8 * MIB))
        data = inflater.unconsumed_tail
    assert total == 512 * MIB and inflater.eof


def _serve_bytes(body: bytes, **headers: str):  # type: ignore[no-untyped-def]
    return lambda handler: handler.answer(200, body, **headers)


def _peak_growth(action) -> tuple[int, BaseException | None]:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    raised: BaseException | None = None
    try:
        action()
    except Exception as error:
        raised = error
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - baseline, raised


@pytest.mark.slow
@pytest.mark.parametrize("cap_mib", [4, 15])
def test_r1_gzip_bomb_stops_at_the_cap_with_bounded_memory(
    fetch_settings, public: FakeSite, bomb: bytes, cap_mib: int
) -> None:
    public.routes["/bomb.xml"] = _serve_bytes(bomb, Content_Encoding="gzip")
    fetch_settings.FETCH_MAX_BYTES = cap_mib * MIB
    growth, raised = _peak_growth(
        lambda: fetch_url(url=public.url("/bomb.xml", host="public.test"))
    )
    assert isinstance(raised, TooLargeError), raised
    assert raised.limit == cap_mib * MIB
    assert "after decompression" in str(raised) and "/bomb.xml" in str(raised)
    assert growth < 2 * cap_mib * MIB, f"memory grew {growth / MIB:.1f} MiB"


def test_r1_compressed_bodies_are_decoded(fetch_settings, public: FakeSite) -> None:
    feed = b"<rss>" + b"<item>story</item>" * 5000 + b"</rss>"
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    public.routes["/gzip"] = _serve_bytes(gzip.compress(feed), Content_Encoding="gzip")
    public.routes["/two-members"] = _serve_bytes(
        gzip.compress(feed[:100]) + gzip.compress(feed[100:]), Content_Encoding="x-gzip"
    )
    public.routes["/deflate"] = _serve_bytes(zlib.compress(feed), Content_Encoding="deflate")
    public.routes["/raw-deflate"] = _serve_bytes(
        raw.compress(feed) + raw.flush(), Content_Encoding="deflate"
    )
    for path in ["/gzip", "/two-members", "/deflate", "/raw-deflate"]:
        assert fetch_url(url=public.url(path, host="public.test")).body == feed, path
    assert public.request_headers[0]["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("body", "encoding"), [(b"not gzip at all", "gzip"), (b"x", "br"), (b"x", "gzip, deflate")]
)
def test_r1_corrupt_or_unknown_encodings_are_errors(
    fetch_settings, public: FakeSite, body: bytes, encoding: str
) -> None:
    public.routes["/odd"] = _serve_bytes(body, Content_Encoding=encoding)
    with pytest.raises(ContentEncodingError, match="/odd"):
        fetch_url(url=public.url("/odd", host="public.test"))


def _endless(handler: FakeHandler, *, chunked: bool) -> None:
    handler.send_response(200)
    handler.send_header(
        "Transfer-Encoding" if chunked else "Connection", "chunked" if chunked else "close"
    )
    handler.end_headers()
    piece = b"<item>" + b"x" * 65530
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
    while not handler.server.site.stopping.is_set():
        handler.wfile.write(frame)


def test_r2_huge_content_length_is_refused_before_reading(fetch_settings, public: FakeSite) -> None:
    def huge(handler: FakeHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "10737418240")
        handler.end_headers()
        while not handler.server.site.stopping.is_set():
            handler.wfile.write(bytes(MIB))

    public.routes["/huge"] = huge
    started = time.monotonic()
    with pytest.raises(TooLargeError, match="announced 10,737,418,240 bytes"):
        fetch_url(url=public.url("/huge", host="public.test"), max_bytes=MIB)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_r2_endless_body_without_length_stops_at_the_cap(
    fetch_settings, public: FakeSite, chunked: bool
) -> None:
    public.routes["/endless"] = lambda handler: _endless(handler, chunked=chunked)
    growth, raised = _peak_growth(
        lambda: fetch_url(url=public.url("/endless", host="public.test"), max_bytes=2 * MIB)
    )
    assert isinstance(raised, TooLargeError), raised
    assert growth < 4 * MIB


def _drip(handler: FakeHandler, *, head_too: bool) -> None:
    site = handler.server.site
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n"
    if not head_too:
        handler.wfile.write(head)
    for byte in (head if head_too else b"") + b"x" * 600:
        if site.stopping.wait(0.1):
            return
        handler.wfile.write(bytes([byte]))


@pytest.mark.slow
@pytest.mark.parametrize("head_too", [False, True], ids=["body", "status-and-headers"])
def test_r3_drip_feed_ends_at_the_total_deadline(
    fetch_settings, public: FakeSite, head_too: bool
) -> None:
    """One byte every 0.1 s never trips a per-read timeout; the total deadline still ends it."""
    public.routes["/drip"] = lambda handler: _drip(handler, head_too=head_too)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"timed out after the total deadline of 1\.5 s"):
        fetch_url(url=public.url("/drip", host="public.test"), timeout=1.5, read_timeout=5)
    assert 1.4 < time.monotonic() - started < 3


@pytest.mark.slow
def test_r3_silent_server_ends_at_the_read_timeout(fetch_settings, public: FakeSite) -> None:
    public.routes["/silent"] = lambda handler: handler.server.site.stopping.wait(30)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"sent nothing for 0\.5 s"):
        fetch_url(url=public.url("/silent", host="public.test"), timeout=10, read_timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_r4_redirect_loop_stops_after_ten_hops(fetch_settings, public: FakeSite) -> None:
    public.routes["/loop"] = lambda handler: handler.answer(302, Location="/loop")
    with pytest.raises(TooManyRedirectsError, match="more than 10 redirects"):
        fetch_url(url=public.url("/loop", host="public.test"))
    assert len(public.paths) == 11  # the first request and ten redirects followed


def test_r4_ten_redirects_are_followed(fetch_settings, public: FakeSite) -> None:
    for hop in range(10):
        public.routes[f"/r{hop}"] = lambda handler, hop=hop: handler.answer(
            301 if hop % 2 else 307, Location=f"/r{hop + 1}"
        )
    public.routes["/r10"] = lambda handler: handler.answer(200, b"arrived")
    result = fetch_url(url=public.url("/r0", host="public.test"))
    assert (result.body, result.redirects) == (b"arrived", 10)


def test_http_error_status_is_an_error(fetch_settings, public: FakeSite) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch_url(url=public.url("/missing", host="public.test"))
    assert caught.value.status == 404
    assert "/missing" in str(caught.value) and "404" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "retry_after"),
    [(429, "3600"), (503, "3600"), (503, "{http_date}")],
)
def test_r6_retry_after_holds_the_host(
    fetch_settings, public: FakeSite, status: int, retry_after: str
) -> None:
    then = datetime.now(UTC) + timedelta(seconds=3600)
    header = retry_after.format(http_date=then.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    public.routes["/feed"] = lambda handler: handler.answer(status, Retry_After=header)
    public.routes["/other-feed"] = lambda handler: handler.answer(200, b"ok")
    with pytest.raises(RetryLaterError) as first:
        fetch_url(url=public.url("/feed", host="public.test"))
    assert abs((first.value.retry_at - then).total_seconds()) < 5
    with pytest.raises(RetryLaterError, match="asked us to wait until"):
        fetch_url(url=public.url("/other-feed", host="public.test"))
    assert public.accepted == 1  # nothing more was sent to that host
    assert fetch_url(url=public.url("/other-feed", host="other.test")).body == b"ok"


def test_r6_the_hold_ends_when_retry_after_has_passed(fetch_settings, public: FakeSite) -> None:
    answers = iter([(429, "60"), (200, "")])

    def throttled_once(handler: FakeHandler) -> None:
        status, wait = next(answers)
        handler.answer(status, b"fresh", **({"Retry_After": wait} if wait else {}))

    public.routes["/feed"] = throttled_once
    with pytest.raises(RetryLaterError):
        fetch_url(url=public.url("/feed", host="public.test"))
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=61), tick=True):
        assert fetch_url(url=public.url("/feed", host="public.test")).body == b"fresh"


def test_r6_hold_is_shared_through_the_cache(fetch_settings, public: FakeSite) -> None:
    """A hold recorded by one worker process is honoured by another (here: a cleared one)."""
    fetch_settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    fetch_settings.FETCH_HOLD_CACHE_ALIAS = "default"
    public.routes["/feed"] = lambda handler: handler.answer(429, Retry_After="600")
    with pytest.raises(RetryLaterError):
        fetch_url(url=public.url("/feed", host="public.test"))
    holds_clear()  # as if this were another process: only the cache remembers
    with pytest.raises(RetryLaterError):
        fetch_url(url=public.url("/feed", host="public.test"))
    assert public.accepted == 1


def _conditional(handler: FakeHandler) -> None:
    etag, stamp = '"v1"', "Sat, 28 Nov 2026 10:00:00 GMT"
    if handler.headers.get("If-None-Match") == etag or (
        handler.headers.get("If-Modified-Since") == stamp
    ):
        handler.answer(304, ETag=etag)
        return
    handler.answer(200, b"<rss>new</rss>", ETag=etag, Last_Modified=stamp)


def test_r7_conditional_get_returns_not_modified(fetch_settings, public: FakeSite) -> None:
    public.routes["/feed"] = _conditional
    url = public.url("/feed", host="public.test")
    first = fetch_url(url=url)
    assert (first.status, first.not_modified, first.body) == (200, False, b"<rss>new</rss>")
    by_etag = fetch_url(url=url, etag=first.etag)
    by_date = fetch_url(url=url, last_modified=first.last_modified)
    for again in (by_etag, by_date):
        assert (again.status, again.not_modified, again.body) == (304, True, b"")
        assert again.etag == '"v1"'
    assert by_etag.last_modified == ""  # the 304 sent none and none was given
    assert by_date.last_modified == first.last_modified  # the caller's validator kept
    assert public.request_headers[1]["if-none-match"] == '"v1"'
    assert public.request_headers[2]["if-modified-since"] == first.last_modified


def _answer_once_busy(level: int):  # type: ignore[no-untyped-def]
    """Hold each request until ``level`` are in progress (at most 2 s), then a little longer.

    The wait makes the expected peak certain however loaded the machine is; the extra
    0.1 s gives a client that lets too many through the time to show it.
    """

    def route(handler: FakeHandler) -> None:
        site, give_up = handler.server.site, time.monotonic() + 2
        while site.active < level and time.monotonic() < give_up:
            time.sleep(0.005)
        time.sleep(0.1)
        handler.answer_after_leaving(200, b"ok")

    return route


@pytest.mark.slow
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_r9_no_more_than_k_requests_at_once_per_host(
    fetch_settings, public: FakeSite, limit: int
) -> None:
    fetch_settings.FETCH_PER_HOST_LIMIT = limit
    public.routes["/feed"] = _answer_once_busy(limit)
    urls = [public.url(f"/feed?n={n}", host="public.test") for n in range(3 * limit)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda url: fetch_url(url=url).body, urls))
    assert bodies == [b"ok"] * len(urls)
    assert public.peak_active == limit


@pytest.mark.slow
def test_r9_the_limit_is_per_host(fetch_settings, public: FakeSite) -> None:
    fetch_settings.FETCH_PER_HOST_LIMIT = 1
    public.routes["/feed"] = _answer_once_busy(2)
    hosts = ["public.test", "other.test"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda host: fetch_url(url=public.url("/feed", host=host)), hosts))
    assert public.peak_active == 2


def test_robots_txt_is_obeyed_for_pages(fetch_settings, public: FakeSite) -> None:
    public.routes["/robots.txt"] = lambda h: h.answer(
        200, b"User-agent: *\nDisallow: /private/\n\nUser-agent: Tidings\nDisallow: /no-bots\n"
    )
    public.routes["/story"] = lambda h: h.answer(200, b"<p>story</p>")
    public.routes["/no-bots"] = lambda h: h.answer(200, b"<p>secret</p>")
    assert fetch_url(url=public.url("/story", host="public.test"), purpose="page").status == 200
    with pytest.raises(RobotsDisallowedError, match=r"robots\.txt disallows"):
        fetch_url(url=public.url("/no-bots", host="public.test"), purpose="page")
    assert fetch_url(url=public.url("/no-bots", host="public.test"), purpose="feed").status == 200
    assert public.paths == ["/robots.txt", "/story", "/no-bots"]  # robots.txt read once


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (500, False)])
def test_robots_txt_missing_allows_and_unreachable_forbids(
    fetch_settings, public: FakeSite, status: int, allowed: bool
) -> None:
    public.routes["/robots.txt"] = lambda h: h.answer(status, b"")
    public.routes["/story"] = lambda h: h.answer(200, b"<p>story</p>")
    url = public.url("/story", host="public.test")
    if allowed:
        assert fetch_url(url=url, purpose="page").body == b"<p>story</p>"
    else:
        with pytest.raises(RobotsDisallowedError, match="could not be read"):
            fetch_url(url=url, purpose="page")


def test_robots_txt_can_be_switched_off(fetch_settings, public: FakeSite) -> None:
    fetch_settings.FETCH_RESPECT_ROBOTS = False
    public.routes["/robots.txt"] = lambda h: h.answer(200, b"User-agent: *\nDisallow: /\n")
    public.routes["/story"] = lambda h: h.answer(200, b"<p>story</p>")
    assert fetch_url(url=public.url("/story", host="public.test"), purpose="page").status == 200
    assert public.paths == ["/story"]


def test_watchdog_threads_do_not_pile_up(fetch_settings, public: FakeSite) -> None:
    public.routes["/feed"] = lambda h: h.answer(200, b"ok")
    before = threading.active_count()
    for _ in range(20):
        fetch_url(url=public.url("/feed", host="public.test"))
    time.sleep(0.05)
    assert threading.active_count() <= before + 2


def test_robots_txt_of_each_site_a_page_redirects_through(fetch_settings, public: FakeSite) -> None:
    """A page on an allowed site that redirects to a site whose robots.txt forbids it."""
    public.routes["/robots.txt"] = lambda h: h.answer(
        200,
        b"User-agent: *\nDisallow: /moved-here\n"
        if h.headers["Host"].startswith("other.test")
        else b"",
    )
    public.routes["/story"] = lambda h: h.answer(
        302, Location=public.url("/moved-here", host="other.test")
    )
    with pytest.raises(RobotsDisallowedError, match=r"other\.test"):
        fetch_url(url=public.url("/story", host="public.test"), purpose="page")
    assert public.paths == ["/robots.txt", "/story", "/robots.txt"]


def test_credentials_are_not_sent_to_another_site(fetch_settings, public: FakeSite) -> None:
    public.routes["/here"] = lambda h: h.answer(302, Location="/still-here")
    public.routes["/still-here"] = lambda h: h.answer(
        302, Location=public.url("/elsewhere", host="other.test")
    )
    public.routes["/elsewhere"] = lambda h: h.answer(200, b"ok")
    fetch_url(url=public.url("/here", host="public.test"), headers={"Authorization": "Bearer t"})
    sent = [headers.get("authorization") for headers in public.request_headers]
    assert sent == ["Bearer t", "Bearer t", None]


def test_redirect_to_another_scheme_is_refused(fetch_settings, public: FakeSite) -> None:
    public.routes["/moved"] = lambda h: h.answer(302, Location="file:///etc/passwd")
    with pytest.raises(BadSchemeError, match="file"):
        fetch_url(url=public.url("/moved", host="public.test"))


def test_a_post_redirected_with_303_becomes_a_get(fetch_settings, public: FakeSite) -> None:
    """For webhook-style calls: the body is posted once, the answer fetched with GET."""
    public.routes["/hook"] = lambda h: h.answer(303, Location="/thanks")
    public.routes["/thanks"] = lambda h: h.answer(200, b"received")
    result = fetch_url(url=public.url("/hook", host="public.test"), method="POST", data=b"{}")
    assert (result.body, public.methods) == (b"received", ["POST", "GET"])


def test_nobody_listening_is_a_connect_error(fetch_settings, public: FakeSite) -> None:
    url = public.url("/feed", host="public.test")
    public.stop()
    with pytest.raises(ConnectError, match="connection failed"):
        fetch_url(url=url)


def test_callers_cannot_change_host_or_framing_headers(fetch_settings, public: FakeSite) -> None:
    public.routes["/feed"] = lambda h: h.answer(200, b"ok")
    extra = {
        "Host": "admin.internal",
        "accept": "application/json",
        "Transfer-Encoding": "chunked",
        "User-Agent": "curl",
    }
    fetch_url(url=public.url("/feed", host="public.test"), headers=extra)
    sent = public.request_headers[0]
    assert sent["host"] == f"public.test:{public.port}"
    assert sent["accept"] == "application/json"
    assert "transfer-encoding" not in sent
    assert sent["user-agent"].startswith("Tidings/")


def test_a_folded_validator_is_sent_on_one_line(fetch_settings, public: FakeSite) -> None:
    public.routes["/feed"] = _conditional
    result = fetch_url(url=public.url("/feed", host="public.test"), etag='"v1"\r\nX-Evil: 1')
    assert result.status == 200
    assert public.request_headers[0]["if-none-match"] == '"v1" X-Evil: 1'
    assert "x-evil" not in public.request_headers[0]


@pytest.mark.slow
def test_a_slow_name_lookup_counts_against_the_deadline(fetch_settings, public: FakeSite) -> None:
    def slow_dns(host: str, port: int) -> list[str]:
        time.sleep(1.5)
        return ["127.0.0.2"]

    fetch_settings.FETCH_RESOLVER = slow_dns
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"resolving slow\.test took longer"):
        fetch_url(url=public.url("/feed", host="slow.test"), timeout=0.4)
    assert time.monotonic() - started < 1.2
    assert public.accepted == 0


@pytest.mark.slow
def test_r3_a_listener_that_never_accepts_ends_at_the_connect_timeout(fetch_settings) -> None:
    """A full accept queue drops our SYN, as a black-holed address would."""
    listener = socket.socket()
    filler = socket.socket()
    try:
        listener.bind((PUBLIC_IP, 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        filler.connect((PUBLIC_IP, port))  # takes the only place in the queue
        fetch_settings.FETCH_ALLOWED_PORTS = [port]
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match="timed out connecting"):
            fetch_url(url=f"http://public.test:{port}/feed", connect_timeout=0.5, timeout=10)
        assert time.monotonic() - started < 2
    finally:
        filler.close()
        listener.close()
