"""News-agency wire items: IPTC ninjs (JSON, 1.x and 2.x) and NewsML-G2 (XML) → ``WireItem``.

Pure: bytes in, dataclasses out. NewsML-G2 goes through the one safe XML wrapper
(defusedxml, no DTDs or entities). Bodies are sanitised like every other stored HTML; a
``pubstatus`` of "canceled" marks a retraction the store must honour.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

from dateutil import parser as date_parser

from tidings.common.errors import ApplicationError
from tidings.common.sanitise import (
    html_to_text,
    plain_text,
    safe_link,
    sanitise_html,
    storable_text,
)
from tidings.common.xml import (
    Element,
    XmlError,
    child,
    child_text,
    children,
    local_name,
    parse_xml,
    serialise_children,
    text_content,
)
from tidings.ingestion.types import ExtractedArticle, Image, WireItem

MAX_WIRE_BYTES = 16 * 1024 * 1024
MAX_WIRE_ITEMS = 1000
HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}


class WireParseError(ApplicationError):
    """The wire document cannot be read; the message says why."""


# -- shared helpers -----------------------------------------------------------------------


def _text(value: Any) -> str:
    return plain_text(value, is_html=False) if isinstance(value, str) else ""


def _date(value: Any) -> datetime | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 64:
        return None
    try:
        parsed = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body_from_text(text: str) -> str:
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


# -- ninjs --------------------------------------------------------------------------------


def parse_ninjs(*, body: bytes) -> list[WireItem]:
    """One ninjs object, or a JSON array of them, → wire items."""
    if not isinstance(body, bytes | bytearray):
        raise WireParseError(f"ninjs must be given as bytes, not {type(body).__name__}")
    if len(body) > MAX_WIRE_BYTES:
        raise WireParseError(f"ninjs document is over the {MAX_WIRE_BYTES} byte cap")
    try:
        document = json.loads(bytes(body).decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError) as error:
        raise WireParseError(f"ninjs is not valid JSON: {type(error).__name__}") from None
    objects = document if isinstance(document, list) else [document]
    items = [_ninjs_item(obj) for obj in objects[:MAX_WIRE_ITEMS] if isinstance(obj, dict)]
    if not items:
        raise WireParseError("ninjs document holds no item object")
    return items


def _ninjs_item(obj: dict[str, Any]) -> WireItem:
    uri = _text(obj.get("uri"))
    if not uri:
        raise WireParseError("ninjs item has no uri")
    body_html = _ninjs_body_html(obj)
    first_created = _date(obj.get("firstcreated"))
    version_created = _date(obj.get("versioncreated"))
    article = ExtractedArticle(
        headline=_ninjs_headline(obj),
        standfirst=_ninjs_standfirst(obj),
        bylines=_ninjs_bylines(obj),
        agency=_ninjs_agency(obj),
        published=first_created or version_created,
        updated=version_created if first_created else None,
        language=_text(obj.get("language")) or None,
        topics=_unique([_text(s.get("name")) for s in _dicts(obj, "subject", "subjects")]),
        image=_ninjs_picture(obj),
        body_html=body_html,
        body_text=html_to_text(body_html),
    )
    return WireItem(
        external_id=uri,
        article=article,
        version=_text(str(obj["version"])) if "version" in obj else None,
        retracted=_text(obj.get("pubstatus")).lower() == "canceled",
        slugline=_text(obj.get("slugline")) or None,
        located=_text(obj.get("located")) or None,
        urgency=obj.get("urgency") if isinstance(obj.get("urgency"), int) else None,
    )


def _dicts(obj: dict[str, Any], *keys: str) -> list[dict[str, Any]]:
    """The dict members of whichever of these keys holds a list (1.x and 2.x names)."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list):
            return [v for v in value if isinstance(v, dict)]
    return []


def _by_role(entries: list[dict[str, Any]], roles: tuple[str, ...]) -> dict[str, Any] | None:
    for role in roles:
        for entry in entries:
            if entry.get("role") == role and entry.get("value"):
                return entry
    return next((entry for entry in entries if entry.get("value")), None)


def _ninjs_headline(obj: dict[str, Any]) -> str | None:
    entry = _by_role(_dicts(obj, "headlines"), ("main", "headline"))
    return _text(obj.get("headline")) or (_text(entry["value"]) if entry else "") or None


def _ninjs_standfirst(obj: dict[str, Any]) -> str | None:
    if obj.get("description_text"):
        return _text(obj["description_text"]) or None
    if isinstance(obj.get("description_html"), str):
        return plain_text(obj["description_html"], is_html=True) or None
    entry = _by_role(_dicts(obj, "descriptions"), ("summary", "text", "main"))
    if not entry:
        return None
    is_html = str(entry.get("contenttype", "")).lower() in HTML_TYPES
    return plain_text(storable_text(str(entry["value"])), is_html=is_html) or None


def _ninjs_body_html(obj: dict[str, Any]) -> str:
    for key in ("body_html", "body_xhtml"):
        if isinstance(obj.get(key), str) and obj[key].strip():
            return sanitise_html(storable_text(obj[key]))
    bodies = _dicts(obj, "bodies")
    html_bodies = [b for b in bodies if str(b.get("contenttype", "")).lower() in HTML_TYPES]
    entry = _by_role(html_bodies, ("main", "html5", "html"))
    if entry and isinstance(entry["value"], str):
        return sanitise_html(storable_text(entry["value"]))
    text_bodies = [b for b in bodies if str(b.get("contenttype", "text/plain")) == "text/plain"]
    entry = _by_role(text_bodies, ("main", "text"))
    text = entry["value"] if entry else obj.get("body_text")
    return _body_from_text(storable_text(text)) if isinstance(text, str) else ""


def _ninjs_bylines(obj: dict[str, Any]) -> list[str]:
    names = [_text(b.get("byline") or b.get("name")) for b in _dicts(obj, "bylines")]
    return _unique([*names, _text(obj.get("byline"))])


def _ninjs_agency(obj: dict[str, Any]) -> str | None:
    sources = _dicts(obj, "infosources", "infosource")
    preferred = [s for s in sources if "source" in str(s.get("role", ""))] or sources
    names = [_text(s.get("name")) for s in preferred]
    return next((n for n in names if n), None) or _text(obj.get("copyrightholder")) or None


def _ninjs_associations(obj: dict[str, Any]) -> list[dict[str, Any]]:
    associations = obj.get("associations")
    if isinstance(associations, dict):  # 1.x: {"featureimage": {...}}
        return [v for v in associations.values() if isinstance(v, dict)]
    return _dicts(obj, "associations")  # 2.x: [{"name": "featureimage", ...}]


def _width(rendition: dict[str, Any]) -> int:
    width = rendition.get("width")
    return width if isinstance(width, int) else 0


def _ninjs_picture(obj: dict[str, Any]) -> Image | None:
    for association in _ninjs_associations(obj):
        if association.get("type") not in {"picture", "graphic", None}:
            continue
        renditions = association.get("renditions")
        if isinstance(renditions, dict):
            renditions = list(renditions.values())
        candidates = [r for r in renditions or [] if isinstance(r, dict)]
        candidates.sort(key=_width)
        urls = [safe_link(_text(r.get("href"))) for r in reversed(candidates)]
        url = next((u for u in urls if u), None)
        if url:
            caption = _text(association.get("description_text")) or _text(
                association.get("headline")
            )
            credit = (
                _text(association.get("creditline"))
                or _text(association.get("by"))
                or _text(association.get("copyrightholder"))
            )
            return Image(url=url, caption=caption or None, credit=credit or None)
    return None


# -- NewsML-G2 ----------------------------------------------------------------------------


def parse_newsml_g2(*, body: bytes) -> list[WireItem]:
    """A ``newsItem``, or a ``newsMessage`` of several, → wire items for the text items.

    Pictures sent in the same message become the lead image of the text item that links
    to them (or of the only text item)."""
    try:
        root = parse_xml(body=body, max_bytes=MAX_WIRE_BYTES, max_elements=200_000)
    except XmlError as error:
        raise WireParseError(f"NewsML-G2 refused: {error}") from error
    news_items = _g2_news_items(root)
    if not news_items:
        raise WireParseError(f"not NewsML-G2: root element is <{local_name(root.tag)}>")
    pictures = {
        item.get("guid", ""): _g2_picture(item)
        for item in news_items
        if _g2_item_class(item) in {"picture", "graphic"}
    }
    texts = [item for item in news_items if _g2_item_class(item) not in {"picture", "graphic"}]
    parsed = [_g2_item(item, pictures, lone=len(texts) == 1) for item in texts[:MAX_WIRE_ITEMS]]
    if not parsed:
        raise WireParseError("NewsML-G2 document holds no text item")
    return parsed


def _g2_news_items(root: Element) -> list[Element]:
    if local_name(root.tag) == "newsItem":
        return [root]
    if local_name(root.tag) != "newsMessage":
        return []
    return [
        item for item_set in children(root, "itemSet") for item in children(item_set, "newsItem")
    ]


def _g2_item_class(item: Element) -> str:
    meta = child(item, "itemMeta")
    item_class = child(meta, "itemClass") if meta is not None else None
    qcode = item_class.get("qcode", "") if item_class is not None else ""
    return qcode.rsplit(":", 1)[-1].lower()


def _g2_name(element: Element | None) -> str:
    """A G2 concept's label: its ``<name>`` child, its ``literal``, or its own text."""
    if element is None:
        return ""
    name = child_text(element, "name") or element.get("literal") or text_content(element)
    return plain_text(name, is_html=False)


def _g2_item(item: Element, pictures: dict[str, Image | None], *, lone: bool) -> WireItem:
    guid = plain_text(item.get("guid"), is_html=False)
    if not guid:
        raise WireParseError("NewsML-G2 newsItem has no guid")
    meta = child(item, "itemMeta")
    content = child(item, "contentMeta")
    meta = meta if meta is not None else Element("itemMeta")
    content = content if content is not None else Element("contentMeta")
    body_html = _g2_body_html(item)
    article = _g2_article(item, meta, content, body_html)
    article.image = _g2_linked_picture(meta, pictures, lone=lone)
    status = child(meta, "pubStatus")
    urgency = child_text(content, "urgency") or ""
    return WireItem(
        external_id=guid,
        article=article,
        version=item.get("version"),
        retracted=status is not None and status.get("qcode", "").endswith("canceled"),
        slugline=_g2_name(child(content, "slugline")) or None,
        dateline=_g2_name(child(content, "dateline")) or None,
        located=_g2_name(child(content, "located")) or None,
        urgency=int(urgency) if urgency.isdigit() else None,
    )


def _g2_article(item: Element, meta: Element, content: Element, body_html: str) -> ExtractedArticle:
    first_created = _date(child_text(meta, "firstCreated"))
    version_created = _date(child_text(meta, "versionCreated"))
    headlines = list(children(content, "headline"))
    main = [h for h in headlines if h.get("role", "").endswith("main")] or headlines
    descriptions = list(children(content, "description"))
    summary = [d for d in descriptions if "summary" in d.get("role", "")] or descriptions
    language = child(content, "language")
    lang_attr = "{http://www.w3.org/XML/1998/namespace}lang"
    return ExtractedArticle(
        headline=_g2_name(main[0]) if main else child_text(meta, "title"),
        standfirst=_g2_name(summary[0]) if summary else None,
        bylines=_unique([_g2_name(by) for by in children(content, "by")]),
        agency=_g2_agency(content),
        published=first_created or version_created,
        updated=version_created if first_created else None,
        language=(language.get("tag") if language is not None else None) or item.get(lang_attr),
        topics=_unique([_g2_name(subject) for subject in children(content, "subject")]),
        body_html=body_html,
        body_text=html_to_text(body_html),
    )


def _g2_agency(content: Element) -> str | None:
    credit = _g2_name(child(content, "creditline"))
    sources = [s for s in children(content, "infoSource") if "source" in s.get("role", "")]
    return credit or (_g2_name(sources[0]) if sources else "") or None


def _g2_body_html(item: Element) -> str:
    content_set = child(item, "contentSet")
    if content_set is None:
        return ""
    inline = child(content_set, "inlineXML")
    if inline is not None:
        body = next((e for e in inline.iter() if local_name(e.tag) == "body"), inline)
        return sanitise_html(storable_text(serialise_children(body)))
    data = child(content_set, "inlineData")
    if data is not None:
        return _body_from_text(storable_text(data.text or ""))
    return ""


def _g2_picture(item: Element) -> Image | None:
    content_set = child(item, "contentSet")
    remote = list(children(content_set, "remoteContent")) if content_set is not None else []
    remote.sort(key=lambda r: int(r.get("width", "0")) if r.get("width", "").isdigit() else 0)
    url = next((u for u in (safe_link(r.get("href")) for r in reversed(remote)) if u), None)
    if not url:
        return None
    content = child(item, "contentMeta")
    if content is None:
        return Image(url=url)
    caption = _g2_name(child(content, "description")) or _g2_name(child(content, "headline"))
    credit = _g2_name(child(content, "creditline")) or _g2_name(child(content, "by"))
    return Image(url=url, caption=caption or None, credit=credit or None)


def _g2_linked_picture(
    meta: Element, pictures: dict[str, Image | None], *, lone: bool
) -> Image | None:
    for link in children(meta, "link"):
        image = pictures.get(link.get("residref", ""))
        if image:
            return image
    if lone:
        return next((image for image in pictures.values() if image), None)
    return None
