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
            "related_links": [{"url": link.url, "title": link.title} for link in self.related_links],
            "body_text": self.body_text or None,
            "body_html": self.body_html or None,
        }
