"""robots.txt for page scraping, fetched through the same guard and kept per site.

Following RFC 9309: a robots.txt that is missing (4xx) allows everything; one that cannot
be reached (5xx, timeout, connection failure) means "do not crawl" until we try again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

from tidings.common.http.errors import (
    BlockedAddressError,
    FetchError,
    HTTPStatusError,
    InvalidURLError,
    RetryLaterError,
    RobotsDisallowedError,
)

ROBOTS_AGENT = "Tidings"
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_KEEP_SECONDS = 3600.0
UNREACHABLE_KEEP_SECONDS = 300.0

RobotsFetch = Callable[[str], bytes]


@dataclass(frozen=True)
class _Rules:
    parser: RobotFileParser | None  # None: the verdict is ``everything`` for every path
    everything: bool = True
    note: str = ""
    keep: float = ROBOTS_KEEP_SECONDS

    def allows(self, url: str) -> bool:
        return self.parser.can_fetch(ROBOTS_AGENT, url) if self.parser else self.everything


_lock = threading.Lock()
_cache: dict[str, tuple[float, _Rules]] = {}


def robots_check(*, url: str, origin: str, fetch: RobotsFetch) -> None:
    """Raise ``RobotsDisallowedError`` unless ``origin``'s robots.txt lets us fetch ``url``."""
    rules = _rules_for(origin=origin, fetch=fetch)
    if not rules.allows(url):
        raise RobotsDisallowedError(
            url=url, reason=rules.note or f"{origin}/robots.txt disallows it"
        )


def robots_forget() -> None:
    with _lock:
        _cache.clear()


def _rules_for(*, origin: str, fetch: RobotsFetch) -> _Rules:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(origin)
    if cached is not None and cached[0] > now:
        return cached[1]
    rules = _rules_fetch(origin=origin, fetch=fetch)
    with _lock:
        _cache[origin] = (now + rules.keep, rules)
    return rules


def _rules_fetch(*, origin: str, fetch: RobotsFetch) -> _Rules:
    try:
        text = fetch(f"{origin}/robots.txt").decode("utf-8", errors="replace")
    except (BlockedAddressError, InvalidURLError, RetryLaterError):
        raise  # the page itself would be refused for the same reason
    except HTTPStatusError as error:
        if 400 <= error.status < 500:
            return _Rules(parser=None, everything=True)
        return _unreachable(origin, error)
    except FetchError as error:
        return _unreachable(origin, error)
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return _Rules(parser=parser)


def _unreachable(origin: str, error: FetchError) -> _Rules:
    note = f"{origin}/robots.txt could not be read ({error.reason}), so scraping waits"
    return _Rules(parser=None, everything=False, note=note, keep=UNREACHABLE_KEEP_SECONDS)
