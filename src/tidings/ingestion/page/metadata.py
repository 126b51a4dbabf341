"""Page metadata resolved field by field: JSON-LD first, then Open Graph/meta, then the DOM,
then trafilatura's own guesses."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from tidings.ingestion.page import dates
from tidings.ingestion.page.blocks import clean_space, safe_href, word_key
from tidings.ingestion.page.bylines import agency_of, clean_byline, unique
from tidings.ingestion.page.fallback import Fallback
from tidings.ingestion.page.signals import Signals


def text_of(value: Any) -> str | None:
    """A JSON-LD or meta value as one clean string (first of a list, name of an object)."""
    if isinstance(value, list):
        value = next((item for item in value if item), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("url")
    return clean_space(html.unescape(str(value))) or None if value not in (None, "") else None


def meta_first(signals: Signals, *names: str) -> str | None:
    for name in names:
        values = signals.meta.get(name)
        if values:
            return values[0]
    return None


def headline(*, tree, signals: Signals, fallback: Fallback) -> str | None:
    """The page's ``h1`` when it agrees with the declared title, else the declared headline,
    else trafilatura's title (it knows how to strip site names from ``<title>``)."""
    declared = text_of(signals.article.get("headline")) or meta_first(
        signals, "og:title", "twitter:title"
    )
    h1 = next((clean_space(h.text_content()) for h in tree.iter("h1")), None)
    if h1 and declared and _similar(h1, declared):
        return h1
    declared_ld = text_of(signals.article.get("headline"))
    return declared_ld or declared or fallback.title or h1


def _similar(one: str, other: str) -> bool:
    a, b = set(word_key(one).split()), set(word_key(other).split())
    return bool(a and b) and len(a & b) / len(a | b) >= 0.6


def standfirst(*, tree, signals: Signals) -> str | None:
    """The dek under the headline: a marked-up standfirst, else the declared description."""
    for node in signals.marked.get("standfirst", [])[:3]:
        text = clean_space(node.text_content())
        if 5 <= len(text.split()) <= 80:
            return text
    declared = text_of(signals.article.get("description")) or meta_first(
        signals, "og:description", "description", "twitter:description"
    )
    return clean_space(html.unescape(declared)) or None if declared else None


def byline_sources(*, tree, signals: Signals, fallback: Fallback) -> list[str]:
    """Raw byline strings: JSON-LD people, author meta tags, trafilatura's markup search,
    then byline-classed elements.

    Organisations credited as authors (the outlet itself, a desk) are not bylines; an
    agency among them is still found by ``bylines_and_agency`` from the raw strings.
    """
    outlet = _outlet_names(signals)
    raw = _json_ld_people(signals) or _meta_authors(signals)
    if not raw and fallback.author:
        raw = fallback.author.split("; ")
    if not raw:
        raw = [clean_space(node.text_content()) for node in signals.marked["byline"][:2]]
    return [text for text in raw if text and len(text) <= 120 and text.casefold() not in outlet]


def _meta_authors(signals: Signals) -> list[str]:
    """Author meta tags; one-word values are mostly site or CMS account names."""
    values = [
        value
        for name in ("author", "byl", "article:author", "dc.creator", "parsely-author")
        for value in signals.meta.get(name, [])
    ]
    return [value for value in values if " " in value.strip() and "://" not in value]


def _json_ld_people(signals: Signals) -> list[str]:
    authors = signals.article.get("author") or signals.article.get("creator")
    if not authors and signals.other_authors:  # pages that split their JSON-LD in pieces
        authors = signals.other_authors[0]
    people = []
    for author in authors if isinstance(authors, list) else [authors]:
        if isinstance(author, dict) and "organization" in str(author.get("@type", "")).lower():
            if agency_of(text_of(author)):
                people.append(text_of(author) or "")
            continue
        if name := text_of(author):
            people.append(name)
    return people


def _outlet_names(signals: Signals) -> set[str]:
    publisher = signals.article.get("publisher")
    names = [text_of(publisher), meta_first(signals, "og:site_name", "application-name")]
    return {name.casefold() for name in names if name}


def bylines_and_agency(
    *, raw: list[str], body_text: str, credits: Sequence[str] = ()
) -> tuple[list[str], str | None]:
    """People's names from the bylines, and the agency credited: in a byline, in a credit
    line taken out of the body ("Source: AFP"), or at the top or bottom of the body."""
    names = unique([name for text in raw for name in clean_byline(text)])
    agency = next((found for text in [*raw, *credits] if (found := agency_of(text))), None)
    if agency is None and body_text:
        agency = agency_of(body_text[:300]) or agency_of(body_text[-300:])
    return names, agency


def published_updated(*, tree, signals: Signals, fallback: Fallback, url: str | None = None):
    """Published and updated times, aware, in the offset the page gave.

    Declared dates (JSON-LD, meta) win, unless the URL carries a publication day more than
    a day earlier (then the declared one is a later revision). Otherwise trafilatura's date
    finder (htmldate: URL, markup and text) picks the day and we look for a printed or
    ``<time>`` timestamp of that same day to give it a time and an offset.
    """
    published = dates.parse_datetime(signals.article.get("datePublished")) or _meta_date(
        signals,
        "article:published_time", "og:article:published_time", "datepublished",
        "publishdate", "pubdate", "publish-date", "parsely-pub-date", "sailthru.date",
        "dc.date.issued", "dc.date", "dcterms.date", "date", "article.published",
    )  # fmt: skip
    updated = dates.parse_datetime(signals.article.get("dateModified")) or _meta_date(
        signals, "article:modified_time", "og:updated_time", "datemodified", "lastmod"
    )
    if published is None:
        printed = _time_element(tree) or _dateline(signals, updated=False)
        day = dates.parse_datetime(fallback.date) if fallback.date else None
        same_day = printed is not None and (day is None or printed.date() == day.date())
        published = printed if same_day else day
    url_day = _url_day(url)
    if published is not None and url_day is not None and (published.date() - url_day).days > 1:
        published = datetime(url_day.year, url_day.month, url_day.day, tzinfo=published.tzinfo)
    updated = updated or _dateline(signals, updated=True)
    zone = dates.first_zone(published, updated)
    return dates.with_zone(published, fallback_zone=zone), dates.with_zone(
        updated, fallback_zone=zone
    )


_URL_DAY = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|[-_]|$)")


def _url_day(url: str | None) -> date | None:
    """The day in a ``/2019/11/18/`` style URL path."""
    match = _URL_DAY.search(urlsplit(url).path) if url else None
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _meta_date(signals: Signals, *names: str) -> datetime | None:
    for name in names:
        for value in signals.meta.get(name, []):
            if moment := dates.parse_datetime(value):
                return moment
    return None


def _time_element(tree) -> datetime | None:
    for node in tree.xpath("//time[@datetime]")[:5]:
        if moment := dates.parse_datetime(node.get("datetime")):
            return moment
    return None


_DATELINE_WORD = re.compile(r"\b(?:published|posted|updated|last updated|modified)\b", re.I)


def _dateline(signals: Signals, *, updated: bool) -> datetime | None:
    """A printed dateline: "Published on Dec 30, 2022 03:49 PM IST" / "Updated: …"."""
    small = (node for node in signals.marked.get("dateline", []) if len(node) < 3)
    for _, node in zip(range(20), small, strict=False):
        text = clean_space(node.text_content())
        if not 6 <= len(text) <= 100:
            continue
        says_updated = bool(re.search(r"\b(?:updated|modified)\b", text, re.I))
        if says_updated != updated and _DATELINE_WORD.search(text):
            continue
        if moment := dates.parse_datetime(text):
            return moment
    return None


def breadcrumb(*, tree, signals: Signals) -> list[str]:
    """The breadcrumb trail, from JSON-LD or the page's breadcrumb navigation."""
    trail = signals.breadcrumb_ld
    if not trail:
        for nav in signals.marked.get("breadcrumb", [])[:1]:
            items = nav.xpath(".//a | .//li[not(.//a)]") or [nav]
            trail = [clean_space(item.text_content()) for item in items]
    return [step for step in trail if step and len(step) <= 60]


def section(*, trail: list[str], signals: Signals, url: str | None, title: str | None):
    """The section: breadcrumb (after "Home", before the story), declared, or URL path."""
    steps = [s for s in trail if s.casefold() not in ("home", "startseite", "accueil", "inicio")]
    if steps and title and _similar(steps[-1], title):
        steps = steps[:-1]
    if steps:
        return steps[-1] if len(steps) <= 2 else steps[1]
    declared = text_of(signals.article.get("articleSection")) or meta_first(
        signals, "article:section", "og:section", "section", "parsely-section"
    )
    return declared or _url_section(url)


def _url_section(url: str | None) -> str | None:
    if not url:
        return None
    parts = [part for part in urlsplit(url).path.split("/") if part]
    if len(parts) < 2:
        return None
    first = parts[0]
    if not re.fullmatch(r"[a-z][a-z-]{1,24}", first) or first in ("news", "article", "story"):
        return None
    return first.upper() if len(first) <= 3 else first.replace("-", " ").capitalize()


def canonical_url(*, signals: Signals, url: str | None) -> str | None:
    for candidate in (
        signals.canonical,
        meta_first(signals, "og:url"),
        text_of(signals.article.get("url")),
    ):
        if candidate and (absolute := safe_href(candidate, base=url)):
            return absolute
    return None


def topics(*, signals: Signals) -> list[str]:
    """Tags and keywords the page declares, de-duplicated, at most twenty."""
    found: list[str] = []
    keywords = signals.article.get("keywords")
    for value in keywords if isinstance(keywords, list) else [keywords]:
        if isinstance(value, str):
            found += value.split(",")
    found += signals.meta.get("article:tag", [])
    for name in ("news_keywords", "keywords"):
        for value in signals.meta.get(name, []):
            found += value.split(",")
    cleaned = [clean_space(html.unescape(topic)).strip("\"'") for topic in found]
    return unique([t for t in cleaned if t and len(t) <= 60 and not _NOT_A_TOPIC.search(t)])[:20]


_NOT_A_TOPIC = re.compile(r"://|^[@/#]|[&;<>{}=]|^\d+$")
