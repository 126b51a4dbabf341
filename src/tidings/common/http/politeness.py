"""Being a good guest: a few requests at a time per host, and waiting when a host asks.

Both records are per process for the concurrency limit (a semaphore per host), and shared
through the Django cache for "retry after" holds when ``FETCH_HOLD_CACHE_ALIAS`` names a
cache (Redis when several worker processes run); the in-process record is always kept too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from tidings.common.http.settings import fetch_setting

log = logging.getLogger(__name__)

# A Retry-After longer than this is treated as this: a host cannot switch us off for weeks.
LONGEST_HOLD = timedelta(days=1)
# A 429 without Retry-After still means "slow down" (tt-rss waits an hour; we wait less).
THROTTLE_WITHOUT_RETRY_AFTER = timedelta(minutes=10)

_slots_lock = threading.Lock()
_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_holds_lock = threading.Lock()
_holds: dict[str, datetime] = {}


@contextmanager
def host_slot(*, host: str, limit: int, timeout: float) -> Iterator[bool]:
    """Hold one of ``limit`` slots for ``host``; yields False if none freed up in time."""
    with _slots_lock:
        slots = _slots.setdefault((host.lower(), limit), threading.BoundedSemaphore(limit))
    acquired = slots.acquire(timeout=max(0.0, timeout))
    try:
        yield acquired
    finally:
        if acquired:
            slots.release()


def retry_at_from(*, header: str, now: datetime) -> datetime | None:
    """When a ``Retry-After`` header (seconds or an HTTP date) lets us come back."""
    value = header.strip()
    if not value:
        return None
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - now
    return now + min(max(delay, timedelta(0)), LONGEST_HOLD)


def hold_set(*, host: str, until: datetime) -> None:
    key = host.lower()
    with _holds_lock:
        if _holds.get(key) is None or _holds[key] < until:
            _holds[key] = until
    cache = _hold_cache()
    if cache is not None:
        try:
            seconds = max(1, int((until - datetime.now(UTC)).total_seconds()) + 1)
            cache.set(_cache_key(key), until.timestamp(), timeout=seconds)
        except Exception:  # a cache outage must not stop fetching; the local record stands
            log.warning("could not record the retry-after hold for %s in the cache", host)


def hold_until(*, host: str, now: datetime) -> datetime | None:
    """The time before which ``host`` must not be asked again, if that is still ahead."""
    key = host.lower()
    with _holds_lock:
        local = _holds.get(key)
        if local is not None and local <= now:
            del _holds[key]  # expired: forget it so the record does not grow forever
    shared = _shared_hold(key)
    candidates = [when for when in (local, shared) if when is not None and when > now]
    return max(candidates) if candidates else None


def holds_clear() -> None:
    """Forget every in-process hold and concurrency slot (tests, and after settings change)."""
    with _holds_lock:
        _holds.clear()
    with _slots_lock:
        _slots.clear()


def _shared_hold(key: str) -> datetime | None:
    cache = _hold_cache()
    if cache is None:
        return None
    try:
        stamp = cache.get(_cache_key(key))
    except Exception:  # a cache outage must not stop fetching; the local record stands
        log.warning("could not read the retry-after hold for %s from the cache", key)
        return None
    return datetime.fromtimestamp(float(stamp), UTC) if stamp is not None else None


def _hold_cache():  # type: ignore[no-untyped-def]
    alias = fetch_setting("FETCH_HOLD_CACHE_ALIAS", "")
    if not alias:
        return None
    from django.core.cache import caches

    return caches[alias]


def _cache_key(host: str) -> str:
    return f"tidings:fetch-hold:{host}"
