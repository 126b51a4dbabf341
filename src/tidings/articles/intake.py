"""Intake services: fetch a source, run the pure ingestion stages, store through article_upsert.

They live in ``articles`` because they need both the ingestion stages and the store, and an
app may only import from apps above it in the flow (see docs/decisions/0002-intake.md).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from tidings.articles.enrich import article_mark_source_tagged
from tidings.articles.models import Article
from tidings.articles.services import article_upsert
from tidings.common.errors import ApplicationError, InvalidInput
from tidings.common.files import read_input
from tidings.common.http import (
    BlockedAddressError,
    FetchError,
    FetchResult,
    InvalidURLError,
    RetryLaterError,
    fetch_url,
)
from tidings.common.sanitise import safe_link
from tidings.ingestion.discover import discover_feeds
from tidings.ingestion.extract import extract_page
from tidings.ingestion.feeds import parse_feed
from tidings.ingestion.opml import parse_opml, render_opml
from tidings.ingestion.sitemaps import parse_sitemap
from tidings.ingestion.text_dump import clean_text_dump
from tidings.ingestion.types import ExtractedArticle, OutlineFeed
from tidings.ingestion.wire import parse_newsml_g2, parse_ninjs
from tidings.sources.models import Source
from tidings.sources.services import (
    source_add,
    source_claim,
    source_poll_failed,
    source_poll_succeeded,
    source_resume,
)

logger = logging.getLogger(__name__)

SITEMAP_PAGES_PER_POLL = 20
# What a parser bug on hostile bytes raises; database and programming errors are not here.
PARSER_BUGS = (ValueError, TypeError, LookupError, AttributeError, ArithmeticError, RecursionError)


@dataclass
class PollReport:
    source_id: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    not_modified: bool = False
    error: str = ""
    skipped: str = ""
    items: list[dict[str, object]] = field(default_factory=list)


# --- Polling -----------------------------------------------------------------------------


def source_poll(*, source_id: int, force: bool = False) -> PollReport:
    """Fetch a source once, store what is new, and schedule the next poll."""
    report = PollReport(source_id=source_id)
    if not source_claim(source_id=source_id, force=force):
        report.skipped = "not due, paused, or being polled by another worker"
        return report
    source = Source.objects.get(pk=source_id)
    try:
        fetched = fetch_url(
            url=source.url,
            purpose="page" if source.kind == Source.Kind.PAGE else "feed",
            etag=source.etag,
            last_modified=source.last_modified,
        )
    except RetryLaterError as error:
        report.error = source_poll_failed(
            source=source, message=str(error), retry_at=error.retry_at
        )
        return report
    except FetchError as error:
        report.error = source_poll_failed(source=source, message=str(error))
        return report
    if not fetched.not_modified:
        try:
            items = _items_from(source, fetched, report)
        except ApplicationError as error:
            report.error = source_poll_failed(source=source, message=str(error), parse_error=True)
            return report
        except PARSER_BUGS as error:
            # A parser bug on one source's bytes must not stop the worker (SECURITY.md R5).
            logger.exception("Parsing source %s crashed", source.pk)
            message = f"The content could not be read ({type(error).__name__}: {error})."
            report.error = source_poll_failed(source=source, message=message, parse_error=True)
            return report
        for item in items:
            _store(source, report, item=item)
    report.not_modified = fetched.not_modified
    source_poll_succeeded(
        source=source,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        new_items=report.created,
    )
    return report


def source_refresh(*, source: Source) -> PollReport:
    """An editor's "refresh now": resumes a paused source and polls it at once."""
    source_resume(source=source)
    return source_poll(source_id=source.pk, force=True)


class Item(NamedTuple):
    """One story a source sent: its id there, what was extracted, and how to recognise it."""

    external_id: str
    extracted: ExtractedArticle
    retracted: bool = False
    dedupe_key: str = ""


def _items_from(source: Source, fetched: FetchResult, report: PollReport) -> list[Item]:
    body, url = fetched.body, fetched.url
    if source.kind == Source.Kind.FEED:
        feed = parse_feed(body=body, url=url, content_type=fetched.content_type)
        # The content key stops feeds that rotate their GUIDs from adding copies (R8).
        return [
            Item(entry.identity, entry.to_article(), dedupe_key=entry.content_key)
            for entry in feed.entries
        ]
    if source.kind == Source.Kind.WIRE:
        parse = parse_ninjs if body.lstrip()[:1] in {b"{", b"["} else parse_newsml_g2
        return [Item(wire.external_id, wire.article, wire.retracted) for wire in parse(body=body)]
    if source.kind == Source.Kind.PAGE:
        return [Item(url, extract_page(html=body, url=url))]
    if source.kind == Source.Kind.TEXT_DUMP:
        return [Item(url, clean_text_dump(text=body.decode("utf-8", errors="replace"), url=url))]
    if source.kind == Source.Kind.SITEMAP:
        return _sitemap_items(source, body, report)
    raise InvalidInput(f"{source.get_kind_display()} sources are not polled.")


def _sitemap_items(source: Source, body: bytes, report: PollReport) -> list[Item]:
    """New article URLs of a sitemap, each fetched through the guard and extracted; a page
    that cannot be fetched (or is refused by the guard) is reported as a failed item."""
    sitemap = parse_sitemap(body=body)
    if sitemap.kind != "urlset":
        raise InvalidInput("This is a sitemap index: add each news sitemap it lists as a source.")
    urls = [entry.url for entry in sitemap.entries]
    known = set(
        Article.objects.filter(source=source, canonical_url__in=urls).values_list(
            "canonical_url", flat=True
        )
    )
    items = []
    for url in [url for url in urls if url not in known][:SITEMAP_PAGES_PER_POLL]:
        try:
            page = fetch_url(url=url, purpose="page")
        except FetchError as error:
            # One unreachable page must not stop the others; it is retried next poll.
            report.failed += 1
            report.items.append({"external_id": url, "status": "error", "error": str(error)})
            continue
        items.append(Item(url, extract_page(html=page.body, url=page.url)))
    return items


def _store(source: Source, report: PollReport, *, item: Item) -> None:
    extracted, external_id = item.extracted, item.external_id
    if not (extracted.section or extracted.breadcrumb) and source.section_name:
        extracted.breadcrumb = [source.section_name]
    try:
        result = article_upsert(
            source=source,
            extracted=extracted,
            external_id=external_id,
            retracted=item.retracted,
            dedupe_key=item.dedupe_key,
        )
    except ApplicationError as error:
        report.failed += 1
        report.items.append({"external_id": external_id, "status": "error", "error": str(error)})
        return
    setattr(report, result.status, getattr(report, result.status) + 1)
    report.items.append(
        {"external_id": external_id, "article_id": result.article.pk, "status": result.status}
    )


# --- Adding sources ----------------------------------------------------------------------


def source_add_from_url(*, url: str, name: str = "", section_name: str = "") -> tuple[Source, bool]:
    """Add a feed (discovered on the page when the URL is a web page), a sitemap or a page."""
    fetched = fetch_url(url=url.strip(), purpose="feed")
    kind, address, title = _classify(fetched)
    if kind == Source.Kind.PAGE:
        kind, address, title = _feed_discovered(fetched) or (kind, address, title)
    label = name or title or urlsplit(address).hostname or address
    return source_add(name=label, url=address, kind=kind, section_name=section_name)


def _feed_discovered(page: FetchResult) -> tuple[str, str, str] | None:
    """The first working feed the page names. A page whose only feeds the guard refuses
    (an internal address, a redirect inside) is refused too, saying why (SECURITY.md S5)."""
    refusal: FetchError | None = None
    for candidate in discover_feeds(html=page.body, url=page.url, include_guesses=False):
        try:
            found = fetch_url(url=candidate, purpose="feed")
            feed = parse_feed(body=found.body, url=found.url, content_type=found.content_type)
        except (BlockedAddressError, InvalidURLError) as error:
            refusal = refusal or error
            continue
        except ApplicationError:
            continue
        return Source.Kind.FEED, found.url, feed.title or ""
    if refusal is not None:
        raise InvalidInput(f"The feed {page.url} names was refused: {refusal}") from None
    return None


def _classify(fetched: FetchResult) -> tuple[str, str, str]:
    head = fetched.body[:4096].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return Source.Kind.SITEMAP, fetched.url, ""
    if fetched.content_type in {"text/html", "application/xhtml+xml"} or b"<html" in head:
        return Source.Kind.PAGE, fetched.url, ""
    try:
        feed = parse_feed(body=fetched.body, url=fetched.url, content_type=fetched.content_type)
    except ApplicationError as error:
        raise InvalidInput(
            f"{fetched.url} is neither a feed, a sitemap nor a web page ({error})."
        ) from None
    return Source.Kind.FEED, fetched.url, feed.title or ""


def opml_import(*, body: bytes) -> list[tuple[Source, bool]]:
    """Add every feed of an OPML file (at most 5,000); non-http(s) addresses are skipped."""
    added = []
    for outline in parse_opml(body=body, limit=5000):
        try:
            added.append(
                source_add(
                    name=outline.title or outline.xml_url,
                    url=outline.xml_url,
                    kind=Source.Kind.FEED,
                    section_name=(outline.categories or [""])[0],
                )
            )
        except InvalidInput:
            continue
    return added


def opml_export(*, title: str) -> bytes:
    feeds = [
        OutlineFeed(xml_url=source.url, title=source.name, html_url=source.homepage or None)
        for source in Source.objects.filter(kind=Source.Kind.FEED).exclude(url="")
    ]
    return render_opml(feeds=feeds, title=title)


# --- Ingesting files, addresses and JSON lines -------------------------------------------


def read_input_file(path: Path) -> str:
    """A local file as text (``.gz`` accepted), refusing huge files."""
    raw = read_input(path)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # every byte is a latin-1 character


def _looks_like_text_dump(path: Path) -> bool:
    name = path.name.removesuffix(".gz")
    return name.endswith((".txt", ".text"))


@transaction.atomic
def _source_named(*, name: str, kind: str = Source.Kind.WIRE, url: str = "") -> Source:
    clean = " ".join(name.split())[:200] or "Imported"
    slug = slugify(clean)[:120] or "imported"
    source, _ = Source.objects.get_or_create(
        slug=slug, defaults={"name": clean, "kind": kind, "url": url}
    )
    return source


def ingest_location(*, location: str) -> dict[str, object]:
    """Store the article at a local file (HTML page or plain-text dump) or an http(s) address."""
    if location.startswith(("http://", "https://")):
        fetched = fetch_url(url=location, purpose="page")
        try:
            extracted = extract_page(html=fetched.body, url=fetched.url)
        except PARSER_BUGS as error:
            # A parser bug on one page must not end the whole ingest run (SECURITY.md R5).
            logger.exception("Extracting %s crashed", location)
            raise InvalidInput(
                f"{location} could not be read ({type(error).__name__}: {error})."
            ) from None
        host = urlsplit(fetched.url).hostname or "web"
        source = _source_named(name=host, kind=Source.Kind.PAGE)
        external_id = extracted.canonical_url or fetched.url
    else:
        path = Path(location)
        text = read_input_file(path)
        if _looks_like_text_dump(path):
            extracted = clean_text_dump(text=text)
            source = _source_named(name="Text dumps", kind=Source.Kind.TEXT_DUMP)
        else:
            extracted = extract_page(html=text)
            page_host = urlsplit(extracted.canonical_url or extracted.url or "").hostname
            source = _source_named(name=page_host or "Pages", kind=Source.Kind.PAGE)
        external_id = extracted.canonical_url or extracted.url or f"file:{path.resolve()}"
    result = article_upsert(source=source, extracted=extracted, external_id=external_id)
    return {"external_id": external_id, "article_id": result.article.pk, "status": result.status}


JSONL_FIELDS = {
    "external_id",
    "url",
    "headline",
    "standfirst",
    "body_text",
    "body_html",
    "published",
    "updated",
    "section",
    "source",
    "topics",
    "bylines",
    "agency",
    "language",
    "image",
}


def ingest_record(*, record: Any) -> dict[str, object]:
    """Store one JSON-lines record: unknown sections and sources are created; topics count as
    the source's tags (origin "source"); ``external_id`` is unique per source."""
    if not isinstance(record, dict):
        raise InvalidInput("Each line must be a JSON object.")
    unknown = set(record) - JSONL_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.")
    external_id = str(record.get("external_id") or record.get("url") or "").strip()
    if not external_id:
        raise InvalidInput("A record needs an external_id or a url.")
    headline = str(record.get("headline") or "").strip()
    if not headline:
        raise InvalidInput("A record needs a headline.")
    extracted = ExtractedArticle(
        url=_web_address(record.get("url")),
        headline=headline,
        standfirst=_text(record.get("standfirst")),
        body_text=str(record.get("body_text") or ""),
        body_html=str(record.get("body_html") or ""),
        published=_when(record.get("published"), "published"),
        updated=_when(record.get("updated"), "updated"),
        section=_text(record.get("section")),
        breadcrumb=[str(record["section"])] if record.get("section") else [],
        topics=_names(record.get("topics"), "topics"),
        bylines=_names(record.get("bylines"), "bylines"),
        agency=_text(record.get("agency")),
        language=_text(record.get("language")),
    )
    source = _source_named(name=str(record.get("source") or "Imported"))
    result = article_upsert(source=source, extracted=extracted, external_id=external_id)
    if isinstance(record.get("topics"), list | str):  # given, even empty: teaches the tagger
        article_mark_source_tagged(article_id=result.article.pk)
    return {"external_id": external_id, "article_id": result.article.pk, "status": result.status}


def _web_address(value: Any) -> str | None:
    """The record's link, which the article page renders in an href: http(s) only (H4)."""
    text = _text(value)
    if text is None:
        return None
    link = safe_link(text)
    if link is None:
        raise InvalidInput(f"url {text[:80]!r} is not an absolute http:// or https:// address.")
    return link


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _names(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise InvalidInput(f"{name} must be a list of strings.")


def _when(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(f"{name} {value!r} is not an ISO 8601 date and time.") from None
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_jsonl_line(line: str) -> Any:
    try:
        return json.loads(line)
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidInput(f"Not valid JSON: {error}") from None
