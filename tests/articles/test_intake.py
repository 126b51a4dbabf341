"""Sources and ingestion end to end: the CLI, fake sites on loopback, the real store."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.common.conftest import fetch_settings, internal, public, resolver, sites  # noqa: F401
from tidings.articles.intake import source_poll
from tidings.articles.models import Article, ArticleTopic
from tidings.sources.models import Source

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>http://public.test/</link>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>http://public.test/{slug}</link><guid>{guid}</guid>
<description>&lt;p&gt;{title} &amp;mdash; the full story.&lt;/p&gt;</description>
<category>World News</category><pubDate>Fri, 30 Dec 2022 10:19:00 GMT</pubDate></item>"""


def feed_bytes(*titles: str, rotate: str = "") -> bytes:
    items = "".join(
        ITEM.format(title=title, slug=f"story-{n}", guid=f"g{n}{rotate}")
        for n, title in enumerate(titles)
    )
    return RSS.format(items=items).encode()


def serve(site, path: str, body: bytes, content_type: str = "application/rss+xml", **headers: str):
    def route(handler):  # type: ignore[no-untyped-def]
        if handler.headers.get("If-None-Match") == '"v1"' and "ETag" in headers:
            handler.answer(304)
        else:
            handler.answer(200, body, Content_Type=content_type, **headers)

    site.routes[path] = route


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_adding_a_feed_and_polling_it_twice_stores_each_story_once(
    fetch_settings, public, internal
):
    serve(public, "/feed.xml", feed_bytes("Quake hits coast", "Markets rally"), ETag='"v1"')
    url = public.url("/feed.xml", host="public.test")
    assert "added" in run("sources", "add", url)
    source = Source.objects.get()
    assert (source.kind, source.name) == ("feed", "Example Wire")
    first = json.loads(run("sources", "poll"))
    assert first["created"] == 2 and first["error"] == ""
    assert sorted(Article.objects.values_list("headline", flat=True)) == [
        "Markets rally",
        "Quake hits coast",
    ]
    assert ArticleTopic.objects.filter(topic__name="World News", origin="source").count() == 2
    again = json.loads(run("sources", "poll", str(source.pk)))
    assert again["not_modified"] is True and Article.objects.count() == 2
    assert internal.accepted == 0


def test_a_source_files_stories_under_its_section_when_items_name_none(fetch_settings, public):
    serve(public, "/feed.xml", feed_bytes("A").replace(b"<category>World News</category>", b""))
    run("sources", "add", public.url("/feed.xml", host="public.test"), "--section", "Asia")
    run("sources", "poll")
    assert Article.objects.get().section.name == "Asia"


def test_a_page_address_finds_its_feed(fetch_settings, public):
    serve(public, "/feed.xml", feed_bytes("One"))
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        b"</head></html>"
    )
    serve(public, "/", page, content_type="text/html")
    run("sources", "add", public.url("/", host="public.test"))
    assert Source.objects.get().url.endswith("/feed.xml")


def test_rotating_guids_do_not_duplicate_stories(fetch_settings, public):
    serve(public, "/feed.xml", feed_bytes("A", "B", "C"))
    run("sources", "add", public.url("/feed.xml", host="public.test"))
    source = Source.objects.get()
    for fetch in range(5):
        serve(public, "/feed.xml", feed_bytes("A", "B", "C", rotate=f"-{fetch}"))
        source_poll(source_id=source.pk, force=True)
    assert Article.objects.count() == 3


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://localhost/",
        "http://169.254.169.254/",
        "file:///etc/hostname",
    ],
)
def test_internal_and_non_web_addresses_are_refused_with_a_clear_message(
    fetch_settings, url, internal
):
    with pytest.raises(CommandError) as refused:
        run("sources", "add", url)
    assert str(refused.value) and "Traceback" not in str(refused.value)
    assert Source.objects.count() == 0 and internal.accepted == 0


def test_ingest_refuses_a_loopback_address_and_goes_on(fetch_settings, internal, tmp_path):
    out = run("ingest", internal.url("/secret"))
    result = json.loads(out)
    assert result["status"] == "error" and result["article_id"] is None
    assert "127.0.0.1" in result["error"]
    assert internal.accepted == 0


def test_three_parse_errors_in_a_row_pause_the_source(fetch_settings, public):
    serve(public, "/feed.xml", feed_bytes("A"))
    run("sources", "add", public.url("/feed.xml", host="public.test"))
    source = Source.objects.get()
    serve(public, "/feed.xml", b"\x00\x01 this is not a feed", content_type="application/rss+xml")
    for _ in range(3):
        report = source_poll(source_id=source.pk, force=True)
        assert report.error
    source.refresh_from_db()
    assert source.parse_error_count == 3 and source.next_poll_at is None
    assert "Paused" in source.last_error
    assert source_poll(source_id=source.pk).skipped  # not polled again until refreshed


def test_failures_back_off_and_retry_after_is_honoured(fetch_settings, public):
    serve(public, "/feed.xml", feed_bytes("A"))
    run("sources", "add", public.url("/feed.xml", host="public.test"))
    source = Source.objects.get()
    public.routes["/feed.xml"] = lambda handler: handler.answer(503, b"busy", Retry_After="3600")
    source_poll(source_id=source.pk, force=True)
    source.refresh_from_db()
    assert source.error_count == 1
    assert source.next_poll_at >= timezone.now() + timedelta(minutes=59)
    requests_before = len(public.paths)
    source_poll(source_id=source.pk, force=True)  # the host asked us to wait: no request
    assert len(public.paths) == requests_before


def test_opml_import_and_export_round_trip(tmp_path):
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="World"><outline text="Wire" type="rss" xmlUrl="https://wire.example/rss"/>'
        '<outline text="Bad" type="rss" xmlUrl="file:///etc/passwd"/></outline></body></opml>'
    )
    assert "1 sources added" in run("sources", "import-opml", str(opml))
    assert "0 sources added, 1 already there" in run("sources", "import-opml", str(opml))
    exported = tmp_path / "out.opml"
    run("sources", "export-opml", str(exported))
    assert "https://wire.example/rss" in exported.read_text()


def test_ingest_jsonl_is_idempotent_and_reports_each_line(tmp_path):
    lines = [
        {
            "external_id": "r1",
            "url": "https://wire.example/r1",
            "headline": "Xi calls Putin",
            "body_text": "Para one.\nPara two.",
            "published": "2022-12-30T10:19:00Z",
            "section": "World News",
            "source": "Reuters",
            "topics": ["Xi Jinping", "Vladimir Putin"],
        },
        {"external_id": "r2", "headline": "No body but fine", "source": "Reuters"},
        {"headline": "no id"},
        {"external_id": "r3", "headline": "Bad date", "published": "yesterday"},
        {"external_id": "r4", "headline": "Sneaky", "is_staff": True},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    first = [json.loads(line) for line in run("ingest", "--jsonl", str(path)).splitlines()]
    assert [row["status"] for row in first] == [
        "created",
        "created",
        "error",
        "error",
        "error",
        "error",
    ]
    assert all(set(row) == {"external_id", "article_id", "status", "error"} for row in first)
    second = [json.loads(line) for line in run("ingest", "--jsonl", str(path)).splitlines()]
    assert [row["status"] for row in second][:2] == ["unchanged", "unchanged"]
    article = Article.objects.get(external_id="r1")
    assert article.section.name == "World News" and article.source.name == "Reuters"
    assert set(article.article_topics.values_list("origin", flat=True)) == {"source"}
    assert Article.objects.count() == 2


def test_ingest_html_pages_and_text_dumps_from_files(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html lang=en><head><title>Quake hits coast | Example</title>"
        '<link rel="canonical" href="https://news.example/world/quake-1"></head><body>'
        "<article><h1>Quake hits coast</h1>"
        + "".join(
            f"<p>Paragraph {n} of the earthquake report, with enough words to be body text "
            "that any extractor keeps as the story itself.</p>"
            for n in range(6)
        )
        + "</article></body></html>"
    )
    dump = tmp_path / "page.txt"
    dump.write_text(
        "Sign in\nHome / World News\nQuake hits coast | Example News\nQuake hits coast\n"
        "Published on Dec 30, 2022 03:49 PM IST\n"
        + "\n".join(
            f"Paragraph {n} of the earthquake report, long enough to be kept as text of the "
            "story by the cleaner."
            for n in range(6)
        )
        + "\nShare\nFollow us\n"
    )
    rows = [json.loads(line) for line in run("ingest", str(page), str(dump)).splitlines()]
    assert [row["status"] for row in rows] == ["created", "created"]
    again = [json.loads(line) for line in run("ingest", str(page), str(dump)).splitlines()]
    assert [row["status"] for row in again] == ["unchanged", "unchanged"]
    assert Article.objects.count() == 2
    assert Article.objects.get(source__kind="page").headline == "Quake hits coast"
    from_dump = Article.objects.get(source__kind="text_dump")
    assert (from_dump.headline, from_dump.section.name) == ("Quake hits coast", "World News")
    missing = json.loads(run("ingest", str(tmp_path / "nope.html")))
    assert missing["status"] == "error"


def test_rotating_guids_without_links_do_not_duplicate_stories(fetch_settings, public):
    """R8: items with no link whose GUIDs change on every fetch are recognised by content."""

    def feed(rotation: int) -> bytes:
        items = "".join(
            f'<item><title>Bulletin {n}</title><guid isPermaLink="false">g{n}-{rotation}</guid>'
            f"<description>Bulletin {n} text.</description></item>"
            for n in range(3)
        )
        return RSS.format(items=items).encode()

    serve(public, "/feed.xml", feed(0))
    run("sources", "add", public.url("/feed.xml", host="public.test"))
    source = Source.objects.get()
    for rotation in range(5):
        serve(public, "/feed.xml", feed(rotation))
        source_poll(source_id=source.pk, force=True)
    assert Article.objects.count() == 3
    first_ids = set(Article.objects.values_list("external_id", flat=True))
    assert len(first_ids) == 3  # each story keeps the identity it was first stored under
