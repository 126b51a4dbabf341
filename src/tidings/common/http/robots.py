"""robots.txt for page scraping, fetched through the same guard and kept per site.

Following RFC 9309: a robots.txt that is missing (4xx) allows everything; one that cannot
be reached (5xx, timeout, connection failure) means "do not crawl" until we try again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
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

_lock = threading.Lock()
_rules: dict[str, tuple[float, RobotFileParser, str]] = {}


def robots_check(*, url: str, origin: str, fetch: RobotsFetch) -> None:
    """Raise ``RobotsDisallowedError`` unless ``origin``'s robots.txt lets us fetch ``url``."""
    rules, note = _rules_for(origin=origin, fetch=fetch)
    if not rules.can_fetch(ROBOTS_AGENT, url):
        raise RobotsDisallowedError(url=url, reason=note or f"{origin}/robots.txt disallows it")


def robots_forget() -> None:
    with _lock:
        _rules.clear()


def _rules_for(*, origin: str, fetch: RobotsFetch) -> tuple[RobotFileParser, str]:
    now = time.monotonic()
    with _lock:
        cached = _rules.get(origin)
    if cached is not None and cached[0] > now:
        return cached[1], cached[2]
    rules, note, keep = _rules_fetch(origin=origin, fetch=fetch)
    with _lock:
        _rules[origin] = (now + keep, rules, note)
    return rules, note


def _rules_fetch(*, origin: str, fetch: RobotsFetch) -> tuple[RobotFileParser, str, float]:
    rules = RobotFileParser()
    try:
        text = fetch(f"{origin}/robots.txt").decode("utf-8", errors="replace")
    except (BlockedAddressError, InvalidURLError, RetryLaterError):
        raise  # the page itself would be refused for the same reason
    except HTTPStatusError as error:
        if 400 <= error.status < 500:
            rules.allow_all = True
            return rules, "", ROBOTS_KEEP_SECONDS
        return _unreachable(rules, origin, error)
    except FetchError as error:
        return _unreachable(rules, origin, error)
    rules.parse(text.splitlines())
    return rules, "", ROBOTS_KEEP_SECONDS


def _unreachable(
    rules: RobotFileParser, origin: str, error: FetchError
) -> tuple[RobotFileParser, str, float]:
    rules.disallow_all = True
    note = f"{origin}/robots.txt could not be read ({error.reason}), so scraping waits"
    return rules, note, UNREACHABLE_KEEP_SECONDS
