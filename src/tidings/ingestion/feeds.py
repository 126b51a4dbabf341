"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed) → ``ParsedFeed``.

Pure: bytes in, dataclasses out. feedparser only ever receives an in-memory stream of the
bytes our HTTP client fetched (SECURITY.md S6): given ``bytes`` directly it would first try
them as a file name, so ``b"/etc/passwd"`` would be read from disk. feedparser 6 does not
read JSON Feed, so ``json_feed`` parses that by hand. Whatever
HTML feedparser cleaned is cleaned again by our sanitiser (H1); link fields keep only
http(s) URLs (H4); every string is made storable UTF-8 (R5).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser

from tidings.common.sanitise import (
    html_to_text,
    plain_text,
    safe_link,
    sanitise_html,
    storable_text,
)
from tidings.common.xml import Element, XmlError, child, local_name, parse_xml, text_content
from tidings.ingestion.entries import (
    MAX_ENTRIES,
    assign_identities,
    content_key,
    language_tag,
    normalise_link,
    parse_loose_date,
    text_as_html,
    unique,
)
from tidings.ingestion.feed_bytes import FeedParseError, prepare_feed_bytes
from tidings.ingestion.json_feed import parse_json_feed
from tidings.ingestion.types import FeedEntry, Image, ParsedFeed

__all__ = ["FeedParseError", "content_key", "normalise_link", "parse_feed", "parse_loose_date"]

MAX_FEED_BYTES = 16 * 1024 * 1024
MRSS = "http://search.yahoo.com/mrss/"
HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}


def parse_feed(*, body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a fetched feed document. Raises ``FeedParseError`` when nothing is readable."""
    if not isinstance(body, bytes | bytearray):
        raise FeedParseError(
            f"feed body must be the fetched bytes, not {type(body).__name__}: "
            "URLs and paths are fetched by the guarded HTTP client, never by the parser"
        )
    if len(body) > MAX_FEED_BYTES:
        raise FeedParseError(f"feed is {len(body)} bytes, over the {MAX_FEED_BYTES} cap")
    if not body.strip():
        raise FeedParseError("feed is empty")
    if _looks_like_json(body, content_type):
        return parse_json_feed(bytes(body), url)
    return _parse_xml_feed(bytes(body), url, content_type)


def _looks_like_json(body: bytes, content_type: str) -> bool:
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") or ("json" in content_type.lower() and not head.startswith(b"<"))


# -- RSS and Atom through feedparser ------------------------------------------------------


def _run_feedparser(body: bytes, url: str, content_type: str) -> Any:
    # Without a type feedparser flags every document "NonXMLContentType"; application/xml
    # lets the XML declaration decide the encoding, as it would for a file. No
    # content-location: feedparser would rewrite relative guids into URLs under the feed's
    # address, and every identity would change when the feed moves. We resolve links.
    body, content_type = prepare_feed_bytes(body, content_type)
    headers = {"content-type": content_type or "application/xml"}
    try:
        return feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            resolve_relative_uris=True,
            sanitize_html=True,
        )
    except (RecursionError, MemoryError) as error:
        message = f"feed is too deeply nested or too large: {type(error).__name__}"
        raise FeedParseError(message) from None
    except Exception as error:  # a third-party parser on hostile bytes: any failure is the feed's
        message = f"feed could not be parsed ({type(error).__name__}: {error})"
        raise FeedParseError(message) from error


def _parse_xml_feed(body: bytes, url: str, content_type: str) -> ParsedFeed:
    result = _run_feedparser(body, url, content_type)
    channel = result.get("feed", {})
    version = str(result.get("version") or "")
    warnings = []
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        warnings.append(storable_text(f"{type(problem).__name__}: {problem}"))
    if not version and not result.get("entries") and not channel.get("title"):
        reason = warnings[0] if warnings else "no RSS, Atom, RDF or JSON Feed root element"
        raise FeedParseError(f"not a feed: {reason}")
    feed_language = language_tag(channel.get("language"))
    items = result.get("entries", [])[:MAX_ENTRIES]
    captions = _media_captions(body)
    if len(captions) != len(items):  # cannot pair them up safely
        captions = [(None, None)] * len(items)
    entries = [
        _entry_from_feedparser(item, position, url, media, feed_language)
        for position, (item, media) in enumerate(zip(items, captions, strict=True))
    ]
    return ParsedFeed(
        kind=version or "unknown",
        title=plain_text(channel.get("title"), is_html=_is_html(channel.get("title_detail")))
        or None,
        site_url=safe_link(channel.get("link"), base=url),
        language=feed_language,
        description=plain_text(
            channel.get("subtitle"), is_html=_is_html(channel.get("subtitle_detail"))
        )
        or None,
        entries=assign_identities(entries),
        warnings=warnings,
    )


def _is_html(detail: Any) -> bool:
    return isinstance(detail, dict) and str(detail.get("type", "")).lower() in HTML_TYPES


def _entry_from_feedparser(
    item: Any,
    position: int,
    url: str,
    media: tuple[str | None, str | None],
    feed_language: str | None,
) -> FeedEntry:
    caption, credit = media
    body_html = _feedparser_body(item, caption)
    summary_html = item.get("summary") or ""
    summary_is_html = _is_html(item.get("summary_detail"))
    if not body_html and summary_html:
        body_html = summary_html if summary_is_html else text_as_html(summary_html)
    clean_html = sanitise_html(storable_text(body_html), base_url=url)
    title_detail = item.get("title_detail")
    entry = FeedEntry(
        identity="",
        content_key="",
        position=position,
        guid=storable_text(str(item.get("id") or "")).strip() or None,
        link=safe_link(storable_text(item.get("link")), base=url),
        title=plain_text(item.get("title"), is_html=_is_html(title_detail)) or None,
        summary=plain_text(summary_html, is_html=summary_is_html) or None,
        body_html=clean_html,
        body_text=html_to_text(clean_html),
        published=_feedparser_date(item, "published"),
        updated=_feedparser_date(item, "updated"),
        authors=_feedparser_authors(item),
        categories=unique(
            plain_text(tag.get("label") or tag.get("term"), is_html=False)
            for tag in item.get("tags") or []
        ),
        image=_feedparser_image(item, url, caption, credit),
        language=language_tag((title_detail or {}).get("language")) or feed_language,
    )
    if entry.published is None:
        entry.published, entry.updated = entry.updated, None
    return entry


def _feedparser_body(item: Any, caption: str | None) -> str:
    """The richest HTML body. feedparser files an RSS media:description as text/plain
    content, so text equal to the image caption is not taken for the body."""
    contents = [c for c in item.get("content") or [] if isinstance(c, dict) and c.get("value")]
    html_parts = [c["value"] for c in contents if _is_html(c)]
    text_parts = [
        c["value"]
        for c in contents
        if not _is_html(c) and plain_text(c["value"], is_html=False) != caption
    ]
    if html_parts:
        return max(html_parts, key=len)
    if text_parts:
        return text_as_html(max(text_parts, key=len))
    return ""


def _media_captions(body: bytes) -> list[tuple[str | None, str | None]]:
    """(caption, credit) of each item's Media RSS image, in document order.

    feedparser folds media:description into the entry's summary or content, so captions
    are read from a second, safe parse; feeds that the safe parser refuses (a DTD, say)
    simply have no captions."""
    if MRSS.encode() not in body:
        return []
    try:
        root = parse_xml(body=body, max_bytes=MAX_FEED_BYTES)
    except XmlError:
        return []
    channel = child(root, "channel")
    containers = [root] if channel is None else [root, channel]
    items = [e for c in containers for e in c if local_name(e.tag) in {"item", "entry"}]
    return [_media_caption(element) for element in items]


def _media_caption(item: Element) -> tuple[str | None, str | None]:
    scopes = [
        *(e for e in item.iter(f"{{{MRSS}}}content")),
        *(e for e in item.iter(f"{{{MRSS}}}group")),
        item,
    ]
    caption = credit = None
    for scope in scopes:
        caption = caption or _mrss_text(scope, "description") or _mrss_text(scope, "title")
        credit = credit or _mrss_text(scope, "credit")
    return caption, credit


def _mrss_text(scope: Element, name: str) -> str | None:
    found = scope.find(f"{{{MRSS}}}{name}")
    return plain_text(text_content(found), is_html=False) or None if found is not None else None


def _struct_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, struct_time | tuple) or len(value) < 6:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in value[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _feedparser_date(item: Any, key: str) -> datetime | None:
    parsed = _struct_to_datetime(item.get(f"{key}_parsed"))
    if parsed is None and isinstance(item.get(key), str):
        parsed = parse_loose_date(item[key])  # feedparser reads English names only
    return parsed


def _feedparser_authors(item: Any) -> list[str]:
    names = [
        author.get("name") or "" for author in item.get("authors") or [] if isinstance(author, dict)
    ]
    if not any(names) and item.get("author"):
        names = [item.get("author")]
    return unique(plain_text(name, is_html=False) for name in names)


def _feedparser_image(item: Any, url: str, caption: str | None, credit: str | None) -> Image | None:
    candidates = [
        *(m.get("url") for m in item.get("media_content") or [] if _is_image_media(m)),
        *(link.get("href") for link in item.get("links") or [] if _is_image_enclosure(link)),
        *(m.get("url") for m in item.get("media_thumbnail") or []),
    ]
    for candidate in candidates:
        image_url = safe_link(storable_text(candidate), base=url)
        if image_url:
            credits = [c.get("content") for c in item.get("media_credit") or [] if c.get("content")]
            credit = credit or (plain_text(credits[0], is_html=False) if credits else None)
            return Image(url=image_url, caption=caption, credit=credit or None)
    return None


def _is_image_media(media: Any) -> bool:
    if not isinstance(media, dict):
        return False
    kind = str(media.get("medium") or media.get("type") or "image").lower()
    return kind.startswith("image")


def _is_image_enclosure(link: Any) -> bool:
    return (
        isinstance(link, dict)
        and link.get("rel") == "enclosure"
        and str(link.get("type") or "").lower().startswith("image/")
    )
