"""schema.org NewsArticle for article pages (JSON-LD)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString

from tidings.articles.models import Article
from tidings.common.sanitise import script_json


def news_article_json_ld(*, article: Article, url: str, request: HttpRequest) -> SafeString:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline[:110],
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (
            article.updated_at or article.published_at or article.modified_at
        ).isoformat(),
        "inLanguage": article.language or settings.LANGUAGE_CODE,
        "isAccessibleForFree": article.access == Article.Access.FREE,
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri("/"),
        },
        "author": [{"@type": "Person", "name": byline.name} for byline in article.bylines.all()]
        or [{"@type": "Organization", "name": article.credit or article.source.name}],
    }
    if article.section:
        data["articleSection"] = article.section.name
    if article.lead_media and article.lead_media.src:
        data["image"] = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(article.lead_media.src),
            "caption": article.lead_media.caption,
            "creditText": article.lead_media.credit,
        }
    keywords = [tag.topic.name for tag in article.article_topics.all()]
    if keywords:
        data["keywords"] = keywords
    if article.status == Article.Status.RETRACTED:
        data["correction"] = article.retraction_note
    return script_json({k: v for k, v in data.items() if v is not None})
