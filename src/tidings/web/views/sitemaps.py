"""sitemap.xml, the Google News sitemap (last two days) and robots.txt."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from tidings.articles.models import Article, ArticleTopic, Section, Topic


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):  # type: ignore[no-untyped-def]
        return (
            Article.objects.published()
            .select_related("section")
            .only("pk", "slug", "section__slug", "published_at", "updated_at")
        )

    def lastmod(self, item: Article):  # type: ignore[no-untyped-def]
        return item.updated_at or item.published_at


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):  # type: ignore[no-untyped-def]
        return Section.objects.all()


class TopicSitemap(Sitemap):
    changefreq = "daily"

    def items(self):  # type: ignore[no-untyped-def]
        return Topic.objects.filter(status=Topic.Status.APPROVED, merged_into__isnull=True)


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap, "topics": TopicSitemap}


def news_sitemap(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=2)
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .select_related("section")
        .prefetch_related(
            Prefetch(  # keywords are the topics readers see: approved, not proposed
                "article_topics",
                queryset=ArticleTopic.objects.select_related("topic").filter(
                    topic__status=Topic.Status.APPROVED
                ),
            )
        )[:1000]
    )
    body = render_to_string(
        "web/news_sitemap.xml",
        {
            "articles": articles,
            "site_name": settings.SITE_NAME,
            "language": settings.LANGUAGE_CODE[:2],
        },
        request,
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    news_url = request.build_absolute_uri("/news-sitemap.xml")
    lines = [
        "User-agent: *",
        "Disallow: /desk/",
        "Disallow: /api/",
        f"Sitemap: {sitemap_url}",
        f"Sitemap: {news_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
