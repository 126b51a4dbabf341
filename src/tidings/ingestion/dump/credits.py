"""Who a story is credited to: wire agency ("Reuters |", "By Reuters", "PTI"), bylines
("By Jane Doe and John Roe"), and photo captions with their credit ("… are seen.(AFP)")."""

from __future__ import annotations

import re

from tidings.ingestion.types import Image

# Canonical name → how pages write it. Short ones ("AP", "PA") only count in credit positions.
AGENCIES = {
    "Reuters": r"reuters|thomson reuters",
    "AFP": r"afp|agence france[- ]presse",
    "AP": r"ap|associated press|the associated press",
    "PTI": r"pti|press trust of india",
    "ANI": r"ani|asian news international",
    "IANS": r"ians",
    "Bloomberg": r"bloomberg|bloomberg news",
    "dpa": r"dpa",
    "Xinhua": r"xinhua",
    "EFE": r"efe",
    "ANSA": r"ansa",
    "Kyodo": r"kyodo|kyodo news",
    "Yonhap": r"yonhap",
    "UNI": r"uni|united news of india",
    "AAP": r"aap",
    "TASS": r"tass",
    "Anadolu": r"anadolu|anadolu agency",
    "PA Media": r"pa media|press association",
}
_ANY = "(?:" + "|".join(AGENCIES.values()) + ")"
_EACH = {name: re.compile(rf"(?:{pattern})", re.I) for name, pattern in AGENCIES.items()}
# "Reuters |", "By Reuters", "PTI", "Reuters | Posted by Jane", "(AFP) —", "with inputs from ANI"
_AGENCY_LINE = re.compile(rf"^(?:by\s+|source:\s*)?(?P<name>{_ANY})\s*(?:$|[|/,:]\s*)", re.I)
_AGENCY_INLINE = re.compile(
    rf"^[A-Z][\w .,'-]{{0,40}}\((?P<lead>{_ANY})\)\s*[-–—:]|with inputs? from (?P<tail>{_ANY})\b",
    re.I,
)
_BY = re.compile(r"^(?:(?:posted|written|reported|edited)\s+)?by\s*:?\s+(?P<names>.+)$", re.I)
_POSTED_BY = re.compile(r"\b(?:posted|written|edited)\s+by\s+(?P<names>[^|]+)", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*")
_NAME = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,4}$")
_ROLE_TAIL = re.compile(
    r",?\s*\b(?:senior|chief|staff|special|correspondent|reporter|writer|editor|updated|"
    r"published)\b.*$",
    re.I,
)

_CREDIT_PAREN = re.compile(r"^(?P<caption>.*?\S)\s*\((?P<credit>[^()]{2,60})\)\s*\.?\s*$")
_CREDIT_LABEL = re.compile(
    r"^(?P<caption>.*?\S)\s*\|?\s*(?P<credit>(?:photo|image|picture|pic|foto|credit)s?"
    r"(?:\s+credit)?\s*[:©]\s*[^.]{2,60})\s*$",
    re.I,
)
_CREDIT_HINT = re.compile(
    r"\b(?:photo|image|pic|picture|file|getty|courtesy|shutterstock|handout|pool|epa|"
    r"alamy|twitter|instagram|facebook|via|credit|foto)\b|©",
    re.I,
)
_CREDIT_PREFIX = re.compile(
    r"^(?:photo|image|picture|pic|foto|credit)s?(?:\s+credit)?\s*[:©/]\s*", re.I
)


def canonical_agency(name: str) -> str | None:
    stripped = name.strip(" .()|:-–—")
    return next(
        (canonical for canonical, pattern in _EACH.items() if pattern.fullmatch(stripped)), None
    )


def agency_of_line(text: str) -> str | None:
    """The agency a short credit line names ("Reuters |", "By PTI"), or a body line's lead
    ("MOSCOW (Reuters) -") or tail ("with inputs from ANI")."""
    match = _AGENCY_LINE.match(text)
    if match and len(text.split()) <= 12:
        return canonical_agency(match.group("name"))
    match = _AGENCY_INLINE.search(text)
    if match:
        return canonical_agency(match.group("lead") or match.group("tail"))
    return None


def byline_names(text: str) -> list[str]:
    """People a byline line names; agencies are left to ``agency_of_line``."""
    match = _BY.match(text) or _POSTED_BY.search(text)
    if match is None or len(text.split()) > 14:
        return []
    names = []
    for part in _NAME_SPLIT.split(_ROLE_TAIL.sub("", match.group("names"))):
        name = part.strip(" .|:-–—")
        if name and _NAME.match(name) and not canonical_agency(name):
            names.append(name)
    return names


def caption_of_line(text: str) -> Image | None:
    """A photo caption ending with its credit: "Leaders talk.(AFP)", "… (Photo: Reuters)"."""
    match = _CREDIT_PAREN.match(text) or _CREDIT_LABEL.match(text)
    if match is None:
        return None
    raw_credit = match.group("credit").strip()
    if not (canonical_agency(raw_credit) or _CREDIT_HINT.search(raw_credit)):
        return None
    caption = match.group("caption").strip(" |")
    if len(caption.split()) < 3:
        return None
    credit = _CREDIT_PREFIX.sub("", raw_credit).strip() or raw_credit
    return Image(caption=caption, credit=canonical_agency(credit) or credit)
