"""SECURITY.md S5: one guard for every outbound fetch, through the commands users touch.

Representative S1 addresses, an S3 redirect to an internal address and S4 DNS rebinding
are tried against each path that fetches: ``tidings sources add`` (the feed fetch and
feed discovery), ``tidings sources import-opml`` then ``poll``, ``tidings sources poll``
of a sitemap, ``tidings ingest URL``, ``tidings extract URL`` and the media proxy. Every
attempt is refused with a message that says so, and the internal listener on 127.0.0.1
sees no connection at all.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.common.conftest import fetch_settings, internal, public, resolver, sites  # noqa: F401
from tests.common.fakes import FakeSite
from tidings.articles.intake import source_poll
from tidings.articles.models import Article
from tidings.common.http import StaticResolver
from tidings.sources.models import Source
from tidings.web.views.media_proxy import media_proxy_path

pytestmark = pytest.mark.django_db

# A spread of S1: the plain loopback, names, odd IPv4 spellings, private ranges, IPv6 and
# IPv6 forms wrapping an IPv4 address ({port} is the internal listener's port).
S1_SAMPLE = [
    "http://127.0.0.1:{port}/{path}",
    "http://localhost:{port}/{path}",
    "http://0.0.0.0:{port}/{path}",
    "http://2130706433:{port}/{path}",
    "http://0x7f.1:{port}/{path}",
    "http://0177.0.0.1:{port}/{path}",
    "http://169.254.169.254:{port}/{path}",
    "http://10.0.0.1:{port}/{path}",
    "http://100.64.0.1:{port}/{path}",
    "http://[::1]:{port}/{path}",
    "http://[::ffff:127.0.0.1]:{port}/{path}",
    "http://[64:ff9b::a9fe:a9fe]:{port}/{path}",
]
REFUSAL_WORDS = ("not a public address", "always names this machine", "refused")
SECRET = b"internal secrets: the admin password is hunter2"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Inside</title><link>http://example.org/</link>
<item><title>Internal memo</title><link>http://example.org/memo</link><guid>m1</guid>
<description>internal secrets</description></item></channel></rss>"""
ARTICLE = b"""<html><head><title>Internal memo</title></head><body><article>
<h1>Internal memo</h1><p>internal secrets: the admin password is hunter2.</p>
</article></body></html>"""


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def internal_url(template: str, internal: FakeSite, path: str = "feed.xml") -> str:
    return template.format(port=internal.port, path=path)


def serve_everything_inside(internal: FakeSite) -> None:
    """What an attacker hopes to read: if any request got through, the tests would see it."""
    for path in ("/feed.xml", "/memo", "/", "/photo.png", "/robots.txt", "/sitemap.xml"):
        internal.routes[path] = lambda h: h.answer(200, RSS, Content_Type="application/rss+xml")
    internal.routes["/memo"] = lambda h: h.answer(200, ARTICLE, Content_Type="text/html")


def redirect(site: FakeSite, path: str, location: str) -> None:
    site.routes[path] = lambda h: h.answer(302, Location=location)


def says_refused(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in REFUSAL_WORDS)


def rebinding(settings) -> StaticResolver:  # type: ignore[no-untyped-def]
    """First lookup 127.0.0.2 (allowed), every later one 127.0.0.1 (WordPress CVE-2022-3590)."""
    table = StaticResolver({"rebind.test": ["127.0.0.2", "127.0.0.1"], "public.test": "127.0.0.2"})
    settings.FETCH_RESOLVER = table
    return table


def nothing_inside_was_stored() -> bool:
    return not Article.objects.filter(headline__icontains="internal memo").exists()


# --- tidings sources add: the feed fetch ----------------------------------------------------


@pytest.mark.parametrize("template", S1_SAMPLE)
def test_sources_add_refuses_internal_addresses(fetch_settings, internal, template):
    serve_everything_inside(internal)
    with pytest.raises(CommandError) as refused:
        run("sources", "add", internal_url(template, internal))
    assert says_refused(str(refused.value)), str(refused.value)
    assert Source.objects.count() == 0 and internal.accepted == 0


def test_sources_add_refuses_a_redirect_inside(fetch_settings, public, internal):
    serve_everything_inside(internal)
    redirect(public, "/feed.xml", internal.url("/feed.xml"))
    with pytest.raises(CommandError) as refused:
        run("sources", "add", public.url("/feed.xml", host="public.test"))
    assert says_refused(str(refused.value))
    assert Source.objects.count() == 0 and internal.accepted == 0


def test_sources_add_then_poll_under_rebinding_never_reaches_inside(
    fetch_settings, public, internal
):
    """The add's lookup is public; the poll's lookup turns internal and is refused."""
    serve_everything_inside(internal)
    public.routes["/feed.xml"] = lambda h: h.answer(200, RSS, Content_Type="application/rss+xml")
    rebinding(fetch_settings)
    run("sources", "add", public.url("/feed.xml", host="rebind.test"))
    report = json.loads(run("sources", "poll", str(Source.objects.get().pk)))
    assert says_refused(report["error"]) and report["created"] == 0
    assert Source.objects.get().error_count == 1
    assert internal.accepted == 0


# --- tidings sources add: feed discovery ----------------------------------------------------


def page_naming_feed(href: str) -> bytes:
    return (
        '<html><head><title>News</title><link rel="alternate" type="application/rss+xml" '
        f'href="{href}"></head><body><p>Front page</p></body></html>'
    ).encode()


@pytest.mark.parametrize("template", S1_SAMPLE[:6])
def test_discovery_refuses_a_feed_link_to_an_internal_address(
    fetch_settings, public, internal, template
):
    serve_everything_inside(internal)
    page = page_naming_feed(internal_url(template, internal))
    public.routes["/"] = lambda h: h.answer(200, page, Content_Type="text/html")
    with pytest.raises(CommandError) as refused:
        run("sources", "add", public.url("/", host="public.test"))
    assert says_refused(str(refused.value)), str(refused.value)
    assert Source.objects.count() == 0 and internal.accepted == 0


def test_discovery_refuses_a_feed_link_that_redirects_inside(fetch_settings, public, internal):
    serve_everything_inside(internal)
    page = page_naming_feed("/feed.xml")
    public.routes["/"] = lambda h: h.answer(200, page, Content_Type="text/html")
    redirect(public, "/feed.xml", internal.url("/feed.xml"))
    with pytest.raises(CommandError) as refused:
        run("sources", "add", public.url("/", host="public.test"))
    assert says_refused(str(refused.value))
    assert public.paths == ["/", "/feed.xml"] and internal.accepted == 0


def test_discovery_under_rebinding_never_reaches_inside(fetch_settings, public, internal):
    serve_everything_inside(internal)
    page = page_naming_feed("/feed.xml")
    public.routes["/"] = lambda h: h.answer(200, page, Content_Type="text/html")
    public.routes["/feed.xml"] = lambda h: h.answer(200, RSS, Content_Type="application/rss+xml")
    rebinding(fetch_settings)
    with pytest.raises(CommandError) as refused:
        run("sources", "add", public.url("/", host="rebind.test"))
    assert says_refused(str(refused.value))
    assert internal.accepted == 0


def test_discovery_still_adds_a_public_feed(fetch_settings, public, internal):
    """Control: the same page naming a public feed is followed to it."""
    page = page_naming_feed("/feed.xml")
    public.routes["/"] = lambda h: h.answer(200, page, Content_Type="text/html")
    public.routes["/feed.xml"] = lambda h: h.answer(200, RSS, Content_Type="application/rss+xml")
    assert "added" in run("sources", "add", public.url("/", host="public.test"))
    assert Source.objects.get().kind == Source.Kind.FEED and internal.accepted == 0


# --- tidings sources import-opml, then poll -------------------------------------------------


def opml_of(urls: list[str]) -> bytes:
    outlines = "".join(
        f'<outline type="rss" text="Feed {n}" xmlUrl="{url.replace("&", "&amp;")}"/>'
        for n, url in enumerate(urls)
    )
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head>'
        f"<body>{outlines}</body></opml>"
    ).encode()


def test_every_url_of_an_imported_opml_is_refused_when_polled(
    fetch_settings, public, internal, tmp_path
):
    serve_everything_inside(internal)
    redirect(public, "/moved.xml", internal.url("/feed.xml"))
    urls = [internal_url(template, internal) for template in S1_SAMPLE]
    urls.append(public.url("/moved.xml", host="public.test"))  # S3
    urls.append("file:///etc/hostname")  # S2: skipped at import
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(opml_of(urls))
    assert run("sources", "import-opml", str(opml)).startswith(f"{len(urls) - 1} sources added")
    reports = [json.loads(line) for line in run("sources", "poll").splitlines()]
    assert len(reports) == len(urls) - 1
    for report in reports:
        assert says_refused(report["error"]), report
        assert report["created"] == 0
    assert all(source.error_count == 1 for source in Source.objects.all())
    assert public.paths == ["/moved.xml"]
    assert nothing_inside_was_stored() and internal.accepted == 0


def test_an_imported_opml_feed_under_rebinding_is_refused_when_polled(
    fetch_settings, public, internal, tmp_path
):
    serve_everything_inside(internal)
    public.routes["/feed.xml"] = lambda h: h.answer(200, RSS, Content_Type="application/rss+xml")
    table = rebinding(fetch_settings)
    table("rebind.test", 80)  # the attacker's first, public answer went to someone else
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(opml_of([public.url("/feed.xml", host="rebind.test")]))
    run("sources", "import-opml", str(opml))
    report = json.loads(run("sources", "poll"))
    assert says_refused(report["error"])
    assert nothing_inside_was_stored() and internal.accepted == 0


# --- tidings sources poll of a sitemap ------------------------------------------------------


def sitemap_of(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{url.replace('&', '&amp;')}</loc></url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def test_a_sitemap_listing_internal_articles_fetches_none_of_them(fetch_settings, public, internal):
    serve_everything_inside(internal)
    redirect(public, "/news/moved", internal.url("/memo"))
    public.routes["/robots.txt"] = lambda h: h.answer(200, b"User-agent: *\nAllow: /\n")
    listed = [internal_url(template, internal, path="memo") for template in S1_SAMPLE]
    listed.append(public.url("/news/moved", host="public.test"))  # S3
    body = sitemap_of(listed)
    public.routes["/sitemap.xml"] = lambda h: h.answer(200, body, Content_Type="application/xml")
    run("sources", "add", public.url("/sitemap.xml", host="public.test"))
    source = Source.objects.get()
    assert source.kind == Source.Kind.SITEMAP
    report = source_poll(source_id=source.pk, force=True)
    assert report.created == 0 and report.failed == len(listed)
    errors = [item["error"] for item in report.items]
    assert len(errors) == len(listed) and all(says_refused(str(error)) for error in errors)
    assert nothing_inside_was_stored() and internal.accepted == 0


def test_a_sitemap_poll_through_the_command_reports_the_refusals(fetch_settings, public, internal):
    serve_everything_inside(internal)
    body = sitemap_of([internal.url("/memo")])
    public.routes["/sitemap.xml"] = lambda h: h.answer(200, body, Content_Type="application/xml")
    run("sources", "add", public.url("/sitemap.xml", host="public.test"))
    report = json.loads(run("sources", "poll", str(Source.objects.get().pk)))
    assert report["failed"] == 1 and report["created"] == 0
    assert internal.accepted == 0


def test_a_sitemap_article_under_rebinding_never_reaches_inside(fetch_settings, public, internal):
    serve_everything_inside(internal)
    public.routes["/robots.txt"] = lambda h: h.answer(200, b"User-agent: *\nAllow: /\n")
    public.routes["/memo"] = lambda h: h.answer(200, ARTICLE, Content_Type="text/html")
    body = sitemap_of([public.url("/memo", host="rebind.test")])
    public.routes["/sitemap.xml"] = lambda h: h.answer(200, body, Content_Type="application/xml")
    run("sources", "add", public.url("/sitemap.xml", host="public.test"))
    rebinding(fetch_settings)("rebind.test", 80)  # spend the public answer
    report = source_poll(source_id=Source.objects.get().pk, force=True)
    assert report.failed == 1 and says_refused(str(report.items[0]["error"]))
    assert internal.accepted == 0


# --- tidings ingest URL ---------------------------------------------------------------------


def ingest_lines(*locations: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in run("ingest", *locations).splitlines()]


def test_ingest_refuses_every_internal_address_and_goes_on(fetch_settings, public, internal):
    serve_everything_inside(internal)
    redirect(public, "/moved", internal.url("/memo"))
    locations = [internal_url(template, internal, path="memo") for template in S1_SAMPLE]
    locations.append(public.url("/moved", host="public.test"))
    results = ingest_lines(*locations)
    assert len(results) == len(locations)
    for result in results:
        assert result["status"] == "error" and says_refused(str(result["error"])), result
    assert Article.objects.count() == 0 and internal.accepted == 0


def test_ingest_under_rebinding_never_reaches_inside(fetch_settings, public, internal):
    serve_everything_inside(internal)
    public.routes["/memo"] = lambda h: h.answer(200, b"<html>public</html>")
    rebinding(fetch_settings)
    results = ingest_lines(public.url("/memo", host="rebind.test"))
    assert results[0]["status"] == "error" or nothing_inside_was_stored()
    assert nothing_inside_was_stored() and internal.accepted == 0


# --- tidings extract URL --------------------------------------------------------------------


def extract_lines(*locations: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in run("extract", "--jsonl", *locations).splitlines()]


def test_extract_refuses_every_internal_address_and_goes_on(fetch_settings, public, internal):
    serve_everything_inside(internal)
    redirect(public, "/moved", internal.url("/memo"))
    locations = [internal_url(template, internal, path="memo") for template in S1_SAMPLE]
    locations.append(public.url("/moved", host="public.test"))
    results = extract_lines(*locations)
    assert [result["input"] for result in results] == locations
    for result in results:
        assert set(result) == {"input", "error"} and says_refused(str(result["error"])), result
    assert internal.accepted == 0


def test_extract_under_rebinding_never_reaches_inside(fetch_settings, public, internal):
    serve_everything_inside(internal)
    public.routes["/memo"] = lambda h: h.answer(200, b"<html><p>public page</p></html>")
    rebinding(fetch_settings)
    (result,) = extract_lines(public.url("/memo", host="rebind.test"))
    assert "hunter2" not in json.dumps(result)
    assert internal.accepted == 0


# --- the media proxy ------------------------------------------------------------------------


@pytest.mark.parametrize("template", S1_SAMPLE)
def test_the_media_proxy_refuses_internal_addresses(
    client, fetch_settings, internal, template, tmp_path
):
    fetch_settings.MEDIA_PROXY_CACHE_DIR = str(tmp_path)
    serve_everything_inside(internal)
    response = client.get(media_proxy_path(url=internal_url(template, internal, "photo.png")))
    assert response.status_code == 403 and says_refused(response.content.decode())
    assert internal.accepted == 0


def test_the_media_proxy_refuses_a_redirect_inside_and_rebinding(
    client, fetch_settings, public, internal, tmp_path
):
    fetch_settings.MEDIA_PROXY_CACHE_DIR = str(tmp_path)
    serve_everything_inside(internal)
    redirect(public, "/photo.png", internal.url("/photo.png"))
    response = client.get(media_proxy_path(url=public.url("/photo.png", host="public.test")))
    assert response.status_code == 403
    rebinding(fetch_settings)("rebind.test", 80)  # spend the public answer
    response = client.get(media_proxy_path(url=public.url("/photo.png", host="rebind.test")))
    assert response.status_code == 403 and says_refused(response.content.decode())
    assert internal.accepted == 0
