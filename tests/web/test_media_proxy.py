"""SECURITY.md S7 (and S1, S3, S4 through the proxy): the media proxy at /img/.

A fake "public" site on 127.0.0.2 (reached as public.test) serves the images; the fake
"internal" site on 127.0.0.1 must never see a connection. Requests go through Django's
test client, as a reader's browser would send them.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.common.conftest import fetch_settings, internal, public, resolver, sites  # noqa: F401
from tests.common.fakes import FakeSite
from tests.newsroom import story
from tidings.common.http import StaticResolver
from tidings.ingestion.types import Image
from tidings.web.tasks import media_cache_evict_task
from tidings.web.templatetags.newsroom import proxied
from tidings.web.views.media_proxy import (
    media_cache_dir,
    media_cache_evict,
    media_cache_path,
    media_proxy_path,
)

# The site's 404 page reads the sections, so requests need the database.
pytestmark = pytest.mark.django_db

LOCKED_DOWN_CSP = "default-src 'none'; form-action 'none'; sandbox"


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = png_bytes()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture
def proxy_settings(fetch_settings, tmp_path):  # type: ignore[no-untyped-def]
    fetch_settings.MEDIA_PROXY_CACHE_DIR = str(tmp_path / "media-cache")
    return fetch_settings


def serve(site: FakeSite, path: str, body: bytes, content_type: str) -> None:
    site.routes[path] = lambda handler: handler.answer(200, body, Content_Type=content_type)


def assert_locked_down(response) -> None:  # type: ignore[no-untyped-def]
    assert response["Content-Security-Policy"] == LOCKED_DOWN_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Cache-Control" in response


def body_of(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Serving ------------------------------------------------------------------------------


def test_a_signed_image_is_fetched_once_and_served_locked_down(client, proxy_settings, public):
    serve(public, "/photo.png", PNG, "image/png")
    path = media_proxy_path(url=public.url("/photo.png", host="public.test"))
    assert path.startswith("/img/")
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png" and body_of(response) == PNG
        assert_locked_down(response)
        assert "max-age=31536000" in response["Cache-Control"]
    assert public.paths == ["/photo.png"]  # the second answer came from the disk cache
    assert public.request_headers[0]["accept"].startswith("image/")
    cached = media_cache_path(public.url("/photo.png", host="public.test"))
    assert cached.is_file() and cached.parent.parent == media_cache_dir()


def test_head_is_answered_and_post_is_not(client, proxy_settings, public):
    serve(public, "/photo.jpg", JPEG, "image/jpeg")
    path = media_proxy_path(url=public.url("/photo.jpg", host="public.test"))
    assert client.head(path).status_code == 200
    assert client.post(path).status_code in {403, 405}  # CSRF or method: never a fetch


def test_a_served_type_comes_from_the_bytes_not_the_label(client, proxy_settings, public):
    serve(public, "/labelled-gif.gif", PNG, "image/gif")
    response = client.get(media_proxy_path(url=public.url("/labelled-gif.gif", host="public.test")))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


# --- Signatures ---------------------------------------------------------------------------


def test_unsigned_and_tampered_addresses_are_refused(client, proxy_settings, public, internal):
    serve(public, "/photo.png", PNG, "image/png")
    good = media_proxy_path(url=public.url("/photo.png", host="public.test"))
    _, _, signature, encoded = good.split("/")
    other = media_proxy_path(url=internal.url("/admin")).split("/")[3]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for path in (
        f"/img/-/{encoded}",  # unsigned
        f"/img/{flipped}/{encoded}",  # tampered signature
        f"/img/{signature}/{other}",  # a signature for one address, another address
        f"/img/{signature}/{encoded[:-2]}",  # truncated address
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert_locked_down(response)
    assert public.paths == [] and internal.accepted == 0


def test_a_signature_from_another_secret_key_is_refused(client, proxy_settings, public):
    serve(public, "/photo.png", PNG, "image/png")
    url = public.url("/photo.png", host="public.test")
    proxy_settings.SECRET_KEY = "another site's secret key, long enough to be a key " * 2
    foreign = media_proxy_path(url=url)
    proxy_settings.SECRET_KEY = "our own secret key for this test, also long enough " * 2
    assert client.get(foreign).status_code == 403
    assert client.get(media_proxy_path(url=url)).status_code == 200


# --- Types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><script>alert(document.cookie)</script></html>", "text/html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        (b"<html><script>alert(1)</script></html>", "image/png"),  # a page labelled as a photo
        (PNG, "application/octet-stream"),
        (PNG, ""),
    ],
)
def test_anything_but_a_raster_image_is_not_served(
    client, proxy_settings, public, body, content_type
):
    public.routes["/thing"] = lambda handler: handler.answer(
        200, body, **({"Content_Type": content_type} if content_type else {})
    )
    url = public.url("/thing", host="public.test")
    response = client.get(media_proxy_path(url=url))
    assert response.status_code == 415
    assert response["Content-Type"].startswith("text/plain")
    assert body not in response.content and b"<script" not in response.content
    assert_locked_down(response)
    assert not media_cache_path(url).exists()


def test_an_image_over_the_cap_is_not_served(client, proxy_settings, public):
    proxy_settings.MEDIA_PROXY_MAX_BYTES = 1000
    serve(public, "/huge.png", PNG + b"\x00" * 5000, "image/png")
    response = client.get(media_proxy_path(url=public.url("/huge.png", host="public.test")))
    assert response.status_code == 502 and "cap" in response.content.decode()
    assert_locked_down(response)


# --- Paths that try to leave the cache ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/img/..%2f..%2fsettings.py",
        "/img/..%2f..%2f/..%2fsettings.py",
        "/img/sig/..%2f..%2fsettings.py",
        "/img/..%2f../secret_key",
        "/img/%2e%2e/%2e%2e%2fsecret_key",
        "/img/sig/secret_key%00.png",
        "/img/sig%00/aHR0cDovL3B1YmxpYy50ZXN0Lw",
        "/img/%00/%00",
        "/img/sig/%2Fetc%2Fpasswd",
        "/img/sig/..%5c..%5csecret_key",
    ],
)
def test_paths_that_reach_outside_the_cache_are_refused(client, proxy_settings, path, tmp_path):
    cache = Path(proxy_settings.MEDIA_PROXY_CACHE_DIR)
    cache.mkdir(parents=True)
    (tmp_path / "settings.py").write_text("SECRET_KEY = 'do not serve me'")
    (tmp_path / "secret_key").write_text("do not serve me")
    response = client.get(path)
    assert response.status_code in {400, 404}, path
    assert b"do not serve me" not in response.content


@given(st.text(max_size=200))
def test_the_cache_file_of_any_address_is_inside_the_cache(text):  # type: ignore[no-untyped-def]
    """The name is a hash of the whole URL, so no URL can name a file elsewhere."""
    root = media_cache_dir().resolve()
    path = media_cache_path(text).resolve()
    assert path.parent.parent == root and len(path.name) == 64


# --- S1, S3, S4 through the proxy ---------------------------------------------------------

S1_THROUGH_PROXY = [
    "http://127.0.0.1:{port}/photo.png",
    "http://localhost:{port}/photo.png",
    "http://0.0.0.0:{port}/photo.png",
    "http://2130706433:{port}/photo.png",
    "http://0x7f.1:{port}/photo.png",
    "http://[::1]:{port}/photo.png",
    "http://[::ffff:127.0.0.1]:{port}/photo.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1:{port}/photo.png",
    "http://[fd00::1]:{port}/photo.png",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("template", S1_THROUGH_PROXY)
def test_s1_internal_addresses_are_refused_through_the_proxy(
    client, proxy_settings, internal, template
):
    serve(internal, "/photo.png", PNG, "image/png")
    response = client.get(media_proxy_path(url=template.format(port=internal.port)))
    assert response.status_code == 403
    assert response.content.startswith(b"Refused")
    assert_locked_down(response)
    assert internal.accepted == 0


def test_s3_a_redirect_to_an_internal_address_is_refused(client, proxy_settings, public, internal):
    serve(internal, "/photo.png", PNG, "image/png")
    target = internal.url("/photo.png")
    public.routes["/moved.png"] = lambda h: h.answer(302, Location=target)
    response = client.get(media_proxy_path(url=public.url("/moved.png", host="public.test")))
    assert response.status_code == 403
    assert public.paths == ["/moved.png"] and internal.accepted == 0


def test_s4_rebinding_reaches_only_the_checked_address(client, proxy_settings, public, internal):
    proxy_settings.FETCH_RESOLVER = StaticResolver({"rebind.test": ["127.0.0.2", "127.0.0.1"]})
    serve(public, "/photo.png", PNG, "image/png")
    serve(internal, "/photo.png", JPEG, "image/jpeg")
    response = client.get(media_proxy_path(url=public.url("/photo.png", host="rebind.test")))
    assert response.status_code == 200 and body_of(response) == PNG
    assert internal.accepted == 0


def test_s4_rebinding_between_redirect_hops_is_refused(client, proxy_settings, public, internal):
    proxy_settings.FETCH_RESOLVER = StaticResolver({"rebind.test": ["127.0.0.2", "127.0.0.1"]})
    public.routes["/start.png"] = lambda h: h.answer(302, Location="/again.png")
    serve(internal, "/again.png", PNG, "image/png")
    response = client.get(media_proxy_path(url=public.url("/start.png", host="rebind.test")))
    assert response.status_code == 403 and internal.accepted == 0


# --- The cache stays bounded --------------------------------------------------------------


def fill_cache(count: int, size: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = media_cache_path(f"https://img.example/{number}.png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"image/png\n" + b"x" * size)
        stamp = time.time() - 1000 + number  # number 0 is the oldest
        os.utime(path, (stamp, stamp))
        paths.append(path)
    return paths


def test_eviction_deletes_the_oldest_until_under_the_cap_in_batches(proxy_settings):
    paths = fill_cache(10, 1000)
    foreign = media_cache_dir() / "ab" / "notes.txt"
    foreign.parent.mkdir(parents=True, exist_ok=True)
    foreign.write_text("not ours")
    assert media_cache_evict(max_bytes=5500, batch_size=2) == 2
    assert [path.exists() for path in paths[:3]] == [False, False, True]
    assert media_cache_evict(max_bytes=5500, batch_size=100) == 3
    assert [path.exists() for path in paths] == [False] * 5 + [True] * 5
    assert media_cache_evict(max_bytes=5500, batch_size=100) == 0
    assert foreign.exists()  # only the cache's own hash-named files are ever deleted


def test_eviction_drops_images_past_their_age(proxy_settings):
    paths = fill_cache(4, 10)
    assert media_cache_evict(max_bytes=10**9, max_age=998.5) == 2
    assert [path.exists() for path in paths] == [False, False, True, True]


def test_the_periodic_job_keeps_the_cache_under_its_cap(proxy_settings):
    proxy_settings.MEDIA_PROXY_CACHE_MAX_BYTES = 3000
    paths = fill_cache(8, 990)
    media_cache_evict_task.call_local()
    assert sum(path.exists() for path in paths) == 3


# --- Pages use the proxy ------------------------------------------------------------------


def test_the_proxied_filter():
    assert proxied("https://img.example/xi.jpg").startswith("/img/")
    assert proxied("/media/media/2026/11/photo.jpg") == "/media/media/2026/11/photo.jpg"
    for hostile in ("javascript:alert(1)", "data:image/png;base64,AAAA", "//evil.example/x.png"):
        assert proxied(hostile) == ""
    assert proxied("") == "" and proxied(None) == ""


def test_article_pages_and_cards_never_hotlink_remote_photos(client):
    article = story(image=Image(url="https://img.example/xi.jpg", caption="Seen.", credit="AFP"))
    proxy_path = media_proxy_path(url="https://img.example/xi.jpg")
    for page in (client.get(article.get_absolute_url()), client.get("/")):
        html = page.content.decode()
        assert f'<img src="{proxy_path}"' in html
        assert '<img src="https://img.example' not in html
