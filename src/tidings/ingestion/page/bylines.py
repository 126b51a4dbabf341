"""Bylines cleaned to people's names, and the news agency a story is credited to."""

from __future__ import annotations

import re

# Canonical agency name → how pages write it. "AP" and "PA" only count in credit positions
# (a byline, "(AP)", "— AP"), never as a bare word in running text.
AGENCIES: dict[str, str] = {
    "Reuters": r"reuters|thomson reuters",
    "AFP": r"afp|agence france[- ]presse",
    "AP": r"ap|associated press|the associated press",
    "PTI": r"pti|press trust of india",
    "ANI": r"ani|asian news international",
    "IANS": r"ians|indo[- ]asian news service",
    "dpa": r"dpa|deutsche presse[- ]agentur",
    "Bloomberg": r"bloomberg|bloomberg news",
    "Xinhua": r"xinhua",
    "EFE": r"efe",
    "ANSA": r"ansa",
    "Kyodo": r"kyodo|kyodo news",
    "Yonhap": r"yonhap",
    "UNI": r"uni|united news of india",
    "AAP": r"aap|australian associated press",
    "Canadian Press": r"the canadian press|canadian press",
    "TASS": r"tass",
    "Anadolu": r"anadolu|anadolu agency|aa",
    "PA Media": r"pa media|press association|pa",
    "APA": r"apa",
    "KNA": r"kna",
    "epd": r"epd",
    "SDA": r"sda|keystone-sda",
}
_ANY_AGENCY = "(" + "|".join(AGENCIES.values()) + ")"
_EACH_AGENCY = {name: re.compile(rf"^(?:{pattern})$", re.I) for name, pattern in AGENCIES.items()}
_AGENCY_WHOLE = re.compile(rf"^(?:{_ANY_AGENCY})$", re.IGNORECASE)
# "(Reuters) -", "NEW DELHI (PTI):", "— AFP", "with inputs from ANI", "Reuters |", "(AFP)"
_AGENCY_CREDIT = re.compile(
    rf"\((?:{_ANY_AGENCY})\)|(?:with inputs? from|source:|agencies:)\s*(?:{_ANY_AGENCY})\b"
    rf"|^(?:{_ANY_AGENCY})\s*[|/]|[—–-]\s*(?:{_ANY_AGENCY})\s*$",
    re.IGNORECASE | re.MULTILINE,
)

# "By Jane", "Posted by Jane", "Author: Jane" and the glued "vonChris Jung" of some themes
_BY = re.compile(
    r"^\s*(?:post\s+author\s+)?"
    r"(?:(?:posted|written|published|veröffentlicht|geschrieben|words|photos?|text)\s+)?"
    r"(?:(?:by|von|vom|par|por|door|av|af|author|autor|auteur|autore)(?:\s*:\s*|\s+)"
    r"|(?-i:[Bb]y|[Vv]on|[Vv]om|[Aa]uthor|[Aa]utor)(?=(?-i:[A-ZÀ-Þ])))",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"\b(?:senior|chief|staff|special|foreign|political|deputy|associate|contributing|"
    r"executive|managing|news|sports|business|science|tech(?:nology)?|health|world|"
    r"correspondent|reporter|writer|editor|columnist|journalist|contributor|producer|"
    r"analyst|photographer|bureau chief|for|updated|published|posted|min read|read|"
    r"chefredakteur(?:in)?|redakteur(?:in)?|korrespondent(?:in)?|search)\b.*$",
    re.IGNORECASE,
)
# Case-sensitive on purpose: "Sarah E. Needleman" keeps her initial.
_SPLIT = re.compile(r"\s*[,;&|/]\s*|\s+(?:and|AND|und|UND|et|y|e|og|en)\s+")
_FILLER = {"by", "at", "on", "in", "von", "par", "por", "and", "und", "the", "staff", "admin"}
_NOISE = re.compile(
    r"\S+@\S+|@\w+|https?://\S+|\d{1,2}:\d{2}\s*(?:am|pm)?|\d{4}"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b",
    re.IGNORECASE,
)
# Desks and outlets are credited in bylines too, but they are not people.
_NOT_A_PERSON = re.compile(
    r"\b(?:media|news|staff|desk|team|online|redaktion|agency|agencies|agenturen|network|"
    r"newsroom|bureau|press|digital|web|editorial|group|inc|ltd|gmbh)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[^\W\d_][\w.'’ -]*$")


def agency_of(text: str | None) -> str | None:
    """The agency named in a credit position of ``text`` (byline, dateline, last line)."""
    if not text:
        return None
    match = _AGENCY_WHOLE.match(_BY.sub("", text).strip()) or _AGENCY_CREDIT.search(text)
    return _canonical(match) if match else None


def _canonical(match: re.Match) -> str | None:
    said = next((group for group in match.groups() if group), "")
    return next((name for name, pattern in _EACH_AGENCY.items() if pattern.match(said)), None)


def clean_byline(raw: str) -> list[str]:
    """People named in a byline: "By Jane Doe and John Roe, Senior Writer" → two names."""
    text = _NOISE.sub(" ", raw.replace("\n", ", "))
    names: list[str] = []
    for part in _SPLIT.split(text):
        name = _ROLE.sub("", _BY.sub("", part)).strip(" .:-–—|·•")
        name = " ".join(name.split())
        if not name or not _NAME.match(name) or agency_of(name) or _NOT_A_PERSON.search(name):
            continue
        if 1 <= len(name.split()) <= 5 and name.lower() not in _FILLER:
            names.append(name)
    return names


def unique(names: list[str]) -> list[str]:
    """Names in first-seen order without repeats (case-insensitive)."""
    seen: set[str] = set()
    kept: list[str] = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(name)
    return kept
