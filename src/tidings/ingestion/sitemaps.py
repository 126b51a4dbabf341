"""Sitemaps (``urlset``, ``sitemapindex``, Google News ``news:``, plain-text lists).

Parsed through the one safe XML wrapper. Gzipped sitemaps (``.xml.gz`` served as a file
rather than with Content-Encoding) are inflated here with a length cap, so a small bomb
cannot expand past ``MAX_SITEMAP_BYTES`` (the same defence as R1).
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from dateutil import parser as date_parser

from tidings.common.errors import ApplicationError
from tidings.common.sanitise import plain_text, safe_link, storable_text
from tidings.common.xml import Element, XmlError, child, child_text, local_name, parse_xml
from tidings.ingestion.types import NewsSitemapItem, ParsedSitemap, SitemapEntry

# The sitemaps protocol caps a file at 50,000 URLs and 50 MB uncompressed.
MAX_SITEMAP_BYTES = 52 * 1024 * 1024
ELEMENTS_PER_URL = 16  # url, loc, lastmod, news:news with its children, an image or two


class SitemapError(ApplicationError):
    """The document is not a sitemap we can read."""


def parse_sitemap(*, body: bytes, limit: int = 50_000) -> ParsedSitemap:
    """Article URLs (urlset) or further sitemaps (sitemapindex), at most ``limit``."""
    body = _inflate(body)
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _parse_text_sitemap(body, limit)
    try:
        root = parse_xml(
            body=body, max_bytes=MAX_SITEMAP_BYTES, max_elements=limit * ELEMENTS_PER_URL + 64
        )
    except XmlError as error:
        raise SitemapError(f"sitemap refused: {error}") from error
    kind = local_name(root.tag)
    if kind not in {"urlset", "sitemapindex"}:
        raise SitemapError(f"not a sitemap: root element is <{kind}>")
    member = "url" if kind == "urlset" else "sitemap"
    entries: list[SitemapEntry] = []
    truncated = False
    for element in root:
        if local_name(element.tag) != member:
            continue
        entry = _entry(element)
        if entry is None:
            continue
        if len(entries) >= limit:
            truncated = True
            break
        entries.append(entry)
    return ParsedSitemap(kind=kind, entries=entries, truncated=truncated)


def _inflate(body: bytes) -> bytes:
    if not isinstance(body, bytes | bytearray):
        raise SitemapError(f"sitemap must be given as bytes, not {type(body).__name__}")
    if not body.startswith(b"\x1f\x8b"):
        return bytes(body)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(body, MAX_SITEMAP_BYTES + 1)
    except zlib.error as error:
        raise SitemapError(f"sitemap is not valid gzip: {error}") from error
    if len(inflated) > MAX_SITEMAP_BYTES or inflater.unconsumed_tail:
        raise SitemapError(f"gzipped sitemap inflates past {MAX_SITEMAP_BYTES} bytes")
    return inflated


def _parse_text_sitemap(body: bytes, limit: int) -> ParsedSitemap:
    """The protocol's plain-text form: one URL per line."""
    lines = body.decode("utf-8", "replace").splitlines()
    urls = [url for url in (safe_link(storable_text(line.strip())) for line in lines) if url]
    if not urls:
        raise SitemapError("not a sitemap: neither XML nor a list of http(s) URLs")
    entries = [SitemapEntry(url=url) for url in urls[:limit]]
    return ParsedSitemap(kind="urlset", entries=entries, truncated=len(urls) > limit)


def _date(value: str | None) -> datetime | None:
    text = (value or "").strip()
    if not text or len(text) > 64:
        return None
    try:
        parsed = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _entry(element: Element) -> SitemapEntry | None:
    url = safe_link(storable_text(child_text(element, "loc")))
    if not url:
        return None
    priority_text = child_text(element, "priority") or ""
    try:
        priority: float | None = min(max(float(priority_text), 0.0), 1.0)
    except ValueError:
        priority = None
    image = child(element, "image")
    return SitemapEntry(
        url=url,
        lastmod=_date(child_text(element, "lastmod")),
        changefreq=(child_text(element, "changefreq") or "").lower()[:16] or None,
        priority=priority,
        news=_news(child(element, "news")),
        image_url=safe_link(storable_text(child_text(image, "loc"))) if image is not None else None,
    )


def _news(news: Element | None) -> NewsSitemapItem | None:
    if news is None:
        return None
    publication = child(news, "publication")
    name = child_text(publication, "name") if publication is not None else None
    language = child_text(publication, "language") if publication is not None else None
    keywords = (child_text(news, "keywords") or "").split(",")
    return NewsSitemapItem(
        publication_name=plain_text(name, is_html=False) or None,
        publication_language=plain_text(language, is_html=False).lower() or None,
        published=_date(child_text(news, "publication_date")),
        title=plain_text(child_text(news, "title"), is_html=False) or None,
        keywords=[k for k in (plain_text(k, is_html=False) for k in keywords) if k],
    )
