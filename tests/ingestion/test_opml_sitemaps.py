"""OPML import/export and sitemaps (urlset, sitemapindex, Google News, gzip, plain text)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tidings.ingestion.opml import OpmlError, parse_opml, render_opml
from tidings.ingestion.sitemaps import MAX_SITEMAP_BYTES, SitemapError, parse_sitemap
from tidings.ingestion.types import OutlineFeed

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Desk subscriptions</title></head>
  <body>
    <outline text="News">
      <outline text="World">
        <outline type="rss" text="World desk" title="World &amp; more" xmlUrl="https://n.example/world.rss" htmlUrl="https://n.example/world"/>
        <outline type="rss" text="Again" xmlUrl="https://n.example/world.rss"/>
      </outline>
      <outline type="rss" text="Politics" xmlurl="https://n.example/politics.rss"/>
    </outline>
    <outline type="rss" text="Tech" xmlUrl="https://t.example/feed" category="/Science/Computing,/Other"/>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/hostname"/>
    <outline type="rss" text="Feed scheme" xmlUrl="feed://n.example/rss"/>
    <outline type="rss" text="Script" xmlUrl="javascript:alert(1)"/>
    <outline type="rss" text="Relative" xmlUrl="/feed.xml"/>
  </body>
</opml>"""  # noqa: E501


def test_opml_import_keeps_folders_and_drops_unsafe_urls() -> None:
    feeds = parse_opml(body=OPML)
    assert feeds == [
        OutlineFeed(
            xml_url="https://n.example/world.rss",
            title="World & more",
            html_url="https://n.example/world",
            categories=["News", "World"],
        ),
        OutlineFeed(
            xml_url="https://n.example/politics.rss", title="Politics", categories=["News"]
        ),
        OutlineFeed(
            xml_url="https://t.example/feed", title="Tech", categories=["Science", "Computing"]
        ),
    ]


def test_opml_round_trip() -> None:
    feeds = parse_opml(body=OPML)
    exported = render_opml(feeds=feeds, title="Mine <&>")
    assert exported.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b"<title>Mine &lt;&amp;&gt;</title>" in exported
    assert parse_opml(body=exported) == feeds


def test_opml_export_escapes_hostile_titles() -> None:
    feed = OutlineFeed(xml_url="https://n.example/a?x=1&y=2", title='"><script>x</script>\x00')
    exported = render_opml(feeds=[feed], title="t")
    assert b"<script>" not in exported and b"\x00" not in exported
    (back,) = parse_opml(body=exported)
    assert back.xml_url == "https://n.example/a?x=1&y=2"
    assert back.title == '"><script>x</script>'


def test_opml_deep_nesting_does_not_recurse() -> None:
    depth = 3000
    body = (
        '<opml version="2.0"><body>'
        + '<outline text="f">' * depth
        + '<outline xmlUrl="https://n.example/deep.rss"/>'
        + "</outline>" * depth
        + "</body></opml>"
    ).encode()
    (feed,) = parse_opml(body=body)
    assert len(feed.categories) == depth


@pytest.mark.parametrize(
    "body", [b"", b"<rss/>", b"not xml", b"<opml><body><outline></body></opml>"]
)
def test_bad_opml_raises_opml_error(body: bytes) -> None:
    with pytest.raises(OpmlError):
        parse_opml(body=body)


def validator_opml_files() -> list:
    folder = shared_path("feeds", "feedvalidator-testcases", "opml")
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{folder} is absent"))]
    return [pytest.param(p, id=p.name) for p in sorted(folder.rglob("*.opml"))]


@pytest.mark.parametrize("path", validator_opml_files())
def test_feed_validator_opml_corpus(path: Path) -> None:
    """Every W3C validator OPML case imports or is refused with OpmlError."""
    try:
        feeds = parse_opml(body=path.read_bytes())
    except OpmlError:
        return
    assert all(feed.xml_url.startswith(("http://", "https://")) for feed in feeds)


def test_validator_subscription_list(shared_data: Path) -> None:
    path = shared_data / "feeds/feedvalidator-testcases/opml/clean/subscriptionList.opml"
    feeds = parse_opml(body=path.read_bytes())
    assert len(feeds) == 13
    assert feeds[0].title == "CNET News.com"  # document order
    assert feeds[-1].title == "Wired News"


# -- sitemaps ---------------------------------------------------------------------------------

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://n.example/world/2024/talks-resume</loc>
    <lastmod>2024-05-02T10:15:00+05:30</lastmod>
    <changefreq>Hourly</changefreq>
    <priority>0.8</priority>
    <news:news>
      <news:publication><news:name>The Example Times</news:name><news:language>EN</news:language></news:publication>
      <news:publication_date>2024-05-02</news:publication_date>
      <news:title>Talks resume &amp; hopes rise</news:title>
      <news:keywords>diplomacy, talks , ,geneva</news:keywords>
    </news:news>
    <image:image><image:loc>https://n.example/img/talks.jpg</image:loc></image:image>
  </url>
  <url><loc>javascript:alert(1)</loc></url>
  <url><loc>https://n.example/plain</loc><priority>high</priority></url>
</urlset>"""  # noqa: E501


def test_google_news_sitemap() -> None:
    sitemap = parse_sitemap(body=NEWS_SITEMAP)
    assert (sitemap.kind, sitemap.truncated, len(sitemap.entries)) == ("urlset", False, 2)
    first, plain = sitemap.entries
    assert first.url == "https://n.example/world/2024/talks-resume"
    assert first.lastmod.isoformat() == "2024-05-02T10:15:00+05:30"
    assert (first.changefreq, first.priority) == ("hourly", 0.8)
    assert first.image_url == "https://n.example/img/talks.jpg"
    news = first.news
    assert (news.publication_name, news.publication_language) == ("The Example Times", "en")
    assert news.published.isoformat() == "2024-05-02T00:00:00+00:00"
    assert news.title == "Talks resume & hopes rise"
    assert news.keywords == ["diplomacy", "talks", "geneva"]
    assert (plain.priority, plain.news) == (None, None)


def test_sitemap_index_and_gzip() -> None:
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://n.example/sitemap-news.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
      <sitemap><loc>https://n.example/sitemap-2.xml</loc></sitemap>
    </sitemapindex>"""
    sitemap = parse_sitemap(body=gzip.compress(index))
    assert sitemap.kind == "sitemapindex"
    assert [entry.url for entry in sitemap.entries] == [
        "https://n.example/sitemap-news.xml.gz",
        "https://n.example/sitemap-2.xml",
    ]


def test_gzip_bomb_sitemap_is_refused_at_the_cap() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_SITEMAP_BYTES + 10) + b"</urlset>")
    assert len(bomb) < 200_000
    with pytest.raises(SitemapError, match="inflates past"):
        parse_sitemap(body=bomb)


def test_plain_text_sitemap() -> None:
    body = b"https://n.example/a\n\nnot a url\nhttps://n.example/b\r\nfile:///etc/passwd\n"
    sitemap = parse_sitemap(body=body, limit=1)
    assert [entry.url for entry in sitemap.entries] == ["https://n.example/a"]
    assert sitemap.truncated


@pytest.mark.parametrize(
    "body", [b"", b"<rss/>", b"<urlset><url>", b"\x1f\x8bnot gzip", b"no urls here"]
)
def test_bad_sitemaps_raise_sitemap_error(body: bytes) -> None:
    with pytest.raises(SitemapError):
        parse_sitemap(body=body)


@pytest.mark.parametrize("encoding", ["big5", "shift_jis", "gb2312", "euc-kr"])
def test_multibyte_declared_encodings_are_read(encoding: str) -> None:
    """expat refuses these with ValueError (found by fuzzing); they are transcoded."""
    title = {
        "big5": "中文新聞",
        "shift_jis": "日本の新聞",
        "gb2312": "中文新闻",
        "euc-kr": "한국 뉴스",
    }
    body = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>https://n.example/a</loc><news:news><news:title>{title[encoding]}"
        "</news:title></news:news></url></urlset>"
    ).encode(encoding)
    (entry,) = parse_sitemap(body=body).entries
    assert entry.news.title == title[encoding]
