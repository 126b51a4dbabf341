"""The one HTML sanitiser every stored body passes through (nh3, i.e. Ammonia).

Every parser's own cleaning (feedparser's, trafilatura's) is treated as untrusted: their
output goes through ``sanitise_html`` again before it is stored (SECURITY.md H1). Link
fields that end up in ``href``/``src``/``Location`` go through ``safe_link`` (H4).
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img",
    "ins", "li", "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "iframe": {"src", "width", "height", "title", "allowfullscreen"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Embeds we keep (video players news pages carry). Anything else loses its iframe.
IFRAME_HOSTS = {
    "www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "player.vimeo.com",
    "www.dailymotion.com", "open.spotify.com", "w.soundcloud.com", "platform.twitter.com",
    "embed.ted.com", "www.facebook.com", "player.twitch.tv", "bandcamp.com",
}  # fmt: skip
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
# Removed with their content: their text is code or markup, never prose.
CLEAN_CONTENT_TAGS = {
    "script", "style", "noscript", "template", "object", "embed", "svg", "math", "head", "title",
}  # fmt: skip
# An iframe's content is raw text that Ammonia passes through unescaped: harmless in a
# browser, live markup for the next parser that reads it (mXSS). It is emptied.
_IFRAME_CONTENT = re.compile(r"(<iframe\b[^>]*>).*?</iframe>", re.DOTALL)
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*></iframe>")
# Browsers drop ASCII tab/newline/CR anywhere in a URL and trim C0 controls and spaces.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")


def iframe_src_allowed(src: str) -> bool:
    """An embed is kept only with an http/https URL on an allow-listed host (H2)."""
    try:
        parts = urlsplit(_URL_IGNORED.sub("", src))
        hostname = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and hostname in IFRAME_HOSTS


_BASE_URL: ContextVar[str | None] = ContextVar("sanitise_base_url", default=None)
_URL_ATTRIBUTES = {"href", "src", "cite"}


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES:
        resolved = _resolved(value)
        if not resolved:
            return None
        value = resolved
    if element == "iframe" and attribute == "src" and not iframe_src_allowed(value):
        return None
    return value


def _resolved(value: str) -> str | None:
    """Relative references made absolute against the document's URL; the result is checked
    again, since joining can turn an obfuscated "jav\tascript:" into a real scheme."""
    base = _BASE_URL.get()
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
        if base and not scheme and not value.startswith("#"):
            value = urljoin(base, value.strip())
            scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return value if not scheme or scheme in URL_SCHEMES else None


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=CLEAN_CONTENT_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
    set_tag_attribute_values={
        "iframe": {"sandbox": IFRAME_SANDBOX, "referrerpolicy": "strict-origin-when-cross-origin"}
    },
)


def sanitise_html(html: str, *, base_url: str | None = None) -> str:
    """Remove everything but a small allowlist of tags, attributes and URL schemes, and
    make relative links absolute against ``base_url`` (the article's or feed's URL)."""
    if not html:
        return ""
    token = _BASE_URL.set(base_url)
    try:
        cleaned = _CLEANER.clean(html).strip()
        # Removing a tag can leave markup the parser reads differently on a second pass
        # ("<p><select><p>" gives "<p><p></p></p>"): clean until nothing changes, so stored
        # HTML is a fixed point of the sanitiser (hypothesis found this).
        for _ in range(4):
            again = _CLEANER.clean(cleaned).strip()
            if again == cleaned:
                break
            cleaned = again
    finally:
        _BASE_URL.reset(token)
    if "<iframe" not in cleaned:
        return cleaned
    cleaned = _IFRAME_CONTENT.sub(r"\1</iframe>", cleaned)
    # An iframe whose src was refused would be an empty frame: drop it altogether.
    return _EMPTY_IFRAME.sub("", cleaned)


def mark_sanitised(html: str) -> SafeString:
    """Markup stored after ``sanitise_html`` (Article.body_html), ready to render as is.

    The one place the project marks text as safe (SECURITY.md H3): callers pass only text
    that went through a sanitiser, ``sanitise_html`` when it was stored or ``script_json``.
    """
    return mark_safe(html)


def script_json(data: Any) -> SafeString:
    """JSON to write inside a ``<script>`` element (JSON-LD), sanitised for that place:
    ``<``, ``>`` and ``&`` become JSON escapes, so no tag can close the element early and
    the data reads the same to a JSON parser."""
    text = json.dumps(data, ensure_ascii=False)
    return mark_sanitised(
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )


def safe_link(value: str | None, *, base: str | None = None) -> str | None:
    """An absolute http(s) URL fit for href/src/Location, or None (H4).

    Relative references are resolved against ``base``; a protocol-relative ``//host``
    written in the source is refused, since it hands the scheme to whoever renders it.
    """
    if not value:
        return None
    candidate = _URL_IGNORED.sub("", value)
    if not candidate or candidate.startswith(("//", "\\\\", "/\\", "\\/")):
        return None
    try:
        return _absolute_web_url(candidate, base)
    except ValueError:  # an unbalanced "[" in a host, a port like "00:00+00:30"
        return None


def _absolute_web_url(candidate: str, base: str | None) -> str | None:
    scheme = urlsplit(candidate).scheme.lower()
    if scheme and scheme not in {"http", "https"}:
        return None
    if not scheme:
        if not base or urlsplit(base).scheme.lower() not in {"http", "https"}:
            return None
        candidate = urljoin(base, candidate)
    parts = urlsplit(candidate)
    parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return parts._replace(scheme=parts.scheme.lower()).geturl()


# Characters PostgreSQL and the UTF-8 codec refuse, and C0 controls no reader wants.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "tr", "table", "figure", "figcaption", "hr", "dd", "dt", "section", "article",
}  # fmt: skip


def storable_text(value: str | None) -> str:
    """A str that encodes to UTF-8 and fits any database column: lone surrogates, NULs
    and C0 controls (which parsers pass through from hostile character references) go."""
    if not value:
        return ""
    return _UNSTORABLE.sub(lambda match: "\ufffd" if match.group() > "\x7f" else "", value)


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CLEAN_CONTENT_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in CLEAN_CONTENT_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def run_html_parser(parser: HTMLParser, html: str) -> None:
    """Feed markup to a stdlib HTMLParser that must not raise on hostile input.

    Python 3.11's parser raises AssertionError on a marked section with an unknown keyword
    ("<![CDATQ[", found by fuzzing); marked sections mean nothing in HTML, so they are
    turned into text first. Whatever was collected before any other failure is kept."""
    try:
        parser.feed(html.replace("<![", "&lt;!["))
        parser.close()
    except AssertionError:
        pass


def html_to_text(html: str | None) -> str:
    """Readable plain text of an HTML fragment: paragraphs on their own lines, entities
    decoded, whitespace collapsed. The result is text, to be escaped wherever shown."""
    if not html:
        return ""
    collector = _TextCollector()
    run_html_parser(collector, html)
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return storable_text("\n".join(line for line in lines if line))


def plain_text(value: str | None, *, is_html: bool) -> str:
    """One line of text for a headline, standfirst or name: markup removed only when the
    source said it was HTML, so a literal "<script>x</script>" title stays literal (H3)."""
    if not value:
        return ""
    text = html_to_text(value) if is_html else value
    return storable_text(" ".join(text.split()))
