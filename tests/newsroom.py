"""Builders of realistic newsroom records for tests, through the real services."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from tidings.articles.models import Article, Section
from tidings.articles.services import article_upsert, section_for_path
from tidings.ingestion.types import ExtractedArticle, Image, RelatedLink
from tidings.sources.models import Source

_counter = itertools.count(1)

XI_PUTIN_BODY = (
    "Chinese President Xi Jinping told Russian President Vladimir Putin on Friday that China "
    "would maintain an objective and fair stance on the conflict in Ukraine.\n"
    "The two leaders spoke by video link for more than an hour, according to state media.\n"
    "Putin said he expected Xi to make a state visit to Moscow in the spring.\n"
    "Western governments have urged Beijing to use its influence with Moscow to end the war."
)


def agency(name: str = "Reuters") -> Source:
    source, _ = Source.objects.get_or_create(
        slug=name.lower(), defaults={"name": name, "kind": Source.Kind.WIRE, "is_agency": True}
    )
    return source


def story(
    *,
    headline: str | None = None,
    section: str = "World News",
    source: Source | None = None,
    published: datetime | None = None,
    topics: list[str] | None = None,
    related: list[RelatedLink] | None = None,
    image: Image | None = None,
    body: str = XI_PUTIN_BODY,
) -> Article:
    number = next(_counter)
    extracted = ExtractedArticle(
        url=f"https://wire.example/story-{number}",
        headline=headline or f"Xi tells Putin China will stay impartial, report {number}",
        standfirst="Chinese President Xi Jinping spoke with Vladimir Putin by video link.",
        agency="Reuters",
        published=published or timezone.now() - timedelta(minutes=number),
        breadcrumb=["Home", section],
        topics=topics if topics is not None else ["Xi Jinping", "Vladimir Putin"],
        image=image,
        related_links=related or [],
        body_text=body,
    )
    return article_upsert(
        source=source or agency(), extracted=extracted, external_id=f"s{number}"
    ).article


def section(name: str) -> Section:
    found = section_for_path(names=[name])
    assert found is not None
    return found


IST_PUBLISHED = datetime(2022, 12, 30, 10, 19, tzinfo=UTC)
