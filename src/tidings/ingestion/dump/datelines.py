"""Datelines in page dumps: "date 2022-12-30", "Published on Dec 30, 2022 03:49 PM IST",
"Updated: 30 December 2022, 16:10 GMT", "Nov. 19, 2019 8:03 am ET" → aware datetimes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}/\d{2}/\d{2})"
)
_TIME = r"(?:(?:\s*(?:,|at|-|–|\|)?\s*)\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?)?"
_ISO_TIME = r"(?:T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ZONE = r"(?:\s*\(?(?P<zone>[A-Z]{1,5}|(?:GMT|UTC)?[+-]\d{1,2}(?::?\d{2})?)\)?(?![\w]))?"
DATELINE = re.compile(rf"(?P<when>{_DATE}{_ISO_TIME}{_TIME}){_ZONE}", re.IGNORECASE)
_UPDATED = re.compile(
    r"\b(?:updated|modified|last\s+updated|edited|aktualisiert|actualizado)\b", re.I
)
_PUBLISHED = re.compile(r"\b(?:published|posted|date|first\s+published|veröffentlicht)\b", re.I)
_MAX_WORDS = 16  # a dateline is a short line, not a paragraph that mentions a date

# Abbreviations newsrooms print; ambiguous ones take their commonest newsroom meaning
# (IST as India). US zones go through the tz database so summer time is right.
_FIXED_HOURS = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "PKT": 5, "SGT": 8, "HKT": 8, "JST": 9, "KST": 9, "AEST": 10,
    "AEDT": 11, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "WIB": 7, "WAT": 1, "EAT": 3, "SAST": 2,
}  # fmt: skip
_REGIONS = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
            "PT": "America/Los_Angeles"}  # fmt: skip


@dataclass(frozen=True)
class Dateline:
    moment: datetime
    updated: bool


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    upper = name.upper()
    if upper in _FIXED_HOURS:
        return timezone(timedelta(hours=_FIXED_HOURS[upper]), upper)
    if upper in _REGIONS:
        try:
            return ZoneInfo(_REGIONS[upper])
        except ZoneInfoNotFoundError:
            return None
    offset = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", upper)
    if offset:
        sign = 1 if offset.group(1) == "+" else -1
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    return None


def parse_dateline(text: str) -> datetime | None:
    """The date a short line states, aware; a line with no zone is read as UTC (a guess the
    page forces on us: plain text carries no machine-readable offset)."""
    if len(text.split()) > _MAX_WORDS:
        return None
    match = DATELINE.search(text)
    if match is None:
        return None
    when = match.group("when").replace("|", " ").replace(" at ", " ")
    try:
        moment = date_parser.parse(when, dayfirst="." in when, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if not 1995 <= moment.year <= 2100:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(match.group("zone")) or UTC)
    return moment


def find_datelines(text: str) -> list[Dateline]:
    """One or two datelines from a line ("Published: … | Updated: …")."""
    parts = re.split(r"(?=\b(?:updated|last updated|modified)\b)", text, flags=re.I)
    found = []
    for part in parts:
        moment = parse_dateline(part)
        if moment is not None:
            updated = bool(_UPDATED.search(part)) and not _PUBLISHED.search(part.split(":")[0])
            found.append(Dateline(moment=moment, updated=updated))
    return found
