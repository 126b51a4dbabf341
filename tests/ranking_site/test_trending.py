"""Trending topics and stories by burst against each topic's own baseline; most read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.newsroom import agency, section
from tests.ranking_site.conftest import bulk_stories
from tidings.articles.models import Article, StoryCluster, Topic
from tidings.ranking.trending import trending_refresh
from tidings.readers.models import Interaction

pytestmark = pytest.mark.django_db


def _steady_and_burst() -> tuple[Topic, Topic]:
    """ "Markets": 4 stories every 6 hours all week (big, steady); "Volcano": quiet all week,
    then 6 stories in the last 3 hours (small, bursting)."""
    now = timezone.now()
    steady = Topic.objects.create(name="Markets", slug="markets")
    burst = Topic.objects.create(name="Volcano", slug="volcano")
    wire = agency()
    business, world = section("Business"), section("World News")
    week = [now - timedelta(hours=1.5 * i + 0.25) for i in range(112)]
    bulk_stories(times=week, topic=steady, source=wire, section=business)
    bulk_stories(times=[now - timedelta(days=5)], topic=burst, source=wire, section=world)
    recent = [now - timedelta(minutes=20 * i + 5) for i in range(6)]
    bulk_stories(times=recent, topic=burst, source=agency("AP"), section=world)
    return steady, burst


def test_trending_topics_find_the_burst_not_the_steady_high_volume_topic():
    steady, burst = _steady_and_burst()
    assert steady.article_topics.count() > 100 > burst.article_topics.count()
    topics = Client().get("/api/trending/topics").json()
    names = [topic["name"] for topic in topics]
    assert names[0] == "Volcano"
    assert "Markets" not in names
    assert topics[0]["recent"] == 6 and topics[0]["expected"] < 1


def test_trending_topics_per_section_and_the_front_page_rail():
    _steady_and_burst()
    assert Client().get("/api/trending/topics?section=business").json() == []
    assert Client().get("/api/trending/topics?section=world-news").json()[0]["slug"] == "volcano"
    rail = Client().get("/trending/rail/").content.decode()
    assert "Trending topics" in rail and "/topic/volcano/" in rail


def test_trending_topics_from_reading_alone():
    """A topic nobody publishes more about, but everyone suddenly reads, trends too."""
    now = timezone.now()
    topic = Topic.objects.create(name="Eclipse", slug="eclipse")
    (article,) = bulk_stories(times=[now - timedelta(days=3)], topic=topic, source=agency())
    Interaction.objects.bulk_create(
        Interaction(session=f"s{i}", article_id=article.pk, occurred_at=now - timedelta(minutes=i))
        for i in range(12)
    )
    assert [t["name"] for t in Client().get("/api/trending/topics").json()] == ["Eclipse"]


def test_trending_stories_are_clusters_bursting_across_sources():
    now = timezone.now()
    topic = Topic.objects.create(name="Volcano", slug="volcano")
    cluster = StoryCluster.objects.create(title="Volcano erupts")
    recent = [now - timedelta(minutes=10 * i + 1) for i in range(5)]
    articles = bulk_stories(times=recent, topic=topic, source=agency()) + bulk_stories(
        times=recent[:2], topic=topic, source=agency("AP")
    )
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(story_cluster=cluster)
    stories = Client().get("/api/trending/stories").json()
    assert stories[0]["title"] == "Volcano erupts" and stories[0]["sources"] == 2


def test_most_read_lists_the_last_days_reads_per_section():
    now = timezone.now()
    topic = Topic.objects.create(name="Volcano", slug="volcano")
    world, business = section("World News"), section("Business")
    (popular,) = bulk_stories(times=[now], topic=topic, source=agency(), section=world)
    (less_read,) = bulk_stories(times=[now], topic=topic, source=agency(), section=business)
    reads = [(popular, 5), (less_read, 2)]
    Interaction.objects.bulk_create(
        Interaction(session=f"{article.pk}-{i}", article_id=article.pk, occurred_at=now)
        for article, count in reads
        for i in range(count)
    )
    rows = Client().get("/api/most-read").json()
    assert [(row["id"], row["reads"]) for row in rows] == [(popular.pk, 5), (less_read.pk, 2)]
    in_business = Client().get("/api/most-read?section=business").json()
    assert [row["id"] for row in in_business] == [less_read.pk]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/most-read?section=no-such-section", 404),
        ("/api/trending/topics?limit=500", 400),
        ("/api/trending/stories?limit=-1", 400),
        ("/api/most-read?sort=reads", 400),
    ],
)
def test_bad_list_parameters(path, status):
    assert Client().get(path).status_code == status


@pytest.mark.parametrize(
    "path", ["/api/trending/topics", "/api/trending/stories", "/api/most-read"]
)
def test_trending_reads_are_served_from_the_cache(path, django_assert_max_num_queries):
    _steady_and_burst()
    Client().get(path)
    with django_assert_max_num_queries(1):  # the cache get itself, where the cache is a table
        assert Client().get(path).status_code == 200


def test_trending_topics_leave_out_names_no_editor_has_approved():
    """A proposed topic (a new name several sources use) has no page yet: it never trends."""
    _, burst = _steady_and_burst()
    Topic.objects.filter(pk=burst.pk).update(status=Topic.Status.PROPOSED)
    assert "Volcano" not in [t["name"] for t in Client().get("/api/trending/topics").json()]
    Topic.objects.filter(pk=burst.pk).update(status=Topic.Status.APPROVED)
    trending_refresh()  # the minute job: an approval shows at its next run
    assert Client().get("/api/trending/topics").json()[0]["name"] == "Volcano"
