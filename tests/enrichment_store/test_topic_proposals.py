"""New names become topics only once several sources carry them (issue 4, item 2).

Through `tidings ingest --jsonl` (whose job enriches each story), `tidings enrich`, the JSON
API, the topic pages and the editor desk; the rule itself in `proposals_from_sightings`.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import lxml.etree
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tests.enrichment_store.stories import record, write_jsonl
from tidings.articles.models import Article, ArticleTopic, NameSighting, Topic
from tidings.enrichment.aliases import proposals_from_sightings
from tidings.enrichment.types import NameSeen

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Elena Marwick"
OPENINGS = [
    "The Portsmouth harbour board on Monday named {name} as its new chief executive.",
    "Ferry unions met {name} on Tuesday to talk about night shifts at the docks.",
    "Shipping lines said {name} had promised faster customs checks at the terminal.",
    "Dock workers cheered when {name} visited the container yard in the rain.",
    "Port investors want {name} to publish the dredging plan before the summer.",
    "Harbour pilots wrote to {name} about the fog rules on the eastern approach.",
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def harbour_story(number: int, *, source: str, name: str = NAME, day: int = 1) -> dict:
    surname = name.split()[-1]
    body = (
        OPENINGS[number % len(OPENINGS)].format(name=name)
        + f" {surname}, who ran a ferry operator for a decade, answered questions for an hour."
        + f" Board members said {name} would report again in story number {number}."
    )
    return record(
        f"{source.lower()}-{number}",
        f"{name} and the harbour, part {number}",
        body,
        source=source,
        published=f"2026-11-{day:02d}T{8 + number % 10:02d}:00:00Z",
    )


def ingest(tmp_path, *records: dict) -> dict[str, int]:
    path = write_jsonl(tmp_path / f"batch-{Article.objects.count()}.jsonl", list(records))
    run("ingest", "--jsonl", str(path))
    return dict(Article.objects.values_list("external_id", "pk"))


def predicted(topic: Topic) -> dict[int, float]:
    tags = ArticleTopic.objects.filter(topic=topic, origin=ArticleTopic.Origin.PREDICTED)
    return dict(tags.values_list("article_id", "confidence"))


def test_one_source_repeating_a_name_proposes_nothing(tmp_path):
    """Four stories from one wire and one from a second source: still no topic."""
    ingest(tmp_path, *(harbour_story(i, source="Wire") for i in range(4)))
    assert not Topic.objects.filter(slug="elena-marwick").exists()
    assert NameSighting.objects.filter(key="elena marwick").count() == 4
    ingest(tmp_path, harbour_story(10, source="Gazette"))
    assert not Topic.objects.filter(slug="elena-marwick").exists()


def test_a_third_source_proposes_one_topic_and_tags_the_earlier_stories(client, tmp_path):
    ids = ingest(
        tmp_path,
        harbour_story(0, source="Wire"),
        harbour_story(1, source="Wire"),
        harbour_story(2, source="Gazette"),
    )
    ids = ingest(tmp_path, harbour_story(3, source="Daily", day=3))
    topic = Topic.objects.get(slug="elena-marwick")
    assert (topic.name, topic.kind, topic.status) == (NAME, "person", "proposed")
    assert set(predicted(topic)) == set(ids.values())
    assert all(0.55 <= confidence < 1 for confidence in predicted(topic).values())
    assert not NameSighting.objects.exists()  # spent: the next story links directly

    ids = ingest(tmp_path, harbour_story(4, source="Blog", day=4))
    assert ids["blog-4"] in predicted(topic)
    assert Topic.objects.filter(name__icontains="marwick").count() == 1
    assert not NameSighting.objects.exists()


def test_readers_see_a_proposed_topic_only_once_an_editor_approves_it(
    client, admin_client, tmp_path
):
    ids = ingest(tmp_path, *(harbour_story(i, source=s) for i, s in enumerate("ABC")))
    topic = Topic.objects.get(slug="elena-marwick", status="proposed")
    api = f"/api/articles/{ids['a-0']}"
    assert "elena-marwick" not in {t["slug"] for t in client.get(api).json()["topics"]}
    assert client.get("/topic/elena-marwick/").status_code == 404
    assert headline_keywords(client)[f"{NAME} and the harbour, part 0"] == ""

    changelist = reverse("admin:articles_topic_changelist")
    listing = admin_client.get(changelist, {"status__exact": "proposed"}).content.decode()
    assert NAME in listing
    admin_client.post(changelist, {"action": "approve_topics", "_selected_action": [topic.pk]})
    tags = {t["slug"]: t for t in client.get(api).json()["topics"]}
    assert tags["elena-marwick"]["origin"] == "predicted"
    assert tags["elena-marwick"]["confidence"] == pytest.approx(predicted(topic)[ids["a-0"]])
    assert set(tags["elena-marwick"]) == {"slug", "name", "kind", "origin", "confidence"}
    assert client.get("/topic/elena-marwick/").status_code == 200
    assert headline_keywords(client)[f"{NAME} and the harbour, part 0"] == NAME


def headline_keywords(client) -> dict[str, str]:
    """The Google News sitemap's keywords by headline, read while the stories are new."""
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=UTC)):
        page = lxml.etree.fromstring(client.get(reverse("web:news-sitemap")).content)
    news = {"news": "http://www.google.com/schemas/sitemap-news/0.9"}
    return {
        entry.findtext("news:title", namespaces=news): entry.findtext(
            "news:keywords", default="", namespaces=news
        )
        for entry in page.iterfind(".//news:news", namespaces=news)
    }


def test_a_blocked_proposal_never_comes_back(client, admin_client, tmp_path):
    ingest(tmp_path, *(harbour_story(i, source=s) for i, s in enumerate("ABC")))
    topic = Topic.objects.get(slug="elena-marwick")
    changelist = reverse("admin:articles_topic_changelist")
    admin_client.post(changelist, {"action": "block_topics", "_selected_action": [topic.pk]})
    run("enrich", "--all")
    assert not predicted(topic)
    ingest(tmp_path, *(harbour_story(10 + i, source=s) for i, s in enumerate("DEFG")))
    assert not predicted(topic) and not NameSighting.objects.exists()
    assert Topic.objects.filter(name__icontains="marwick").count() == 1
    assert Topic.objects.get().status == "blocked"


def test_a_proposal_merged_on_the_desk_tags_new_stories_with_the_target(admin_client, tmp_path):
    ingest(tmp_path, *(harbour_story(i, source=s) for i, s in enumerate("ABC")))
    proposed = Topic.objects.get(slug="elena-marwick")
    kept = Topic.objects.create(name="Elena Marwick-Hale", slug="elena-marwick-hale", kind="person")
    changelist = reverse("admin:articles_topic_changelist")
    chosen = {"action": "merge_topics", "_selected_action": [proposed.pk, kept.pk]}
    admin_client.post(changelist, {**chosen, "post": "yes", "into": kept.pk})
    ids = ingest(tmp_path, harbour_story(5, source="D"))
    assert ids["d-5"] in predicted(kept)
    assert not predicted(proposed)


def test_gazetteer_names_are_topics_at_first_sight(client, tmp_path):
    """A country the shipped gazetteer knows is an approved topic from its first story."""
    story = record(
        "norway-1",
        "Norway opens new Arctic ferry terminal",
        "Norway opened a ferry terminal in Tromso on Monday. Norway's transport minister said "
        "the route would run all winter. Ferry companies in Norway welcomed the news.",
        source="Wire",
        published="2026-11-02T09:00:00Z",
    )
    ids = ingest(tmp_path, story)
    topic = Topic.objects.get(slug="norway")
    assert topic.status == "approved"
    slugs = {t["slug"] for t in client.get(f"/api/articles/{ids['norway-1']}").json()["topics"]}
    assert "norway" in slugs


def test_enriching_again_changes_nothing(tmp_path):
    """`enrich --all` twice: the same sightings, topics and tags, none doubled."""
    ingest(
        tmp_path,
        *(harbour_story(i, source=s) for i, s in enumerate("AB")),
        *(harbour_story(10 + i, source=s, name="Thomas Verhoeven") for i, s in enumerate("ABC")),
    )

    def state() -> tuple[object, ...]:
        return (
            sorted(NameSighting.objects.values_list("key", "article_id", "source_id")),
            sorted(Topic.objects.values_list("slug", "status")),
            sorted(ArticleTopic.objects.values_list("article_id", "topic_id", "origin")),
        )

    before = state()
    assert len(before[0]) == 2 and ("thomas-verhoeven", "proposed") in before[1]
    out = run("enrich", "--all")
    assert "Proposed to editors" not in out
    assert state() == before
    run("enrich", "--all")
    assert state() == before


def test_the_enrich_summary_names_the_proposals(tmp_path, monkeypatch):
    """A bulk import whose jobs have not run: `tidings enrich` proposes and says so."""
    from tidings.articles import services

    monkeypatch.setattr(services, "enrich_later", lambda **_: None)
    ingest(tmp_path, *(harbour_story(i, source=s) for i, s in enumerate("ABC")))
    out = run("enrich")
    assert f"Proposed to editors: {NAME}." in out
    assert "(1 new topics)" in out


def test_sightings_older_than_the_window_are_forgotten(tmp_path):
    ingest(tmp_path, *(harbour_story(i, source=s) for i, s in enumerate("AB")))
    assert NameSighting.objects.count() == 2
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31)):
        ingest(tmp_path, harbour_story(3, source="C", name="Thomas Verhoeven"))
        assert list(NameSighting.objects.values_list("key", flat=True)) == ["thomas verhoeven"]
        ingest(tmp_path, harbour_story(4, source="D"))
    assert not Topic.objects.filter(slug="elena-marwick").exists()


def test_a_story_that_drops_the_name_drops_its_sighting(tmp_path):
    ids = ingest(tmp_path, harbour_story(0, source="Wire"))
    assert NameSighting.objects.filter(article_id=ids["wire-0"]).exists()
    Article.objects.filter(pk=ids["wire-0"]).update(
        body_text="The harbour board met on Monday and talked about the weather.",
        headline="Harbour board meets",
        content_hash="changed",
    )
    run("enrich")
    assert not NameSighting.objects.exists()


# --- the rule, as a pure function -----------------------------------------------------------


def seen(name: str, source: str, day: int | None = None, kind: str = "person") -> NameSeen:
    at = None if day is None else datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=day)
    return NameSeen(name, kind, source, seen_at=at)


def test_the_rule_counts_distinct_sources_not_stories():
    one_source = [seen("Elena Marwick", "wire") for _ in range(10)]
    assert proposals_from_sightings(sightings=one_source, min_sources=2) == []
    two = [*one_source, seen("elena marwick", "gazette")]
    (proposal,) = proposals_from_sightings(sightings=two, min_sources=2)
    assert (proposal.name, proposal.source_count, proposal.story_count) == (NAME, 2, 11)
    assert proposal.sources == ("gazette", "wire")


def test_the_rule_wants_the_sources_within_the_window():
    window = timedelta(days=30)
    apart = [seen(NAME, "a", 0), seen(NAME, "b", 20), seen(NAME, "c", 45)]
    assert proposals_from_sightings(sightings=apart, min_sources=3, window=window) == []
    close = [*apart, seen(NAME, "a", 40)]  # b, c and a within 25 days
    assert [p.name for p in proposals_from_sightings(sightings=close, min_sources=3, window=window)]


def test_the_rule_takes_the_most_used_spelling_and_kind():
    sightings = [
        seen("Marwick Group", "a", kind="organisation"),
        seen("Marwick Group", "b", kind="organisation"),
        seen("MARWICK GROUP", "c", kind="person"),
    ]
    (proposal,) = proposals_from_sightings(sightings=sightings, min_sources=3)
    assert (proposal.name, proposal.kind) == ("Marwick Group", "organisation")
