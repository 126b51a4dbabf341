"""The media proxy: readers' browsers load remote photos from us, never from the remote host.

``/img/<signature>/<encoded-url>``: the URL is base64url-encoded and signed with an HMAC
keyed from SECRET_KEY, so only addresses our own pages named are fetched (SECURITY.md S7).
Fetches go through the guarded client (S1–S5). Only raster images are served, checked on
both the upstream Content-Type and the first bytes, always with a sandboxing CSP and
``nosniff``. Images are cached under ``<DATA_DIR>/media-cache/`` by the SHA-256 of the
URL, so no part of a request ever becomes a file path.

Settings (optional): MEDIA_PROXY_CACHE_DIR, MEDIA_PROXY_MAX_BYTES (one image),
MEDIA_PROXY_CACHE_MAX_BYTES (the whole cache), MEDIA_PROXY_CACHE_MAX_AGE (seconds),
MEDIA_PROXY_TIMEOUT (seconds).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_safe

from tidings.common.http import BlockedAddressError, FetchError, InvalidURLError, fetch_url

MIB = 1024 * 1024
SIGNING_SALT = "tidings.web.media-proxy"
PROXY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; form-action 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
CACHE_FOREVER = "public, max-age=31536000, immutable"
CACHE_BRIEFLY = "public, max-age=300"
# Raster types only: SVG can carry script, HTML is a page, not a photo.
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,8000}")
_CACHE_NAME = re.compile(r"[0-9a-f]{64}")
_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9"


# --- Signed addresses -------------------------------------------------------------------


def media_proxy_signature(url: str) -> str:
    digest = salted_hmac(SIGNING_SALT, url, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def media_proxy_path(*, url: str) -> str:
    """The proxy path that serves the remote image at ``url`` (http or https)."""
    encoded = base64.urlsafe_b64encode(url.encode("utf-8")).rstrip(b"=").decode("ascii")
    return reverse(
        "web:media-proxy", kwargs={"signature": media_proxy_signature(url), "encoded": encoded}
    )


class ProxyRequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def signed_url_read(*, signature: str, encoded: str) -> str:
    """The URL a proxy path names, or ProxyRequestError (400 malformed, 403 not ours)."""
    if not (_TOKEN.fullmatch(signature) and _TOKEN.fullmatch(encoded)):
        raise ProxyRequestError(400, "Malformed image address.")
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        url = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise ProxyRequestError(400, "Malformed image address.") from None
    if not hmac.compare_digest(signature, media_proxy_signature(url)):
        raise ProxyRequestError(403, "This image address was not signed by this site.")
    return url


# --- What counts as an image ------------------------------------------------------------


def image_type_sniffed(head: bytes) -> str:
    """The raster type the first bytes show, or "" (so a mislabelled page is not served)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return ""


def image_type_checked(*, declared: str, body: bytes) -> str:
    if declared not in IMAGE_TYPES:
        raise ProxyRequestError(415, f"Not served: the remote file is {declared or 'untyped'}.")
    sniffed = image_type_sniffed(body[:32])
    if not sniffed:
        raise ProxyRequestError(415, "Not served: the remote file is not a raster image.")
    return sniffed


# --- The disk cache ---------------------------------------------------------------------


@dataclass(frozen=True)
class CachedImage:
    path: Path
    content_type: str
    offset: int


def media_cache_dir() -> Path:
    configured = getattr(settings, "MEDIA_PROXY_CACHE_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "media-cache"


def media_cache_path(url: str) -> Path:
    # The name is a hash of the whole URL: nothing from the request reaches the file system.
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    return media_cache_dir() / key[:2] / key


def media_cache_read(url: str) -> CachedImage | None:
    path = media_cache_path(url)
    try:
        with path.open("rb") as handle:
            content_type = handle.readline(64).decode("ascii", errors="replace").strip()
            offset = handle.tell()
    except OSError:
        return None
    if content_type not in IMAGE_TYPES:
        return None  # a damaged or foreign file is fetched again, never served
    return CachedImage(path=path, content_type=content_type, offset=offset)


def media_cache_write(*, url: str, content_type: str, body: bytes) -> None:
    """Write atomically (temp file, then rename) so a reader never sees half an image."""
    path = media_cache_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content_type.encode("ascii") + b"\n" + body)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)  # a full disk only costs us the cache


def media_cache_evict(
    *, max_bytes: int | None = None, max_age: float | None = None, batch_size: int = 500
) -> int:
    """Delete cached images older than ``max_age`` and then the least recently written until
    the cache is under ``max_bytes``; at most ``batch_size`` files per call. Returns the
    number deleted (the periodic job calls again while a batch comes back full)."""
    max_bytes = _setting_int("MEDIA_PROXY_CACHE_MAX_BYTES", 512 * MIB, max_bytes)
    if max_age is None:
        max_age = float(getattr(settings, "MEDIA_PROXY_CACHE_MAX_AGE", 30 * 86400))
    entries = sorted(_cache_entries(), key=lambda entry: entry[1])  # oldest first
    total = sum(size for _path, _mtime, size in entries)
    cutoff = time.time() - max_age
    deleted = 0
    for path, mtime, size in entries:
        if deleted >= batch_size or (mtime >= cutoff and total <= max_bytes):
            break
        path.unlink(missing_ok=True)
        total -= size
        deleted += 1
    return deleted


def _cache_entries() -> list[tuple[Path, float, int]]:
    root = media_cache_dir()
    entries = []
    for path in root.glob("[0-9a-f][0-9a-f]/*") if root.is_dir() else ():
        stale_part = path.name.startswith(".part-")
        if not (_CACHE_NAME.fullmatch(path.name) or stale_part):
            continue  # only our own files are ever deleted
        try:
            status = path.lstat()
        except OSError:
            continue
        mtime = 0.0 if stale_part and time.time() - status.st_mtime > 3600 else status.st_mtime
        entries.append((path, mtime, status.st_size))
    return entries


def _setting_int(name: str, default: int, given: float | None) -> int:
    return int(given if given is not None else getattr(settings, name, default))


# --- The view ---------------------------------------------------------------------------


@require_safe
def media_proxy(request: HttpRequest, signature: str, encoded: str) -> HttpResponseBase:
    try:
        url = signed_url_read(signature=signature, encoded=encoded)
        cached = media_cache_read(url)
        if cached is None:
            content_type, body = _fetch_and_cache(url)
            response: HttpResponseBase = HttpResponse(body, content_type=content_type)
        else:
            response = _cached_response(cached)
    except ProxyRequestError as error:
        return _refusal(error.status, str(error))
    response["Cache-Control"] = CACHE_FOREVER
    return _locked_down(response)


def _cached_response(cached: CachedImage) -> FileResponse:
    handle = cached.path.open("rb")
    handle.seek(cached.offset)  # FileResponse counts the length from here
    response = FileResponse(handle, content_type=cached.content_type)
    response["Content-Disposition"] = "inline"
    return response


def _fetch_and_cache(url: str) -> tuple[str, bytes]:
    try:
        fetched = fetch_url(
            url=url,
            purpose="media",
            max_bytes=_setting_int("MEDIA_PROXY_MAX_BYTES", 10 * MIB, None),
            timeout=float(getattr(settings, "MEDIA_PROXY_TIMEOUT", 15.0)),
            headers={"Accept": _ACCEPT},
        )
    except (BlockedAddressError, InvalidURLError) as error:
        raise ProxyRequestError(403, f"Refused: {error.reason}.") from None
    except FetchError as error:
        raise ProxyRequestError(502, f"The image could not be fetched: {error.reason}.") from None
    content_type = image_type_checked(declared=fetched.content_type, body=fetched.body)
    media_cache_write(url=url, content_type=content_type, body=fetched.body)
    return content_type, fetched.body


def _refusal(status: int, message: str) -> HttpResponseBase:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = CACHE_BRIEFLY if status in {403, 415} else "no-store"
    return _locked_down(response)


def _locked_down(response: HttpResponseBase) -> HttpResponseBase:
    for name, value in PROXY_HEADERS.items():
        response[name] = value
    return response
