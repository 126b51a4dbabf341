"""A national daily's page dump, ingested and enriched through the CLI, read through the API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from tidings.articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

DUMP = (
    Path(__file__).parents[1] / "ingestion" / "fixtures" / "dumps" / "national-daily-xi-putin.txt"
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_putin_xi_page_is_tagged_with_its_people_places_and_section(client, tmp_path):
    """Xi Jinping, Vladimir Putin, China, Russia and Ukraine, in World News, predicted."""
    page = tmp_path / "xi-putin.txt"
    page.write_text(DUMP.read_text(encoding="utf-8"), encoding="utf-8")
    run("ingest", str(page))
    out, _ = run("enrich", "--all")  # the job after the ingest already ran; --all redoes it
    assert "Enriched 1 articles" in out
    article = Article.objects.get()
    data = client.get(f"/api/articles/{article.pk}").json()
    names = {topic["name"] for topic in data["topics"]}
    assert {"Xi Jinping", "Vladimir Putin", "China", "Russia", "Ukraine"} <= names, data["topics"]
    assert data["section"] == "World News"
    origins = {topic["name"]: topic["origin"] for topic in data["topics"]}
    assert {origins[name] for name in ("China", "Russia", "Ukraine")} == {"predicted"}
    assert all(0 < topic["confidence"] <= 1 for topic in data["topics"])
    assert data["story_id"] is not None
    assert data["language"] == "en"
