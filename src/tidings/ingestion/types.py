"""The dataclasses that flow through ingestion: pure values, no Django models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Image:
    url: str | None = None
    caption: str | None = None
    credit: str | None = None


@dataclass
class RelatedLink:
    url: str
    title: str | None = None


@dataclass
class ExtractedArticle:
    """What an extractor (HTML page, plain-text dump, feed entry, wire item) found."""

    url: str | None = None
    canonical_url: str | None = None
    headline: str | None = None
    standfirst: str | None = None
    bylines: list[str] = field(default_factory=list)
    agency: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    section: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    language: str | None = None
    topics: list[str] = field(default_factory=list)
    image: Image | None = None
    related_links: list[RelatedLink] = field(default_factory=list)
    body_text: str = ""
    body_html: str = ""

    def to_json(self) -> dict[str, Any]:
        """The shape printed by ``tidings extract --jsonl`` (missing fields are null)."""
        return {
            "url": self.canonical_url or self.url,
            "headline": self.headline or None,
            "standfirst": self.standfirst or None,
            "bylines": list(self.bylines),
            "agency": self.agency or None,
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "section": self.section or None,
            "language": self.language or None,
            "topics": list(self.topics),
            "image": (
                {"url": self.image.url, "caption": self.image.caption, "credit": self.image.credit}
                if self.image
                else None
            ),
            "related_links": [
                {"url": link.url, "title": link.title} for link in self.related_links
            ],
            "body_text": self.body_text or None,
            "body_html": self.body_html or None,
        }


@dataclass
class FeedEntry:
    """One item of an RSS, Atom or JSON Feed document, cleaned and with a stable identity.

    ``identity`` is the unique key within the source (R8: hash of the guid; guid|link when
    the guid repeats in the same document; guid|position when that repeats too; link
    without a guid; title+content without either). ``content_key`` is a second key (the
    normalised link, else title+content) a store uses so rotating guids add nothing new.
    """

    identity: str
    content_key: str
    position: int
    guid: str | None = None
    link: str | None = None
    title: str | None = None
    summary: str | None = None
    body_html: str = ""
    body_text: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    image: Image | None = None
    language: str | None = None

    def to_article(self) -> ExtractedArticle:
        """The entry in the shape every other extractor produces."""
        return ExtractedArticle(
            url=self.link,
            headline=self.title,
            standfirst=self.summary,
            bylines=list(self.authors),
            published=self.published,
            updated=self.updated,
            language=self.language,
            topics=list(self.categories),
            image=self.image,
            body_text=self.body_text,
            body_html=self.body_html,
        )


@dataclass
class ParsedFeed:
    """A whole feed document: channel metadata plus its entries in document order."""

    kind: str
    title: str | None = None
    site_url: str | None = None
    language: str | None = None
    description: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    # Recoverable problems (feedparser's "bozo" reasons): the feed parsed, but not cleanly.
    warnings: list[str] = field(default_factory=list)


@dataclass
class OutlineFeed:
    """One feed subscription from an OPML outline, with the folders it sat in."""

    xml_url: str
    title: str | None = None
    html_url: str | None = None
    categories: list[str] = field(default_factory=list)


@dataclass
class NewsSitemapItem:
    """The Google News ``<news:news>`` block of a sitemap URL."""

    publication_name: str | None = None
    publication_language: str | None = None
    published: datetime | None = None
    title: str | None = None
    keywords: list[str] = field(default_factory=list)


@dataclass
class SitemapEntry:
    """A ``<url>`` of a urlset, or a ``<sitemap>`` of a sitemap index."""

    url: str
    lastmod: datetime | None = None
    changefreq: str | None = None
    priority: float | None = None
    news: NewsSitemapItem | None = None
    image_url: str | None = None


@dataclass
class ParsedSitemap:
    """``kind`` is "urlset" (article URLs) or "sitemapindex" (URLs of further sitemaps)."""

    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)
    truncated: bool = False


@dataclass
class WireItem:
    """A news-agency item (ninjs or NewsML-G2) with the wire's own bookkeeping."""

    external_id: str
    article: ExtractedArticle
    version: str | None = None
    retracted: bool = False
    slugline: str | None = None
    dateline: str | None = None
    located: str | None = None
    urgency: int | None = None
