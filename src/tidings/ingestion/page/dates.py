"""Publication dates as time-zone-aware datetimes, keeping the offset the page states."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as date_parser
from dateutil.parser import UnknownTimezoneWarning

# Abbreviations newsrooms print in datelines ("03:49 PM IST"). Ambiguous ones (IST is also
# Irish/Israel time, CST also China) take their most common newsroom meaning.
_ZONES_HOURS = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "WET": 0, "WEST": 1, "MSK": 3, "EAT": 3, "SAST": 2, "WAT": 1, "CAT": 2,
    "PKT": 5, "NPT": 5.75, "BDT": 6, "ICT": 7, "WIB": 7, "SGT": 8, "HKT": 8, "PHT": 8,
    "AWST": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "ACST": 9.5, "NZST": 12,
    "NZDT": 13, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3,
    "BRT": -3, "ART": -3, "GST": 4,
}  # fmt: skip
TZINFOS = {name: timezone(timedelta(hours=hours), name) for name, hours in _ZONES_HOURS.items()}

_LABEL = re.compile(
    r"^\s*(?:(?:first\s+)?(?:published|posted|updated|last\s+updated|modified|created|date)"
    r"(?:\s+(?:on|at))?|on|am|le|el|il|publicado(?:\s+em|\s+el)?|veröffentlicht(?:\s+am)?|"
    r"aktualisiert(?:\s+am)?|stand)\s*[:|,-]?\s*",
    re.IGNORECASE,
)
_PLAUSIBLE_YEARS = range(1995, 2100)  # placeholders like 0001-01-01 are not dates
_HAS_DIGITS = re.compile(r"\d")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DOTTED = re.compile(r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}")  # 05.11.2019 is day first
_ISOISH = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_datetime(value: object) -> datetime | None:
    """A datetime from an ISO string, a dateline ("Published on Dec 30, 2022 03:49 PM IST")
    or an epoch number; None when it does not look like a real publication date."""
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str) or not _HAS_DIGITS.search(value):
        return None
    text = _LABEL.sub("", value.strip())[:80]
    parsed = _iso(text) if _ISOISH.match(text) else None
    if parsed is None:
        if not _YEAR.search(text):  # fuzzy parsing of "3 hours ago" invents a date
            return None
        try:
            dayfirst = _DOTTED.search(text) is not None
            with warnings.catch_warnings():  # an unknown zone name leaves the time naive
                warnings.simplefilter("ignore", UnknownTimezoneWarning)
                parsed = date_parser.parse(text, fuzzy=True, dayfirst=dayfirst, tzinfos=TZINFOS)
        except (ValueError, OverflowError, TypeError):
            return None
    return parsed if parsed.year in _PLAUSIBLE_YEARS else None


def _iso(text: str) -> datetime | None:
    candidate = text.split()[0] if " " in text and "T" in text else text
    candidate = candidate.replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        stamp = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return stamp if stamp.year in _PLAUSIBLE_YEARS else None


def with_zone(moment: datetime | None, *, fallback_zone: timezone | None) -> datetime | None:
    """Make a naive datetime aware: the page's own offset if it gave one elsewhere, else UTC.

    A naive time is read as UTC only when nothing on the page tells us its zone; that is a
    guess (the page's local time is unknown), so callers prefer aware sources first.
    """
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=fallback_zone or UTC)


def first_zone(*moments: datetime | None) -> timezone | None:
    """The offset of the first aware datetime given, to lend to naive ones from the page."""
    for moment in moments:
        if moment is not None and moment.tzinfo is not None:
            offset = moment.utcoffset()
            if offset is not None:
                return timezone(offset)
    return None
