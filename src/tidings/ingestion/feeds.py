"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed) → ``ParsedFeed``.

Pure: bytes in, dataclasses out. feedparser only ever receives an in-memory stream of the
bytes our HTTP client fetched (SECURITY.md S6): given ``bytes`` directly it would first try
them as a file name, so ``b"/etc/passwd"`` would be read from disk. feedparser 6 does not
read JSON Feed, so that is parsed here with ``json`` under size and depth caps. Whatever
HTML feedparser cleaned is cleaned again by our sanitiser (H1); link fields keep only
http(s) URLs (H4); every string is made storable UTF-8 (R5).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from time import struct_time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
from dateutil import parser as date_parser

from tidings.common.sanitise import (
    html_to_text,
    plain_text,
    safe_link,
    sanitise_html,
    storable_text,
)
from tidings.common.xml import Element, XmlError, child, local_name, parse_xml, text_content
from tidings.ingestion.feed_bytes import FeedParseError, prepare_feed_bytes
from tidings.ingestion.types import FeedEntry, Image, ParsedFeed

MAX_FEED_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_JSON_DEPTH = 64
MRSS = "http://search.yahoo.com/mrss/"
HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}
TRACKING_PARAMS = {"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ns_mchannel"}
_MONTHS = {
    name: english
    for english, names in {
        "Jan": "gen genn janv jän jänner ene enero janeiro januari januar gennaio janvier",
        "Feb": "febbr févr fév fevr fevereiro febrero februari februar febbraio février",
        "Mar": "mär märz mars marzo março maart",
        "Apr": "avr aprile avril abr abril",
        "May": "mai mag maggio mayo maio mei",
        "Jun": "giu giugno juin jui junio junho juni",
        "Jul": "lug luglio juil juillet julio julho juli",
        "Aug": "ago agosto août aoû agosto augustus",
        "Sep": "set sett settembre sept septembre septiembre setembro september",
        "Oct": "ott ottobre okt oktober octobre octubre out outubro",
        "Nov": "novembre noviembre novembro november",
        "Dec": "dic dicembre déc décembre dez dezember diciembre dezembro dec december",
    }.items()
    for name in names.split()
}


@dataclass
class _Draft:
    """An entry before identities are assigned (they depend on the whole document)."""

    entry: FeedEntry


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
        return _parse_json_feed(bytes(body), url)
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
    feed_language = _language(channel.get("language"))
    items = result.get("entries", [])[:MAX_ENTRIES]
    captions = _media_captions(body)
    if len(captions) != len(items):  # cannot pair them up safely
        captions = [(None, None)] * len(items)
    drafts = [
        _draft_from_feedparser(item, position, url, media, feed_language)
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
        entries=_assign_identities(drafts),
        warnings=warnings,
    )


def _is_html(detail: Any) -> bool:
    return isinstance(detail, dict) and str(detail.get("type", "")).lower() in HTML_TYPES


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return storable_text(value.strip().replace("_", "-").lower())[:35] or None


def _draft_from_feedparser(
    item: Any,
    position: int,
    url: str,
    media: tuple[str | None, str | None],
    feed_language: str | None,
) -> _Draft:
    caption, credit = media
    body_html = _feedparser_body(item, caption)
    summary_html = item.get("summary") or ""
    summary_is_html = _is_html(item.get("summary_detail"))
    if not body_html and summary_html:
        body_html = summary_html if summary_is_html else _text_as_html(summary_html)
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
        categories=_unique(
            plain_text(tag.get("label") or tag.get("term"), is_html=False)
            for tag in item.get("tags") or []
        ),
        image=_feedparser_image(item, url, caption, credit),
        language=_language((title_detail or {}).get("language")) or feed_language,
    )
    if entry.published is None:
        entry.published, entry.updated = entry.updated, None
    return _Draft(entry=entry)


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
        return _text_as_html(max(text_parts, key=len))
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


def _text_as_html(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)


def parse_loose_date(text: str | None) -> datetime | None:
    """RFC 3339, else RFC 822 with English or common European day and month names
    ("mer, 16 nov 2022 00:38:15 +0100"), as time-zone-aware UTC-or-offset datetimes."""
    text = (text or "").strip()
    if not text or len(text) > 80:
        return None
    try:
        parsed = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        parsed = _parse_rfc822(text)
    if parsed is None:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _parse_rfc822(text: str) -> datetime | None:
    words = text.replace(",", " ").split()
    if words and not words[0][0].isdigit():
        words = words[1:]  # the day name, in whatever language
    words = [_MONTHS.get(word.lower().rstrip("."), word) for word in words]
    try:
        return parsedate_to_datetime(" ".join(words))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


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
    return _unique(plain_text(name, is_html=False) for name in names)


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


# -- JSON Feed ----------------------------------------------------------------------------


def _load_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("utf-8", "replace")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise FeedParseError(f"JSON Feed is not valid JSON: {type(error).__name__}") from None
    if _json_depth(document) > MAX_JSON_DEPTH:
        raise FeedParseError(f"JSON Feed is nested deeper than {MAX_JSON_DEPTH} levels")
    return document


def _json_depth(document: Any) -> int:
    """Depth without recursion, so a hostile document cannot blow the stack."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    document = _load_json(body)
    if not isinstance(document, dict) or not isinstance(document.get("items", []), list):
        raise FeedParseError("not a JSON Feed: the document has no items list")
    version = _json_str(document.get("version"))
    if "jsonfeed.org/version/" not in version and "items" not in document:
        raise FeedParseError("not a JSON Feed: no jsonfeed.org version and no items")
    language = _language(document.get("language"))
    items = [item for item in document.get("items", []) if isinstance(item, dict)]
    drafts = [
        _draft_from_json(item, position, url, language)
        for position, item in enumerate(items[:MAX_ENTRIES])
    ]
    return ParsedFeed(
        kind="json" + version.rsplit("/", 1)[-1] if version else "json",
        title=plain_text(_json_str(document.get("title")), is_html=False) or None,
        site_url=safe_link(_json_str(document.get("home_page_url")), base=url),
        language=language,
        description=plain_text(_json_str(document.get("description")), is_html=False) or None,
        entries=_assign_identities(drafts),
    )


def _json_str(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return storable_text(value) if isinstance(value, str) else ""


def _draft_from_json(
    item: dict[str, Any], position: int, url: str, feed_language: str | None
) -> _Draft:
    content_html = _json_str(item.get("content_html"))
    content_text = _json_str(item.get("content_text"))
    # content_text is text, even when it looks like markup (H3).
    if content_html:
        body_html = sanitise_html(content_html, base_url=url)
    else:
        body_html = _text_as_html(content_text)
    link = _json_str(item.get("url")) or _json_str(item.get("external_url"))
    entry = FeedEntry(
        identity="",
        content_key="",
        position=position,
        guid=_json_str(item.get("id")).strip() or None,
        link=safe_link(link, base=url),
        title=plain_text(_json_str(item.get("title")), is_html=False) or None,
        summary=plain_text(_json_str(item.get("summary")), is_html=False) or None,
        body_html=body_html,
        body_text=html_to_text(body_html) if content_html else storable_text(content_text),
        published=_json_date(item.get("date_published")),
        updated=_json_date(item.get("date_modified")),
        authors=_json_authors(item),
        categories=_unique(
            plain_text(_json_str(tag), is_html=False) for tag in _list(item, "tags")
        ),
        image=_json_image(item, url),
        language=_language(item.get("language")) or feed_language,
    )
    if entry.published is None:
        entry.published, entry.updated = entry.updated, None
    return _Draft(entry=entry)


def _list(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    return value if isinstance(value, list) else []


def _json_date(value: Any) -> datetime | None:
    return parse_loose_date(_json_str(value))


def _json_authors(item: dict[str, Any]) -> list[str]:
    authors = _list(item, "authors") or [item.get("author")]
    names = (_json_str(a.get("name")) for a in authors if isinstance(a, dict))
    return _unique(plain_text(name, is_html=False) for name in names)


def _json_image(item: dict[str, Any], url: str) -> Image | None:
    attachments = [
        a.get("url")
        for a in _list(item, "attachments")
        if isinstance(a, dict) and _json_str(a.get("mime_type")).startswith("image/")
    ]
    for candidate in (item.get("image"), item.get("banner_image"), *attachments):
        image_url = safe_link(_json_str(candidate), base=url)
        if image_url:
            return Image(url=image_url)
    return None


# -- identity (R8) ------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8", "replace")).hexdigest()


def _base_identity(entry: FeedEntry) -> tuple[str, str]:
    """(hash, what it hashed): guid, else link, else title+content."""
    if entry.guid:
        return _digest(entry.guid), entry.guid
    if entry.link:
        return _digest(entry.link), entry.link
    return _digest((entry.title or "") + (entry.body_text or entry.summary or "")), ""


def _assign_identities(drafts: list[_Draft]) -> list[FeedEntry]:
    """The first entry to claim an identity keeps it; later duplicates in the same document
    add the link, then the position, so a repeated guid never drops or merges an entry."""
    taken: set[str] = set()
    entries = []
    for draft in drafts:
        entry = draft.entry
        identity, key = _base_identity(entry)
        if identity in taken and entry.link and key != entry.link:
            identity = _digest(key, entry.link)
        if identity in taken:
            identity = _digest(key, str(entry.position))
        taken.add(identity)
        entry.identity = identity
        entry.content_key = content_key(entry)
        entries.append(entry)
    return entries


def content_key(entry: FeedEntry) -> str:
    """A key that survives guid rotation: the normalised link, else title+content."""
    if entry.link:
        return _digest("link", normalise_link(entry.link))
    return _digest("text", " ".join((entry.title or "").split()), entry.body_text or "")


def normalise_link(url: str) -> str:
    """Scheme, ``www.``, fragment, trailing slash and tracking parameters do not make a
    different article."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None  # safe_link refuses such URLs; a caller's own link may still have one
    if port:
        host = f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    )
    return urlunsplit(("", host, parts.path.rstrip("/") or "/", urlencode(query), ""))


def _unique(values: Any) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept
