from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from tidings.ranking import views as ranking_views
from tidings.web.views import (
    account,
    article,
    feeds,
    following,
    front,
    listings,
    media_proxy,
    profile,
    reads,
    saved,
    sitemaps,
)


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
            "account",
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
    # Ranking (tidings.ranking): personal fragments loaded by HTMX after the cached page.
    path("for-you/", ranking_views.for_you_feed, name="for-you"),
    path("trending/rail/", ranking_views.trending_rail, name="trending-rail"),
    path("a/<int:pk>/opened/", ranking_views.article_opened, name="article-opened"),
    path("a/<int:pk>/related/", article.article_related, name="article-related"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news-sitemap"),
    path("feeds/rss/", feeds.LatestRss(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestAtom(), name="feed-atom"),
    path("a/<int:pk>/", article.article_short_link, name="article-short"),
    # Readers' accounts (tidings.readers); every state change is POST-only.
    path("account/", profile.profile, name="profile"),
    path("account/sign-up/", account.sign_up, name="sign-up"),
    path("account/sign-in/", account.sign_in, name="sign-in"),
    path("account/sign-out/", account.sign_out, name="sign-out"),
    path("account/verify/<str:token>/", account.verify_email, name="verify-email"),
    path("account/reset/", account.password_reset, name="password-reset"),
    path(
        "account/reset/<str:uidb64>/<str:token>/",
        account.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("account/email/", profile.email_change, name="email-change"),
    path("account/password/", profile.password_change, name="password-change"),
    path("account/sessions/end/", profile.sessions_end, name="sessions-end"),
    path("account/tokens/", profile.token_create, name="token-create"),
    path("account/tokens/<int:token_id>/revoke/", profile.token_revoke, name="token-revoke"),
    path("account/my-data.json", profile.data_export, name="data-export"),
    path("account/delete/", profile.account_delete, name="account-delete"),
    path("account/welcome/", following.onboarding, name="onboarding"),
    path("account/following/", following.following, name="following"),
    path(
        "account/following/<int:follow_id>/delete/",
        following.follow_delete,
        name="follow-delete",
    ),
    path("account/follow/<str:kind>/<int:target_id>/", following.follow_toggle, name="follow"),
    path("account/feedback/<int:article_id>/<str:kind>/", following.feedback, name="feedback"),
    path(
        "account/feedback-remove/<int:feedback_id>/",
        following.feedback_delete,
        name="feedback-delete",
    ),
    path("account/saved/", saved.saved_page, name="saved"),
    path("account/save/<int:article_id>/", saved.save_toggle, name="save"),
    path("account/reads/", reads.my_reads, name="reads"),
    path("account/reads/clear/", reads.readings_clear, name="reads-clear"),
    path("account/reads/pause/", reads.history_pause, name="reads-pause"),
    path("account/reads/<int:reading_id>/delete/", reads.reading_delete, name="reading-delete"),
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
