"""`tidings enrich` through the CLI and the JSON API: stories, related, tags, idempotence."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.enrichment_store.stories import (
    MATCHES,
    QUAKE_CALIFORNIA,
    QUAKE_CALIFORNIA_FOLLOW,
    QUAKE_INDONESIA,
    RATES,
    WEATHER,
    record,
    syndicated,
    themed_story,
    write_jsonl,
)
from tidings.articles.models import Article, StoryCluster, Topic
from tidings.search.models import ArticleVector

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def ingest(tmp_path, records) -> dict[str, int]:
    path = write_jsonl(tmp_path / "stories.jsonl", records)
    run("ingest", "--jsonl", str(path))
    return dict(Article.objects.values_list("external_id", "pk"))


@pytest.fixture
def quakes(tmp_path):
    return ingest(
        tmp_path,
        [
            record(
                "ca-1",
                "Magnitude 6.4 quake hits northern California",
                QUAKE_CALIFORNIA,
                source="Wire",
                published="2022-12-20T11:00:00Z",
            ),
            record(
                "ca-1-copy",
                "Magnitude 6.4 quake hits northern California",
                syndicated(QUAKE_CALIFORNIA),
                source="Daily",
                published="2022-12-20T12:00:00Z",
            ),
            record(
                "id-1",
                "Earthquake kills 162 in Indonesia's West Java",
                QUAKE_INDONESIA,
                source="Wire",
                published="2022-11-21T09:00:00Z",
            ),
            record(
                "ca-2",
                "Humboldt County clears up after earthquake",
                QUAKE_CALIFORNIA_FOLLOW,
                source="Gazette",
                published="2022-12-21T15:00:00Z",
            ),
        ],
    )


def story_of(client, article_id: int) -> int:
    return client.get(f"/api/articles/{article_id}").json()["story_id"]


def test_two_similar_events_stay_apart_and_coverage_gathers(client, quakes):
    """Two earthquakes are two stories; a follow-up and a syndicated copy join the first."""
    run("enrich")
    california = {story_of(client, quakes[key]) for key in ("ca-1", "ca-1-copy", "ca-2")}
    assert len(california) == 1 and None not in california
    assert story_of(client, quakes["id-1"]) not in california
    story = client.get(f"/api/stories/{california.pop()}").json()
    assert sorted(story["article_ids"]) == sorted(quakes[k] for k in ("ca-1", "ca-1-copy", "ca-2"))
    assert story["title"] == "Magnitude 6.4 quake hits northern California"
    assert StoryCluster.objects.get(pk=story["id"]).article_count == 3


def test_related_never_shows_the_same_story_twice(client, quakes):
    """The syndicated copy of a story is not "related" to it, nor listed beside it."""
    run("enrich")
    original = client.get(f"/api/articles/{quakes['ca-1']}/related?limit=10").json()["items"]
    assert quakes["ca-1-copy"] not in {item["id"] for item in original}
    follow = client.get(f"/api/articles/{quakes['ca-2']}/related?limit=10").json()["items"]
    ids = [item["id"] for item in follow]
    assert not {quakes["ca-1"], quakes["ca-1-copy"]} <= set(ids)
    assert ids[0] in {quakes["ca-1"], quakes["ca-1-copy"]}  # the same event ranks first
    scores = [item["score"] for item in follow]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert set(follow[0]) == {"id", "headline", "score"}


@pytest.mark.parametrize("limit", ["0", "501", "x"])
def test_related_limit_is_bounded(client, quakes, limit):
    response = client.get(f"/api/articles/{quakes['ca-1']}/related?limit={limit}")
    assert response.status_code == 400


def test_related_of_an_unknown_article_is_404(client):
    assert client.get("/api/articles/987654/related").status_code == 404


def test_running_enrich_again_changes_nothing(client, quakes):
    """The second run finds nothing to do; --all keeps every article in its story."""
    run("enrich")
    before = dict(Article.objects.values_list("pk", "story_cluster_id"))
    enriched = dict(ArticleVector.objects.values_list("article_id", "enriched_at"))
    out, _ = run("enrich")
    assert "Nothing to enrich" in out
    assert dict(ArticleVector.objects.values_list("article_id", "enriched_at")) == enriched
    out, err = run("enrich", "--all")
    assert "Enriched 4 articles" in out and "4/4 articles" in err
    assert dict(Article.objects.values_list("pk", "story_cluster_id")) == before
    assert StoryCluster.objects.count() == 2


def test_retrain_learns_a_source_tag_and_predicts_it(client, admin_client, tmp_path):
    """Stories a source tagged teach the tagger; an untagged story then gets the tag."""
    records = [
        record(
            f"rates-{i}",
            f"Rates story {i}",
            themed_story(RATES, i),
            source="Wire",
            published=f"2022-10-{i + 1:02d}T10:00:00Z",
            topics=["Monetary policy"],
        )
        for i in range(12)
    ]
    records += [
        record(
            f"match-{i}",
            f"Match report {i}",
            themed_story(MATCHES, 100 + i),
            source="Wire",
            published=f"2022-10-{i + 1:02d}T11:00:00Z",
            topics=["Football"],
        )
        for i in range(12)
    ]
    records += [  # tagged by the source: none
        record(
            f"weather-{i}",
            f"Weather {i}",
            themed_story(WEATHER, 200 + i),
            source="Wire",
            published=f"2022-10-{i + 1:02d}T12:00:00Z",
            topics=[],
        )
        for i in range(12)
    ]
    records.append(
        record(
            "untagged",
            "Bank raises interest rates again",
            themed_story(RATES, 999),
            source="Blog",
            published="2022-10-20T10:00:00Z",
        )
    )
    ids = ingest(tmp_path, records)
    assert Article.objects.filter(topics_from_source=True).count() == 36
    out, _ = run("enrich", "--retrain")
    assert "2 topics learned from 36 tagged stories (12 with no topic)" in out
    topics = client.get(f"/api/articles/{ids['untagged']}").json()["topics"]
    predicted = {t["slug"]: t for t in topics}
    assert predicted["monetary-policy"]["origin"] == "predicted"
    assert "football" not in predicted
    given = client.get(f"/api/articles/{ids['rates-0']}").json()["topics"]
    assert {(t["slug"], t["origin"]) for t in given} >= {("monetary-policy", "source")}
    topic = Topic.objects.get(slug="monetary-policy")
    page = admin_client.get(reverse("admin:articles_topic_change", args=[topic.pk]))
    text = page.content.decode()
    assert "Words the tagger looks for" in text
    assert any(f"{word} (" in text for word in ("rates", "inflation", "bank", "monetary"))


def test_quiet_stories_leave_the_clusterer_state_but_keep_their_articles(client, tmp_path):
    """A story quiet for months is dropped from the saved state; its articles stay put."""
    from tidings.search import state
    from tidings.search.models import EnrichmentModel

    ids = ingest(
        tmp_path,
        [
            record(
                "old",
                "Earthquake kills 162 in Indonesia's West Java",
                QUAKE_INDONESIA,
                source="Wire",
                published="2022-01-10T09:00:00Z",
            ),
            record(
                "new",
                "Magnitude 6.4 quake hits northern California",
                QUAKE_CALIFORNIA,
                source="Wire",
                published="2022-12-20T11:00:00Z",
            ),
        ],
    )
    before = dict(Article.objects.values_list("pk", "story_cluster_id"))
    saved = state.decode_stories(
        bytes(EnrichmentModel.objects.get(name=EnrichmentModel.Name.CLUSTERER).payload)
    )
    assert len(saved["clusterer"].stories) == 1
    assert len(saved["rows"]) == 1 and ids["new"] in saved["clusterer"].members(
        cluster_id=next(iter(saved["clusterer"].stories))
    )
    run("enrich", "--all")
    assert dict(Article.objects.values_list("pk", "story_cluster_id")) == before
    assert StoryCluster.objects.count() == 2


def test_enrich_assigns_stories_a_job_left_waiting(client, quakes):
    """Articles enriched by a job whose story job never ran get their story from the CLI."""
    before = dict(Article.objects.values_list("pk", "story_cluster_id"))
    Article.objects.update(story_cluster=None)
    out, _ = run("enrich")
    assert "Nothing to enrich" in out
    assert dict(Article.objects.values_list("pk", "story_cluster_id")) == before
