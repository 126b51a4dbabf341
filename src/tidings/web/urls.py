from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from tidings.web.views import article, feeds, front, listings, media_proxy, sitemaps


class SectionConverter:
    """A section slug that is not one of the site's fixed prefixes."""

    regex = r"[-a-zA-Z0-9_]+"
    reserved = frozenset(
        {
            "desk",
            "api",
            "static",
            "media",
            "topic",
            "source",
            "story",
            "feeds",
            "welcome",
            "u",
            "a",
            "img",
        }
    )

    def to_python(self, value: str) -> str:
        if value in self.reserved:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SectionConverter, "section")

app_name = "web"
urlpatterns = [
    path("", front.front_page, name="front"),
    path("welcome/", front.welcome, name="welcome"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news-sitemap"),
    path("feeds/rss/", feeds.LatestRss(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestAtom(), name="feed-atom"),
    path("a/<int:pk>/", article.article_short_link, name="article-short"),
    path("img/<str:signature>/<str:encoded>", media_proxy.media_proxy, name="media-proxy"),
    path("topic/<slug:slug>/", listings.topic_page, name="topic"),
    path("topic/<slug:slug>/rss/", feeds.TopicRss(), name="topic-rss"),
    path("topic/<slug:slug>/atom/", feeds.TopicAtom(), name="topic-atom"),
    path("source/<slug:slug>/", listings.source_page, name="source"),
    path("story/<int:pk>/", listings.story_page, name="story"),
    path("<section:section>/", listings.section_page, name="section"),
    path("<section:section>/rss/", feeds.SectionRss(), name="section-rss"),
    path("<section:section>/atom/", feeds.SectionAtom(), name="section-atom"),
    path("<section:section>/<slug:slug>-<int:pk>/", article.article_page, name="article"),
]
