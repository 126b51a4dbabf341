"""Writes to the list of sources. Polling services join these later."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from tidings.common.errors import InvalidInput
from tidings.sources.models import Source
from tidings.sources.selectors import PARSE_ERROR_LIMIT


def _checked_url(url: str) -> str:
    """An absolute http(s) address; anything else could point the fetcher at local files."""
    clean = url.strip()
    parts = urlsplit(clean)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http:// or https:// address.")
    return clean


def _free_slug(name: str) -> str:
    base = slugify(name)[:110] or "source"
    slug, counter = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def source_add(*, name: str, url: str, kind: str, section_name: str = "") -> tuple[Source, bool]:
    """Add a source once: the same kind and address again returns the existing row.

    ``section_name`` is the section its stories are filed under when an item names none.
    """
    if kind not in Source.Kind.values:
        raise InvalidInput(f"{kind!r} is not a kind of source.")
    clean_name = " ".join(name.split())[:200]
    if not clean_name:
        raise InvalidInput("A source needs a name.")
    if len(" ".join(section_name.split())) > 120:
        raise InvalidInput("A section name is at most 120 characters.")
    clean_url = _checked_url(url)
    existing = Source.objects.filter(kind=kind, url=clean_url).first()
    if existing is not None:
        return existing, False
    source = Source.objects.create(
        name=clean_name,
        slug=_free_slug(clean_name),
        kind=kind,
        url=clean_url,
        section_name=" ".join(section_name.split()),
    )
    return source, True


@transaction.atomic
def source_save(*, source: Source) -> Source:
    """Save a source edited on the desk; only our own desk may go without an http(s) address."""
    if source.url or source.kind != Source.Kind.DESK:
        source.url = _checked_url(source.url)
    source.name = " ".join(source.name.split())[:200]
    source.save()
    return source


# --- Polling schedule --------------------------------------------------------------------
# A poll is claimed by moving next_poll_at forward in one conditional UPDATE, so a duplicate
# job or a second worker never polls the same source twice; a killed worker's claim expires.
# What a poll fetches and stores is done by articles.services.intake (it may import the
# ingestion stages and the store; this app may not).

POLL_LEASE = timedelta(minutes=10)
MIN_INTERVAL = timedelta(minutes=5)
DEFAULT_INTERVAL = timedelta(minutes=60)
MAX_INTERVAL = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=4)


def source_claim(*, source_id: int, now: datetime | None = None, force: bool = False) -> bool:
    """Take the right to poll a source now; False when it is not due or someone else has it."""
    moment = now or timezone.now()
    match = Source.objects.filter(pk=source_id, is_active=True).exclude(kind=Source.Kind.DESK)
    if not force:
        match = match.filter(
            Q(next_poll_at__isnull=True, parse_error_count__lt=PARSE_ERROR_LIMIT)
            | Q(next_poll_at__lte=moment)
        )
    return bool(match.update(next_poll_at=moment + POLL_LEASE))


def next_interval(*, current: timedelta | None, new_items: int) -> timedelta:
    """Busy sources are polled more often, quiet ones less, within 5 minutes and a day."""
    interval = current or DEFAULT_INTERVAL
    interval = interval / 2 if new_items > 0 else interval * 1.5
    return max(MIN_INTERVAL, min(MAX_INTERVAL, interval))


def source_poll_succeeded(*, source: Source, etag: str, last_modified: str, new_items: int) -> None:
    now = timezone.now()
    source.poll_interval = next_interval(current=source.poll_interval, new_items=new_items)
    source.next_poll_at = now + source.poll_interval
    source.last_polled_at = source.last_success_at = now
    source.etag, source.last_modified = etag[:500], last_modified[:100]
    source.error_count = source.parse_error_count = 0
    source.last_error = ""
    source.save(
        update_fields=[
            "poll_interval",
            "next_poll_at",
            "last_polled_at",
            "last_success_at",
            "etag",
            "last_modified",
            "error_count",
            "parse_error_count",
            "last_error",
        ]
    )


def source_poll_failed(
    *,
    source: Source,
    message: str,
    retry_at: datetime | None = None,
    parse_error: bool = False,
) -> str:
    """Count a failure and back off (5 min × 2^n up to 4 h); 3 parse errors in a row pause it."""
    now = timezone.now()
    source.error_count += 1
    source.parse_error_count = source.parse_error_count + 1 if parse_error else 0
    source.last_error = message[:2000]
    source.last_polled_at = now
    backoff = min(MAX_BACKOFF, MIN_INTERVAL * (2 ** min(source.error_count, 10)))
    source.next_poll_at = max(retry_at or now, now + backoff)
    if source.parse_error_count >= PARSE_ERROR_LIMIT:
        source.next_poll_at = None  # paused until an editor refreshes it
        source.last_error = f"Paused after {PARSE_ERROR_LIMIT} parse errors in a row. {message}"[
            :2000
        ]
    source.save(
        update_fields=[
            "error_count",
            "parse_error_count",
            "last_error",
            "last_polled_at",
            "next_poll_at",
        ]
    )
    return source.last_error


def source_resume(*, source: Source) -> None:
    """An editor's refresh: a paused source is polled again from now on."""
    Source.objects.filter(pk=source.pk).update(parse_error_count=0, next_poll_at=None)
