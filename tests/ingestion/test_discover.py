"""Feed autodiscovery: declared alternates, <base>, unsafe hrefs, common-path guesses."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import urljoin

import pytest
from lxml import html as lxml_html

from tests.conftest import shared_path
from tidings.ingestion.discover import COMMON_FEED_PATHS, FEED_TYPES, discover_feeds

PAGE = "https://news.example.com/world/story.html"


def test_declared_feeds_come_first_in_page_order() -> None:
    page = """<html><head>
      <link rel="stylesheet" href="/s.css">
      <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
      <LINK REL="Alternate" TYPE="application/rss+xml; charset=utf-8" HREF="rss/world.xml">
      <link rel="alternate" type="application/feed+json" href="https://cdn.example.com/f.json">
      <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/12">
      <link rel="alternate" type="application/json" title="JSON Feed" href="/feed.json">
      <link rel="alternate" hreflang="fr" href="/fr/">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml" href="file:///etc/hostname">
      <link rel="alternate" type="application/rss+xml" href="/atom.xml">
      <link rel="alternate" type="application/rss+xml" href="//feeds.example.com/world">
    </head><body><a rel="alternate" type="application/rss+xml" href="/body.rss">x</a></body>
    </html>"""
    found = discover_feeds(html=page, url=PAGE, include_guesses=False)
    assert found == [
        "https://news.example.com/atom.xml",
        "https://news.example.com/world/rss/world.xml",
        "https://cdn.example.com/f.json",
        "https://news.example.com/feed.json",
        "https://feeds.example.com/world",
        "https://news.example.com/body.rss",
    ]


def test_base_href_is_honoured_but_only_for_web_schemes() -> None:
    page = '<base href="https://static.example.com/x/"><link rel="alternate" type="application/rss+xml" href="f.xml">'  # noqa: E501
    assert discover_feeds(html=page, url=PAGE, include_guesses=False) == [
        "https://static.example.com/x/f.xml"
    ]
    hostile = page.replace("https://static.example.com/x/", "javascript:alert(1)//")
    assert discover_feeds(html=hostile, url=PAGE, include_guesses=False) == [
        "https://news.example.com/world/f.xml"
    ]


def test_common_paths_are_offered_after_declared_feeds() -> None:
    page = b'<link rel="alternate" type="application/rss+xml" href="/feed">'
    found = discover_feeds(html=page, url=PAGE)
    assert found[0] == "https://news.example.com/feed"
    assert found[1:] == [
        urljoin(PAGE, path) for path in COMMON_FEED_PATHS if urljoin(PAGE, path) != found[0]
    ]


def test_no_guesses_for_a_non_web_page_url() -> None:
    assert discover_feeds(html="<p>hi</p>", url="file:///tmp/page.html") == []


def test_hostile_html_does_not_crash() -> None:
    page = b"<link rel=alternate type=application/rss+xml href='\xff\xfe'>" + b"<" * 100_000
    found = discover_feeds(html=page, url=PAGE, include_guesses=False)
    assert all(url.startswith("https://news.example.com/") for url in found)


def eval_pages() -> list[Path]:
    folder = shared_path("extraction", "trafilatura-eval", "html", "eval")
    return sorted(folder.glob("*.html.gz"))[:200] if folder.is_dir() else []


def declared_by_lxml(page: bytes, url: str) -> list[str]:
    """An independent reading of the same page with libxml2's HTML parser."""
    tree = lxml_html.fromstring(page)
    bases = tree.xpath("//base/@href")
    base = urljoin(url, bases[0]) if bases and bases[0].startswith(("http", "/")) else url
    found = []
    for link in tree.xpath("//link[@href] | //a[@href]"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        hint = (link.get("href") + " " + (link.get("title") or "")).lower()
        json_feed = kind == "application/json" and "feed" in hint
        if "alternate" in rels and (kind in FEED_TYPES or json_feed):
            found.append(urljoin(base, link.get("href").strip()))
    return list(dict.fromkeys(u for u in found if u.startswith(("http://", "https://"))))


@pytest.mark.skipif(not eval_pages(), reason="trafilatura-eval pages are absent")
def test_real_pages_agree_with_an_independent_html_parser() -> None:
    """On 200 real news pages, the declared feeds we find are the ones lxml finds."""
    pages_with_feeds = disagreements = 0
    for path in eval_pages():
        page = gzip.decompress(path.read_bytes())
        ours = discover_feeds(html=page, url=PAGE, include_guesses=False)
        theirs = declared_by_lxml(page, PAGE)
        pages_with_feeds += bool(theirs)
        disagreements += set(ours) != set(theirs)
    assert pages_with_feeds >= 50
    assert disagreements <= pages_with_feeds // 50  # parsers differ on broken markup only


@pytest.mark.parametrize("section", ["<![CDATQ[x]]>", "<![if !IE]>", "<![", "<![CDATA["])
def test_marked_sections_do_not_crash_discovery(section: str) -> None:
    """Python 3.11's HTMLParser raises AssertionError on these (found by fuzzing)."""
    page = f'{section}<link rel="alternate" type="application/rss+xml" href="/f.xml">'
    assert discover_feeds(html=page, url=PAGE, include_guesses=False) == [
        "https://news.example.com/f.xml"
    ]


@pytest.mark.parametrize("url", ["A://[", "", "javascript:alert(1)//", "http://[::1"])
def test_a_broken_page_url_gives_only_absolute_declared_feeds(url: str) -> None:
    page = '<link rel="alternate" type="application/rss+xml" href="https://n.example/f.xml">'
    assert discover_feeds(html=page, url=url) == ["https://n.example/f.xml"]
