"""The read-only story API: shapes, entitlements, paging caps, errors."""

from __future__ import annotations

import pytest

from tests.newsroom import story
from tidings.articles.models import Article, StoryCluster

pytestmark = pytest.mark.django_db


def test_article_detail_has_the_documented_shape(client):
    article = story(topics=["Xi Jinping", "Ukraine"])
    response = client.get(f"/api/articles/{article.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    data = response.json()
    for key in (
        "id",
        "headline",
        "url",
        "published",
        "section",
        "source",
        "language",
        "topics",
        "story_id",
    ):
        assert key in data
    assert data["section"] == "World News" and data["source"] == "Reuters"
    assert {topic["name"] for topic in data["topics"]} == {"Xi Jinping", "Ukraine"}
    assert set(data["topics"][0]) == {"slug", "name", "kind", "origin", "confidence"}
    assert data["topics"][0]["origin"] == "source" and data["full_text"] is True


def test_registered_only_story_body_needs_a_sign_in(client, django_user_model):
    article = story()
    Article.objects.filter(pk=article.pk).update(access=Article.Access.REGISTERED)
    anonymous = client.get(f"/api/articles/{article.pk}").json()
    assert anonymous["full_text"] is False and anonymous["body_html"] is None
    reader = django_user_model.objects.create_user("reader", "r@example.org", "long enough pass")
    client.force_login(reader)
    assert client.get(f"/api/articles/{article.pk}").json()["body_html"]


@pytest.mark.parametrize("path", ["/api/articles/999999", "/api/articles/0", "/api/stories/99999"])
def test_unknown_ids_answer_404_in_json(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "detail" in response.json()


def test_drafts_are_not_served(client):
    article = story()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert client.get(f"/api/articles/{article.pk}").status_code == 404


def test_stories_list_and_detail(client):
    cluster = StoryCluster.objects.create(title="Xi–Putin call", article_count=2)
    first, second = story(), story()
    Article.objects.filter(pk__in=[first.pk, second.pk]).update(story_cluster=cluster)
    page = client.get("/api/stories?limit=10&offset=0").json()
    assert page["total"] == 1
    assert page["items"][0] == {
        "id": cluster.pk,
        "title": "Xi–Putin call",
        "article_ids": sorted(
            [first.pk, second.pk], key=lambda pk: Article.objects.get(pk=pk).published_at
        ),
    }
    assert client.get(f"/api/stories/{cluster.pk}").json()["title"] == "Xi–Putin call"


@pytest.mark.parametrize(
    "query", ["limit=1000000", "limit=-1", "limit=0", "limit=abc", "offset=-5"]
)
def test_paging_is_capped_or_refused(client, query):
    response = client.get(f"/api/stories?{query}")
    assert response.status_code == 400


def test_openapi_schema_is_served(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/articles/{article_id}" in schema["paths"]
