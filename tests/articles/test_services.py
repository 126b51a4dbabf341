"""Storing stories: idempotent ingestion, revisions, retractions, sanitising, topics."""

from __future__ import annotations

import pytest

from tests.newsroom import agency, story
from tidings.articles.models import Article, ArticleTopic, Revision, Topic
from tidings.articles.services import (
    article_retract,
    article_save_from_desk,
    article_topics_set,
    article_upsert,
    topic_alias_add,
    topic_for_name,
    topic_merge,
)
from tidings.common.errors import InvalidInput
from tidings.ingestion.types import ExtractedArticle, RelatedLink

pytestmark = pytest.mark.django_db


def incoming(**changes: object) -> ExtractedArticle:
    values = {
        "url": "https://wire.example/a",
        "headline": "Quake hits coast",
        "body_text": "First paragraph.\nSecond paragraph.",
        "breadcrumb": ["Home", "World News", "Asia"],
        "topics": ["Japan"],
    }
    values.update(changes)
    return ExtractedArticle(**values)  # type: ignore[arg-type]


def test_the_same_item_twice_is_stored_once():
    source = agency()
    first = article_upsert(source=source, extracted=incoming(), external_id="q1")
    second = article_upsert(source=source, extracted=incoming(), external_id="q1")
    assert (first.status, second.status) == ("created", "unchanged")
    assert Article.objects.count() == 1 and Revision.objects.count() == 0


def test_the_same_url_without_an_id_is_stored_once():
    source = agency()
    article_upsert(source=source, extracted=incoming())
    assert article_upsert(source=source, extracted=incoming()).status == "unchanged"
    assert Article.objects.count() == 1


def test_changed_content_keeps_a_revision():
    source = agency()
    article_upsert(source=source, extracted=incoming(), external_id="q1")
    result = article_upsert(
        source=source, extracted=incoming(headline="Quake kills 12"), external_id="q1"
    )
    assert result.status == "updated"
    article = Article.objects.get()
    assert article.headline == "Quake kills 12" and article.updated_at is not None
    assert list(article.revisions.values_list("headline", flat=True)) == ["Quake hits coast"]


def test_a_retraction_from_the_source_is_honoured():
    source = agency()
    article_upsert(source=source, extracted=incoming(), external_id="q1")
    result = article_upsert(source=source, extracted=incoming(), external_id="q1", retracted=True)
    assert result.status == "updated" and result.article.status == Article.Status.RETRACTED
    again = article_upsert(source=source, extracted=incoming(), external_id="q1", retracted=True)
    assert again.status == "unchanged"


def test_breadcrumb_becomes_a_section_tree_and_topics_are_tagged_from_the_source():
    article = article_upsert(source=agency(), extracted=incoming(), external_id="q1").article
    assert str(article.section) == "World News / Asia"
    tag = ArticleTopic.objects.get(article=article)
    assert (tag.topic.name, tag.origin) == ("Japan", "source")


def test_related_links_to_known_stories_are_resolved():
    target = story()
    article = article_upsert(
        source=agency(),
        extracted=incoming(related_links=[RelatedLink(url=target.canonical_url, title="Earlier")]),
        external_id="q1",
    ).article
    assert article.related_links == [
        {"url": target.canonical_url, "title": "Earlier", "article_id": target.pk}
    ]


def test_script_in_an_ingested_body_is_neutralised():
    html = (
        '<p>Hi<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">x</a></p>'
    )
    article = article_upsert(
        source=agency(), extracted=incoming(body_html=html), external_id="q1"
    ).article
    assert "script" not in article.body_html and "onerror" not in article.body_html
    assert "javascript:" not in article.body_html


def test_desk_markdown_is_rendered_and_sanitised():
    article = Article(
        headline="Desk story",
        body_markdown="Hello **world**\n\n<script>alert(1)</script>",
        status="published",
    )
    article_save_from_desk(article=article)
    assert "<strong>world</strong>" in article.body_html and "<script>" not in article.body_html
    assert article.source.kind == "desk" and article.published_at is not None


def test_editing_a_published_story_with_a_correction_keeps_the_old_version():
    article = Article(headline="Minister resigns", body_markdown="Text.", status="published")
    article_save_from_desk(article=article)
    article.body_markdown = "Corrected text."
    article_save_from_desk(
        article=article, correction_note="An earlier version misnamed the ministry."
    )
    revision = article.revisions.get()
    assert revision.body_html == "<p>Text.</p>" and "misnamed" in revision.correction_note


def test_a_draft_can_be_edited_without_revisions():
    article = Article(headline="Draft", body_markdown="One.")
    article_save_from_desk(article=article)
    article.body_markdown = "Two."
    article_save_from_desk(article=article)
    assert article.revisions.count() == 0


def test_retraction_needs_a_note():
    article = story()
    with pytest.raises(InvalidInput):
        article_retract(article=article, note=" ")
    article_retract(article=article, note="The quotes could not be verified.")
    assert article.status == Article.Status.RETRACTED


def test_aliases_and_merges_resolve_to_one_topic():
    xi = topic_for_name(name="Xi Jinping", kind=Topic.Kind.PERSON)
    topic_alias_add(topic=xi, name="President Xi")
    assert topic_for_name(name="president  XI") == xi
    duplicate = Topic.objects.create(name="Xi", slug="xi")
    article = story(topics=[])
    article_topics_set(article=article, names=["Xi"], origin="predicted", confidence=0.7)
    topic_merge(merged=duplicate, into=xi)
    assert list(article.topics.all()) == [xi]
    assert topic_for_name(name="Xi") == xi


def test_an_editor_tag_is_never_downgraded():
    article = story(topics=[])
    article_topics_set(article=article, names=["Ukraine"], origin="editor")
    article_topics_set(article=article, names=["Ukraine"], origin="predicted", confidence=0.4)
    tag = ArticleTopic.objects.get(article=article)
    assert (tag.origin, tag.confidence) == ("editor", 1.0)
