"""Editors decide: a blocked topic is never predicted, a merged one resolves to its target."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from tidings.articles import services
from tidings.articles.models import Article, ArticleTopic, Topic

pytestmark = pytest.mark.django_db(transaction=True)

DUMP = (
    Path(__file__).parents[1] / "ingestion" / "fixtures" / "dumps" / "national-daily-xi-putin.txt"
)


def ingest_page(tmp_path) -> Article:
    page = tmp_path / "xi-putin.txt"
    page.write_text(DUMP.read_text(encoding="utf-8"), encoding="utf-8")
    call_command("ingest", str(page), stdout=io.StringIO())
    return Article.objects.get()


def slugs(client, article: Article) -> dict[str, str]:
    topics = client.get(f"/api/articles/{article.pk}").json()["topics"]
    return {topic["slug"]: topic["origin"] for topic in topics}


def test_a_blocked_topic_is_never_predicted(client, tmp_path):
    """Blocked before the story arrives, or after (the next enrich drops the prediction)."""
    russia = Topic.objects.create(name="Russia", slug="russia", kind="place")
    services.topic_status_set(topic_ids=[russia.pk], status=Topic.Status.BLOCKED)
    article = ingest_page(tmp_path)
    assert "russia" not in slugs(client, article)
    assert "china" in slugs(client, article)
    china = Topic.objects.get(slug="china")
    services.topic_status_set(topic_ids=[china.pk], status=Topic.Status.BLOCKED)
    call_command("enrich", "--all", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ({"russia", "china"} & set(slugs(client, article)))


def test_a_merged_topic_resolves_to_the_topic_it_was_merged_into(client, tmp_path):
    ukraine = Topic.objects.create(name="Ukraine", slug="ukraine", kind="place")
    war = Topic.objects.create(name="War in Ukraine", slug="war-in-ukraine", kind="event")
    services.topic_merge(merged=ukraine, into=war)
    article = ingest_page(tmp_path)
    found = slugs(client, article)
    assert found.get("war-in-ukraine") == "predicted" and "ukraine" not in found


def test_an_editor_tag_is_never_downgraded_or_removed(client, tmp_path):
    article = ingest_page(tmp_path)
    china = Topic.objects.get(slug="china")
    services.article_topic_tag(article=article, topic=china)
    call_command("enrich", "--all", stdout=io.StringIO(), stderr=io.StringIO())
    tag = ArticleTopic.objects.get(article=article, topic=china)
    assert (tag.origin, tag.confidence) == ("editor", 1.0)


def test_a_desk_save_enriches_the_story(client, tmp_path):
    """The desk's save enqueues enrichment after commit: a changed body is re-tagged."""
    article = ingest_page(tmp_path)
    article.body_markdown = "Angela Merkel met Emmanuel Macron in Berlin to talk about Germany."
    article.headline = "Merkel and Macron meet in Berlin"
    services.article_save_from_desk(article=article)
    found = slugs(client, article)
    assert "germany" in found or "berlin" in found, found
    assert "ukraine" not in found
