"""Feed autodiscovery: which feed URLs a web page declares, plus common paths to try.

Pure: the page's HTML in, candidate URLs out (the caller fetches them through the guarded
client and keeps the first that ``parse_feed`` accepts). Only http(s) URLs are returned.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from tidings.common.sanitise import run_html_parser, safe_link

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/x.atom+xml",
    "application/x-atom+xml",
    "application/x-rss+xml",
}
# application/json alternates are usually REST endpoints (WordPress /wp-json/...), so they
# count only when they say they are a feed.
JSON_TYPES = {"application/json"}
COMMON_FEED_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
    "/?feed=rss2",
)
MAX_HTML_CHARS = 2_000_000  # feed links live in <head>; no need to read a huge page whole


class _FeedLinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and attributes.get("href"):
            self.base = attributes["href"]
        elif tag in {"link", "a"} and _declares_feed(attributes):
            self.links.append(attributes.get("href", ""))

    handle_startendtag = handle_starttag


def _declares_feed(attributes: dict[str, str]) -> bool:
    rels = attributes.get("rel", "").lower().split()
    kind = attributes.get("type", "").lower().split(";")[0].strip()
    if "alternate" not in rels or not attributes.get("href"):
        return False
    if kind in FEED_TYPES:
        return True
    hint = (attributes.get("href", "") + " " + attributes.get("title", "")).lower()
    return kind in JSON_TYPES and "feed" in hint


def _joined(base: str, href: str) -> str | None:
    try:
        return urljoin(base, href.strip())
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None


def discover_feeds(*, html: bytes | str, url: str, include_guesses: bool = True) -> list[str]:
    """Declared feeds first (in page order), then the common paths on the page's host."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes | bytearray) else html
    collector = _FeedLinkCollector()
    run_html_parser(collector, text[:MAX_HTML_CHARS])
    base = url
    declared_base = safe_link(collector.base, base=url) if collector.base else None
    if declared_base:
        base = declared_base
    # Scheme-relative hrefs ("//host/feed") are common here and mean the page's scheme.
    found = [safe_link(href) or safe_link(_joined(base, href)) for href in collector.links]
    if include_guesses and safe_link(url):
        found += [safe_link(_joined(url, path)) for path in COMMON_FEED_PATHS]
    unique: dict[str, None] = {}
    for candidate in found:
        if candidate and candidate != url:
            unique.setdefault(candidate, None)
    return list(unique)
