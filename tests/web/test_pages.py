"""The reader site, through HTTP, as a reader's browser sees it."""

from __future__ import annotations

import json
import re
import xml.dom.minidom

import pytest
from django.test import override_settings

from tests.newsroom import IST_PUBLISHED, story
from tidings.articles.models import Article
from tidings.ingestion.types import Image, RelatedLink

pytestmark = pytest.mark.django_db


def test_empty_site_sends_the_operator_to_the_first_run_screen(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/welcome/"
    page = client.get("/welcome/").content.decode()
    assert "createeditor" in page and "Starter sources" in page and "BBC News" in page


def test_front_page_shows_lead_latest_and_sections(client, django_assert_max_num_queries):
    for number in range(6):
        story(headline=f"World story {number}")
    story(headline="Markets rally", section="Business")
    with django_assert_max_num_queries(16):
        page = client.get("/").content.decode()
    assert "World story 0" in page and "Markets rally" in page
    assert 'href="/business/"' in page and "Latest news" in page
    with django_assert_max_num_queries(3):  # the stories come from the cached fragment
        assert client.get("/").content.decode() == page


def test_a_new_story_shows_on_the_cached_front_page_at_once(client):
    story(headline="First story")
    assert "First story" in client.get("/").content.decode()
    from tidings.articles.services import content_changed

    story(headline="Breaking story")
    content_changed()  # what the commit of the new story triggers
    assert "Breaking story" in client.get("/").content.decode()


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_article_page_has_every_element_of_a_national_daily(client):
    related = story(headline="Putin invites Xi to Moscow")
    article = story(
        headline="Xi tells Putin China will stay objective on Ukraine",
        published=IST_PUBLISHED,
        topics=["Xi Jinping", "Vladimir Putin", "Ukraine"],
        image=Image(
            url="https://img.example/xi.jpg", caption="Xi and Putin are seen.", credit="AFP"
        ),
        related=[RelatedLink(url=related.canonical_url, title="Putin invites Xi to Moscow")],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<nav class="breadcrumb".*?Home.*?World News', page, re.S)
    assert (
        '<h1 class="story__headline">Xi tells Putin China will stay objective on Ukraine</h1>'
        in page
    )
    assert "Chinese President Xi Jinping spoke with Vladimir Putin by video link." in page
    assert (
        'Published on <time datetime="2022-12-30T15:49:00+05:30">Dec 30, 2022 03:49 PM IST</time>'
        in page
    )
    assert '<span class="agency">Reuters</span>' in page
    assert "Xi and Putin are seen." in page and "(AFP)" in page
    assert "Read more:" in page and f'href="/a/{related.pk}/"' in page
    for topic in ("Xi Jinping", "Vladimir Putin", "Ukraine"):
        assert f">{topic}</a>" in page
    for network in (
        "twitter.com/intent/tweet",
        "facebook.com/sharer",
        "wa.me",
        "linkedin.com/sharing",
        "mailto:?",
        "Copy link",
    ):
        assert network in page
    assert (
        '<link rel="canonical"' in page
        and 'property="og:title"' in page
        and 'name="twitter:card"' in page
    )


def test_article_json_ld_is_a_valid_news_article(client):
    article = story(image=Image(url="https://img.example/a.jpg", caption="A caption", credit="AFP"))
    page = client.get(article.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    for required in (
        "headline",
        "datePublished",
        "dateModified",
        "author",
        "publisher",
        "image",
        "mainEntityOfPage",
    ):
        assert data[required], required
    assert len(data["headline"]) <= 110
    assert data["image"]["creditText"] == "AFP"


def test_json_ld_cannot_break_out_of_its_script_element(client):
    article = story(headline="</script><script>alert(1)</script>")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in page


def test_wrong_slug_or_section_redirects_to_the_canonical_address(client):
    article = story()
    response = client.get(f"/world-news/wrong-slug-{article.pk}/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    assert client.get(f"/a/{article.pk}/")["Location"] == article.get_absolute_url()


def test_drafts_and_future_stories_are_not_shown(client):
    article = story()
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_section_topic_and_story_pages(client):
    article = story(topics=["Ukraine"])
    assert "Ukraine" in client.get("/topic/ukraine/").content.decode()
    section_page = client.get("/world-news/").content.decode()
    assert article.headline in section_page
    assert client.get("/reuters/").status_code == 404
    assert client.get("/source/reuters/").status_code == 200
    assert client.get("/topic/nobody/").status_code == 404


def test_rss_and_atom_feeds_carry_the_story(client):
    article = story(topics=["Ukraine"])
    for path in ("/feeds/rss/", "/world-news/rss/", "/topic/ukraine/rss/"):
        body = client.get(path).content
        document = xml.dom.minidom.parseString(body)  # noqa: S318
        titles = [node.firstChild.data for node in document.getElementsByTagName("title")]
        assert article.headline in titles, path
    atom = client.get("/world-news/atom/").content.decode()
    assert "http://www.w3.org/2005/Atom" in atom and article.headline in atom


def test_sitemaps_and_robots(client):
    article = story()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert article.get_absolute_url() in sitemap
    news = client.get("/news-sitemap.xml")
    assert news["Content-Type"].startswith("application/xml")
    assert "<news:publication_date>" in news.content.decode()
    assert "Sitemap:" in client.get("/robots.txt").content.decode()


def test_404_page_is_in_the_site_design(client):
    response = client.get("/no-such-section/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()
    assert 'class="masthead"' in response.content.decode()


def test_a_registered_only_story_asks_anonymous_readers_to_sign_up(client):
    article = story(body="The secret paragraph nobody anonymous should read.")
    Article.objects.filter(pk=article.pk).update(access=Article.Access.REGISTERED)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Create a free account to keep reading" in page
    assert "The secret paragraph" not in page
    assert article.standfirst in page
