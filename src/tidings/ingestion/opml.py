"""OPML subscription lists: import (``parse_opml``) and export (``render_opml``).

Parsed through the one safe XML wrapper (no DTDs or entities, SECURITY.md X1/X2), with an
element cap so a 100,000-outline upload is refused quickly rather than walked (X4). Only
http(s) feed URLs survive: ``file://``, ``feed://`` or ``javascript:`` outlines are dropped
before anything could fetch them (S2, S6).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tidings.common.errors import ApplicationError
from tidings.common.sanitise import plain_text, safe_link, storable_text
from tidings.common.xml import (
    Element,
    XmlError,
    XmlTooLargeError,
    child,
    local_name,
    new_element,
    parse_xml,
    render_xml,
)
from tidings.ingestion.types import OutlineFeed

MAX_OPML_BYTES = 8 * 1024 * 1024


class OpmlError(ApplicationError):
    """The upload is not an OPML subscription list we can import."""


def parse_opml(*, body: bytes, limit: int = 5000) -> list[OutlineFeed]:
    """The feeds of an OPML document in document order, de-duplicated, at most ``limit``."""
    try:
        # Folders are outlines too: allow a generous number of them besides the feeds.
        root = parse_xml(body=body, max_bytes=MAX_OPML_BYTES, max_elements=limit * 2 + 1000)
    except XmlTooLargeError as error:
        raise OpmlError(f"OPML refused: more than {limit} feeds ({error})") from error
    except XmlError as error:
        raise OpmlError(f"OPML refused: {error}") from error
    if local_name(root.tag).lower() != "opml":
        raise OpmlError(f"not OPML: root element is <{local_name(root.tag)}>")
    body_element = child(root, "body")
    if body_element is None:
        return []
    feeds: dict[str, OutlineFeed] = {}
    for feed in _walk(body_element):
        feeds.setdefault(feed.xml_url, feed)
        if len(feeds) >= limit:
            break
    return list(feeds.values())


def _attribute(outline: Element, name: str) -> str:
    """OPML writers disagree on case (xmlUrl, xmlurl, XMLURL)."""
    for key, value in outline.attrib.items():
        if local_name(key).lower() == name:
            return value
    return ""


def _outlines(element: Element) -> Iterator[Element]:
    return (item for item in element if local_name(item.tag) == "outline")


def _walk(body: Element) -> Iterator[OutlineFeed]:
    """Feeds in document order, depth first, without recursion (deep nesting cannot
    exhaust the stack)."""
    stack: list[tuple[Iterator[Element], list[str]]] = [(_outlines(body), [])]
    while stack:
        siblings, path = stack[-1]
        outline = next(siblings, None)
        if outline is None:
            stack.pop()
            continue
        label = plain_text(
            _attribute(outline, "title") or _attribute(outline, "text"), is_html=False
        )
        xml_url = safe_link(storable_text(_attribute(outline, "xmlurl")))
        if xml_url:
            yield _outline_feed(outline, xml_url, label, path)
        elif len(outline):
            stack.append((_outlines(outline), [*path, label] if label else path))


def _outline_feed(outline: Element, xml_url: str, label: str, path: list[str]) -> OutlineFeed:
    categories = path
    if not categories:
        # A flat list may carry folders in the category attribute instead: "/News/World".
        first = _attribute(outline, "category").split(",")[0]
        categories = [plain_text(part, is_html=False) for part in first.split("/") if part.strip()]
    return OutlineFeed(
        xml_url=xml_url,
        title=label or None,
        html_url=safe_link(storable_text(_attribute(outline, "htmlurl"))),
        categories=categories,
    )


def render_opml(*, feeds: Iterable[OutlineFeed], title: str) -> bytes:
    """OPML 2.0 with one folder outline per category path, feeds in the order given."""
    root = new_element("opml", {"version": "2.0"})
    head = new_element("head")
    head_title = new_element("title")
    head_title.text = storable_text(title)
    head.append(head_title)
    body = new_element("body")
    root.extend([head, body])
    folders: dict[tuple[str, ...], Element] = {(): body}
    for feed in feeds:
        parent = _folder(folders, tuple(storable_text(c) for c in feed.categories))
        attributes = {"type": "rss", "text": storable_text(feed.title or feed.xml_url)}
        attributes["title"] = attributes["text"]
        attributes["xmlUrl"] = storable_text(feed.xml_url)
        if feed.html_url:
            attributes["htmlUrl"] = storable_text(feed.html_url)
        parent.append(new_element("outline", attributes))
    return render_xml(root)


def _folder(folders: dict[tuple[str, ...], Element], path: tuple[str, ...]) -> Element:
    if path not in folders:
        parent = _folder(folders, path[:-1])
        folder = new_element("outline", {"text": path[-1], "title": path[-1]})
        parent.append(folder)
        folders[path] = folder
    return folders[path]
