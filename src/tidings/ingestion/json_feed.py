"""JSON Feed 1.0/1.1 → ``ParsedFeed``, parsed by hand: feedparser 6 does not read it.

Every field is type-checked (a hostile document may put a list where a string belongs),
the document's size is capped by the caller and its nesting depth here, and
``content_text`` stays text even when it looks like markup (SECURITY.md H3).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tidings.common.sanitise import (
    html_to_text,
    plain_text,
    safe_link,
    sanitise_html,
    storable_text,
)
from tidings.ingestion.entries import (
    MAX_ENTRIES,
    assign_identities,
    language_tag,
    parse_loose_date,
    text_as_html,
    unique,
)
from tidings.ingestion.feed_bytes import FeedParseError
from tidings.ingestion.types import FeedEntry, Image, ParsedFeed

MAX_JSON_DEPTH = 64


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


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    document = _load_json(body)
    if not isinstance(document, dict) or not isinstance(document.get("items", []), list):
        raise FeedParseError("not a JSON Feed: the document has no items list")
    version = _json_str(document.get("version"))
    if "jsonfeed.org/version/" not in version and "items" not in document:
        raise FeedParseError("not a JSON Feed: no jsonfeed.org version and no items")
    language = language_tag(document.get("language"))
    items = [item for item in document.get("items", []) if isinstance(item, dict)]
    entries = [
        _entry_from_json(item, position, url, language)
        for position, item in enumerate(items[:MAX_ENTRIES])
    ]
    return ParsedFeed(
        kind="json" + version.rsplit("/", 1)[-1] if version else "json",
        title=plain_text(_json_str(document.get("title")), is_html=False) or None,
        site_url=safe_link(_json_str(document.get("home_page_url")), base=url),
        language=language,
        description=plain_text(_json_str(document.get("description")), is_html=False) or None,
        entries=assign_identities(entries),
    )


def _json_str(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return storable_text(value) if isinstance(value, str) else ""


def _entry_from_json(
    item: dict[str, Any], position: int, url: str, feed_language: str | None
) -> FeedEntry:
    content_html = _json_str(item.get("content_html"))
    content_text = _json_str(item.get("content_text"))
    # content_text is text, even when it looks like markup (H3).
    if content_html:
        body_html = sanitise_html(content_html, base_url=url)
    else:
        body_html = text_as_html(content_text)
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
        categories=unique(plain_text(_json_str(tag), is_html=False) for tag in _list(item, "tags")),
        image=_json_image(item, url),
        language=language_tag(item.get("language")) or feed_language,
    )
    if entry.published is None:
        entry.published, entry.updated = entry.updated, None
    return entry


def _list(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    return value if isinstance(value, list) else []


def _json_date(value: Any) -> datetime | None:
    return parse_loose_date(_json_str(value))


def _json_authors(item: dict[str, Any]) -> list[str]:
    authors = _list(item, "authors") or [item.get("author")]
    names = (_json_str(a.get("name")) for a in authors if isinstance(a, dict))
    return unique(plain_text(name, is_html=False) for name in names)


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
