"""Ranking-site fixtures: readers, a clean live state per test, and bulk story builders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tidings.articles.models import Article, ArticleTopic, Section, Topic
from tidings.ranking.selectors import live_state_forget
from tidings.ranking.services import state_refresh
from tidings.ranking.snapshots import blend_path, scorer_path
from tidings.sources.models import Source


@pytest.fixture(autouse=True)
def _fresh_live_state() -> Iterator[None]:
    """No state, trained scorer or learned blend carries over from another test's database."""
    live_state_forget()
    yield
    scorer_path().unlink(missing_ok=True)
    blend_path().unlink(missing_ok=True)
    live_state_forget()


@pytest.fixture
def reader(db):
    return get_user_model().objects.create_user(
        username="alice", email="alice@example.org", password="not-used-here"
    )


@pytest.fixture
def reader_client(reader) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def refresh():  # type: ignore[no-untyped-def]
    result = state_refresh()
    live_state_forget()
    return result


def bulk_stories(
    *, times: list[datetime], topic: Topic, source: Source, section: Section | None = None
) -> list[Article]:
    """Many published stories at once (bulk inserts: the trending windows need volume)."""
    articles = Article.objects.bulk_create(
        Article(
            headline=f"{topic.name} update {i}",
            slug=f"{topic.slug}-{i}",
            source=source,
            section=section,
            status=Article.Status.PUBLISHED,
            published_at=at,
        )
        for i, at in enumerate(times)
    )
    ArticleTopic.objects.bulk_create(ArticleTopic(article=a, topic=topic) for a in articles)
    return articles
