"""The "Related stories" block under an article (loaded with HTMX)."""

from __future__ import annotations

import pytest

from tests.newsroom import story

pytestmark = pytest.mark.django_db


def test_article_page_loads_related_stories_that_share_its_topics(client):
    first = story(headline="Xi and Putin hold a video call", topics=["Xi Jinping", "Ukraine"])
    second = story(headline="Putin invites Xi to Moscow", topics=["Xi Jinping"])
    story(headline="Cricket: India win the series", section="Sport", topics=["Cricket"])
    page = client.get(first.get_absolute_url()).content.decode()
    assert f'hx-get="/a/{first.pk}/related/"' in page
    block = client.get(f"/a/{first.pk}/related/").content.decode()
    assert "Related stories" in block and second.headline in block
    assert first.headline not in block  # never the story itself


def test_related_block_for_a_missing_story_is_404(client):
    assert client.get("/a/999999/related/").status_code == 404
