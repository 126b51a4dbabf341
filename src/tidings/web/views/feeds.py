"""RSS 2.0 and Atom out: the front page, each section and each topic."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed

from tidings.articles import selectors
from tidings.articles.models import Article, Section, Topic
from tidings.common.errors import NotFound


class LatestRss(Feed):
    description_template = None

    def title(self) -> str:
        return f"{settings.SITE_NAME}: latest"

    def link(self) -> str:
        return "/"

    def description(self) -> str:
        return f"The latest stories from {settings.SITE_NAME}."

    def items(self) -> list[Article]:
        return selectors.article_list_for_feed(limit=50)

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_pubdate(self, item: Article):  # type: ignore[no-untyped-def]
        return item.published_at

    def item_updateddate(self, item: Article):  # type: ignore[no-untyped-def]
        return item.updated_at or item.published_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(byline.name for byline in item.bylines.all()) or item.credit

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name] if item.section else []

    def item_guid(self, item: Article) -> str:
        return f"{settings.SITE_URL}/a/{item.pk}"

    item_guid_is_permalink = False


class LatestAtom(LatestRss):
    feed_type = Atom1Feed
    subtitle = LatestRss.description


class SectionRss(LatestRss):
    def get_object(self, request: HttpRequest, section: str) -> Section:  # type: ignore[override]
        try:
            return selectors.section_get_by_slug(slug=section)
        except NotFound as error:
            raise Http404(str(error)) from None

    def title(self, obj: Section) -> str:  # type: ignore[override]
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Section) -> str:  # type: ignore[override]
        return obj.get_absolute_url()

    def description(self, obj: Section) -> str:  # type: ignore[override]
        return obj.description or f"The latest {obj.name} stories."

    def items(self, obj: Section) -> list[Article]:  # type: ignore[override]
        return selectors.article_list_for_feed(section=obj)


class SectionAtom(SectionRss):
    feed_type = Atom1Feed
    subtitle = SectionRss.description


class TopicRss(LatestRss):
    def get_object(self, request: HttpRequest, slug: str) -> Topic:  # type: ignore[override]
        try:
            return selectors.topic_get_by_slug(slug=slug)
        except NotFound as error:
            raise Http404(str(error)) from None

    def title(self, obj: Topic) -> str:  # type: ignore[override]
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Topic) -> str:  # type: ignore[override]
        return obj.get_absolute_url()

    def description(self, obj: Topic) -> str:  # type: ignore[override]
        return obj.description or f"Stories about {obj.name}."

    def items(self, obj: Topic) -> list[Article]:  # type: ignore[override]
        return selectors.article_list_for_feed(topic=obj)


class TopicAtom(TopicRss):
    feed_type = Atom1Feed
    subtitle = TopicRss.description
