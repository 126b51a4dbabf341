"""What RSS/Atom and JSON Feed entries share: identities (R8), dates and small text helpers.

Identity rules (SECURITY.md R8, after Miniflux 2e609232): hash(guid); when that guid was
already taken in the same document, hash(guid|link), then hash(guid|position); no guid,
hash(link); neither, hash(title+content). ``content_key`` is the second key (normalised
link, else title+content) that stops feeds which mint new guids on every fetch from
adding duplicates (FreshRSS #7789).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dateutil import parser as date_parser

from tidings.common.sanitise import storable_text
from tidings.ingestion.types import FeedEntry

MAX_ENTRIES = 5000
TRACKING_PARAMS = {"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ns_mchannel"}
_MONTHS = {
    name: english
    for english, names in {
        "Jan": "gen genn janv jän jänner ene enero janeiro januari januar gennaio janvier",
        "Feb": "febbr févr fév fevr fevereiro febrero februari februar febbraio février",
        "Mar": "mär märz mars marzo março maart",
        "Apr": "avr aprile avril abr abril",
        "May": "mai mag maggio mayo maio mei",
        "Jun": "giu giugno juin jui junio junho juni",
        "Jul": "lug luglio juil juillet julio julho juli",
        "Aug": "ago agosto août aoû agosto augustus",
        "Sep": "set sett settembre sept septembre septiembre setembro september",
        "Oct": "ott ottobre okt oktober octobre octubre out outubro",
        "Nov": "novembre noviembre novembro november",
        "Dec": "dic dicembre déc décembre dez dezember diciembre dezembro dec december",
    }.items()
    for name in names.split()
}


def language_tag(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return storable_text(value.strip().replace("_", "-").lower())[:35] or None


def text_as_html(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)


def parse_loose_date(text: str | None) -> datetime | None:
    """RFC 3339, else RFC 822 with English or common European day and month names
    ("mer, 16 nov 2022 00:38:15 +0100"), as time-zone-aware UTC-or-offset datetimes."""
    text = (text or "").strip()
    if not text or len(text) > 80:
        return None
    try:
        parsed = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        parsed = _parse_rfc822(text)
    if parsed is None:
        return None
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-23:59 is past the last representable moment
        return None


def _parse_rfc822(text: str) -> datetime | None:
    words = text.replace(",", " ").split()
    if words and not words[0][0].isdigit():
        words = words[1:]  # the day name, in whatever language
    words = [_MONTHS.get(word.lower().rstrip("."), word) for word in words]
    try:
        return parsedate_to_datetime(" ".join(words))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8", "replace")).hexdigest()


def _base_identity(entry: FeedEntry) -> tuple[str, str]:
    """(hash, what it hashed): guid, else link, else title+content."""
    if entry.guid:
        return _digest(entry.guid), entry.guid
    if entry.link:
        return _digest(entry.link), entry.link
    return _digest((entry.title or "") + (entry.body_text or entry.summary or "")), ""


def assign_identities(entries: list[FeedEntry]) -> list[FeedEntry]:
    """The first entry to claim an identity keeps it; later duplicates in the same document
    add the link, then the position, so a repeated guid never drops or merges an entry."""
    taken: set[str] = set()
    for entry in entries:
        identity, key = _base_identity(entry)
        if identity in taken and entry.link and key != entry.link:
            identity = _digest(key, entry.link)
        if identity in taken:
            identity = _digest(key, str(entry.position))
        taken.add(identity)
        entry.identity = identity
        entry.content_key = content_key(entry)
    return entries


def content_key(entry: FeedEntry) -> str:
    """A key that survives guid rotation: the normalised link, else title+content."""
    if entry.link:
        return _digest("link", normalise_link(entry.link))
    return _digest("text", " ".join((entry.title or "").split()), entry.body_text or "")


def normalise_link(url: str) -> str:
    """Scheme, ``www.``, fragment, trailing slash and tracking parameters do not make a
    different article."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None  # safe_link refuses such URLs; a caller's own link may still have one
    if port:
        host = f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    )
    return urlunsplit(("", host, parts.path.rstrip("/") or "/", urlencode(query), ""))


def unique(values: Any) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept
